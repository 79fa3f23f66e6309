// Extract throughput and peak memory on flights-3m.parquet (3,000,000 real flights), side by side with DuckDB
// doing the same conversion directly (one COPY ... PARTITION_BY), in one run. Targets (issue #4): at least 0.8x
// DuckDB's throughput, peak RSS under 512 MiB.
import { execFileSync } from "child_process";
import * as path from "path";
import { RUN_TS } from "../tools/run-ts";

const RUNS = 3;

interface Measure {
  rows: number;
  seconds: number;
  maxRssMiB: number;
}

function measure(variant: "ours" | "duckdb"): Measure {
  const out = execFileSync(process.execPath, [...RUN_TS, path.join(__dirname, "extract-worker.ts"), variant], {
    encoding: "utf8",
  });
  return JSON.parse(out.trim().split("\n").pop()!) as Measure;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const runs: Record<"ours" | "duckdb", Measure[]> = { ours: [], duckdb: [] };
for (let i = 0; i < RUNS; i++) {
  // Alternate, so both see the same machine load.
  runs.duckdb.push(measure("duckdb"));
  runs.ours.push(measure("ours"));
}
const summary = (variant: "ours" | "duckdb") => {
  const rowsPerSecond = median(runs[variant].map((m) => m.rows / m.seconds));
  const rss = Math.max(...runs[variant].map((m) => m.maxRssMiB));
  return { rowsPerSecond, rss, rows: runs[variant][0].rows };
};
const ours = summary("ours");
const duckdb = summary("duckdb");
const ratio = ours.rowsPerSecond / duckdb.rowsPerSecond;
console.log(`extract flights-3m.parquet -> day-partitioned Parquet (${RUNS} runs each, median throughput, max peak RSS)`);
console.log(
  `  ours (extract job):     ${ours.rows} rows, ${Math.round(ours.rowsPerSecond).toLocaleString("en")} rows/s, peak RSS ${ours.rss.toFixed(0)} MiB (process, incl. Node and the TypeScript require hook)`,
);
console.log(
  `  DuckDB COPY directly:   ${duckdb.rows} rows, ${Math.round(duckdb.rowsPerSecond).toLocaleString("en")} rows/s, peak RSS ${duckdb.rss.toFixed(0)} MiB`,
);
console.log(
  `  throughput ratio ours/DuckDB: ${ratio.toFixed(2)}x (target >= 0.80: ${ratio >= 0.8 ? "met" : "MISSED"}); peak RSS target < 512 MiB: ${ours.rss < 512 ? "met" : "MISSED"}`,
);
