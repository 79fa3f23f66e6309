// One measured conversion of flights-3m.parquet to day-partitioned Parquet, in its own process so that its peak
// RSS is its own: `ours` runs the extract job; `duckdb` runs the same conversion as one DuckDB COPY statement.
// Prints one JSON line: { rows, seconds, maxRssMiB }.
import { DuckDBInstance } from "@duckdb/node-api";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { extract } from "../images/etl/src/jobs/extract";

const SOURCE = path.join(__dirname, "..", "node_modules", "vega-datasets", "data", "flights-3m.parquet");

async function main(variant: string): Promise<void> {
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${variant}-`));
  const start = process.hrtime.bigint();
  let rows: number;
  if (variant === "ours") {
    const result = await extract({ source: SOURCE, dataset: "flights", destination: dest, dateColumn: "date", task: { index: 0, count: 1 } }, dest, () => {
      throw new Error("no GCS in the benchmark");
    });
    rows = result.rowsWritten;
  } else {
    const db = await DuckDBInstance.create(":memory:", { memory_limit: "1GB" });
    const connection = await db.connect();
    const copied = await connection.runAndReadAll(
      `COPY (SELECT CAST(date AS DATE) AS date, date AS date_time, delay, distance, origin, destination FROM read_parquet('${SOURCE}')) TO '${dest}/flights' (FORMAT parquet, PARTITION_BY (date), WRITE_PARTITION_COLUMNS true, OVERWRITE true)`,
    );
    rows = Number(copied.getRows()[0][0]);
    connection.closeSync();
    db.closeSync();
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  fs.rmSync(dest, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ rows, seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main(process.argv[2] ?? "ours").catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
