// Scorer throughput and peak memory on large CSVs (issue #21): vega-datasets' penguins, the 344 real rows labelled,
// then copies of them without a species until the file reaches 50, 200 and 400 MiB (written to a temporary folder
// here, removed at the end). On the 200 MiB file the scorer (one Pub/Sub push to its HTTP server: two streaming
// passes, the fit, predictions for every unlabelled row, written) runs side by side with a streaming baseline (the
// same file through csv-parse and csv-stringify, no model), in alternating rounds, each in its own process.
// Targets: at least 0.8x the baseline's rows/s; peak RSS at most 512 MiB at every size, so memory does not grow
// with the file. It also prints the largest object scored within Pub/Sub's 600 s push deadline at the measured speed,
// on both cores and on one (the service's 1 vCPU: pipelines/scoring.ts leaves CloudRunService's default `cpu`, 1).
import { stringify } from "csv-stringify/sync";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MAX_INPUT_BYTES } from "../images/scorer/src/server";
import { RUN_TS } from "../tools/run-ts";
import { load, measure, median, rounds } from "./measure";

const MiB = 1024 * 1024;
const SIZES_MIB = [50, 200, 400];
const RATIO_SIZE_MIB = 200;
const GOALS = { ratio: 0.8, rssMiB: 512 };
/** Pub/Sub's longest push ack deadline (src: https://cloud.google.com/pubsub/docs/lease-management); the stack's is 600 s too. */
const ACK_DEADLINE_S = 600;

/** What one worker run prints (bench/scorer-worker.ts). */
interface Run {
  rows: number;
  predictedRows: number;
  wallS: number;
  cpuS: number;
  maxRssMiB: number;
}

/** vega-datasets' penguins (344 rows), each field as text, a missing value empty. */
export function penguinRows(): Record<string, string>[] {
  return (
    JSON.parse(fs.readFileSync(path.join(__dirname, "..", "node_modules", "vega-datasets", "data", "penguins.json"), "utf8")) as Record<string, unknown>[]
  ).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? "" : String(v as string | number)])));
}

/**
 * Writes `file`: penguins with a header, the 344 rows as they are, then copies of them with the species left empty
 * (row `i` is penguin `i % 344`), until the file holds at least `bytes`.
 * @returns the rows written (the header not counted).
 */
export function writePenguinsCsv(file: string, bytes: number): number {
  const penguins = penguinRows();
  const labelled = penguins.map((r) => stringify([r]));
  const unlabelled = penguins.map((r) => stringify([{ ...r, Species: "" }]));
  const fd = fs.openSync(file, "w");
  try {
    let size = fs.writeSync(fd, stringify([], { header: true, columns: Object.keys(penguins[0]) }));
    let rows = 0;
    while (size < bytes) {
      let chunk = "";
      for (let k = 0; k < 10_000 && size + chunk.length < bytes; k++, rows++) chunk += (rows < penguins.length ? labelled : unlabelled)[rows % penguins.length];
      size += fs.writeSync(fd, chunk);
    }
    return rows;
  } finally {
    fs.closeSync(fd);
  }
}

function run(variant: "ours" | "baseline", file: string, pinned = false): Run {
  const node = [process.execPath, ...RUN_TS, path.join(__dirname, "scorer-worker.ts"), variant, file];
  const [command, ...args] = pinned ? ["taskset", "-c", "0", ...node] : node;
  const result = measure(command, args);
  if (result.status !== 0) throw new Error(`the ${variant} run on ${file} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as Run;
}

function main(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-scorer-"));
  try {
    const files = new Map(SIZES_MIB.map((size) => [size, path.join(dir, `penguins-${size}mib.csv`)]));
    const rowsOf = new Map(SIZES_MIB.map((size) => [size, writePenguinsCsv(files.get(size)!, size * MiB)]));
    const file = files.get(RATIO_SIZE_MIB)!;
    const n = rounds(3);
    const runs: Record<"ours" | "baseline", Run[]> = { ours: [], baseline: [] };
    for (let round = 0; round < n; round++) {
      runs.baseline.push(run("baseline", file));
      runs.ours.push(run("ours", file));
    }
    const rows = rowsOf.get(RATIO_SIZE_MIB)!;
    for (const r of [...runs.ours, ...runs.baseline]) if (r.rows !== rows) throw new Error(`a run read ${r.rows} rows of ${rows}`);
    const rate = (variant: "ours" | "baseline", seconds: "wallS" | "cpuS") => median(runs[variant].map((r) => rows / r[seconds]));
    const ratio = rate("ours", "wallS") / rate("baseline", "wallS");
    const line = (variant: "ours" | "baseline") =>
      `${Math.round(rate(variant, "wallS")).toLocaleString("en")} rows/s (median ${median(runs[variant].map((r) => r.wallS)).toFixed(1)} s wall, ${median(runs[variant].map((r) => r.cpuS)).toFixed(1)} s CPU)`;
    console.log(`scorer on penguins: 344 labelled rows, then unlabelled copies (${n} rounds, alternating; ${load()})`);
    console.log(`  ${RATIO_SIZE_MIB} MiB, ${rows.toLocaleString("en")} rows:`);
    console.log(`    ours (one push: two passes, fit, ${runs.ours[0].predictedRows.toLocaleString("en")} rows predicted and written): ${line("ours")}`);
    console.log(`    baseline (csv-parse -> csv-stringify streams, no model):                      ${line("baseline")}`);
    console.log(
      `    throughput ratio ours/baseline: ${ratio.toFixed(2)}x (target >= ${GOALS.ratio}: ${ratio >= GOALS.ratio ? "met" : "MISSED"}); by CPU seconds ${(rate("ours", "cpuS") / rate("baseline", "cpuS")).toFixed(2)}x`,
    );

    const rss = new Map(
      SIZES_MIB.map((size) => [size, size === RATIO_SIZE_MIB ? Math.max(...runs.ours.map((r) => r.maxRssMiB)) : run("ours", files.get(size)!).maxRssMiB]),
    );
    const worst = Math.max(...rss.values());
    console.log(
      `  peak RSS of the scorer's process: ${SIZES_MIB.map((size) => `${size} MiB: ${rss.get(size)!.toFixed(0)} MiB`).join(", ")} (target <= ${GOALS.rssMiB} MiB each: ${worst <= GOALS.rssMiB ? "met" : "MISSED"})`,
    );

    const within = (wallS: number) => Math.floor(((RATIO_SIZE_MIB / wallS) * ACK_DEADLINE_S) / 100) * 100;
    const pinned = run("ours", file, true);
    console.log(
      `  largest object scored within the ${ACK_DEADLINE_S} s ack deadline at these speeds: about ${within(median(runs.ours.map((r) => r.wallS))).toLocaleString("en")} MiB on 2 cores, ${within(pinned.wallS).toLocaleString("en")} MiB on 1 core (${pinned.wallS.toFixed(1)} s for ${RATIO_SIZE_MIB} MiB); the scorer refuses objects over ${MAX_INPUT_BYTES / MiB} MiB, about ${Math.round((pinned.wallS * MAX_INPUT_BYTES) / MiB / RATIO_SIZE_MIB)} s on 1 core`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) main();
