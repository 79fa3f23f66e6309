// Scorer throughput on penguins repeated to 300,000 rows (the 344 real rows labelled once, every copy unlabelled; 9 MiB,
// under the scorer's 10 MiB input limit, MAX_INPUT_BYTES, above which it answers 422), end to end (CSV in, fit,
// predict, CSV and metrics out), side by side with the baseline of the same CSV read and written without the model,
// in one run.
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import * as fs from "fs";
import * as path from "path";
import { handlePush, ObjectStore } from "../images/scorer/src/server";

const ROWS = 300_000;
const penguins = (
  JSON.parse(fs.readFileSync(path.join(__dirname, "..", "node_modules", "vega-datasets", "data", "penguins.json"), "utf8")) as Record<string, unknown>[]
).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? "" : String(v as string | number)])));
const rows = Array.from({ length: ROWS }, (_, i) => (i < penguins.length ? penguins[i] : { ...penguins[i % penguins.length], Species: "" }));
const csv = Buffer.from(stringify(rows, { header: true }));
const push = JSON.stringify({ message: { attributes: { eventType: "OBJECT_FINALIZE", bucketId: "in", objectId: "penguins.csv", objectGeneration: "1" } } });
const store: ObjectStore = { read: async () => csv, write: async () => undefined };

async function main(): Promise<void> {
  let start = process.hrtime.bigint();
  stringify(parse<Record<string, string>>(csv, { columns: true, skip_empty_lines: true, trim: true }), { header: true });
  const baseline = Number(process.hrtime.bigint() - start) / 1e9;
  start = process.hrtime.bigint();
  const result = await handlePush(push, { outputBucket: "out", label: "Species" }, store, () => undefined);
  const ours = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 200) throw new Error(`the scorer answered ${result.status}: ${JSON.stringify(result.body)}`);
  const metrics = (result.body as { metrics: { predictedRows: number; accuracy: number } }).metrics;
  console.log(`scorer on penguins repeated to ${ROWS.toLocaleString("en")} rows (${(csv.length / 1048576).toFixed(0)} MiB of CSV)`);
  console.log(
    `  ours (parse, fit, predict ${metrics.predictedRows.toLocaleString("en")} rows, write): ${Math.round(ROWS / ours).toLocaleString("en")} rows/s (${ours.toFixed(1)} s), held-out accuracy ${metrics.accuracy.toFixed(3)}`,
  );
  console.log(`  baseline (parse and write the CSV, no model):        ${Math.round(ROWS / baseline).toLocaleString("en")} rows/s (${baseline.toFixed(1)} s)`);
  console.log(`  ratio ours/baseline: ${(baseline / ours).toFixed(2)}x`);
}

void main();
