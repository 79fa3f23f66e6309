// One measured pass of a CSV file, in its own process so that its peak RSS is its own:
// - `ours FILE`: the scorer's HTTP server (images/scorer), on a local store holding FILE, answers one Pub/Sub push of
//   it; timed from the push to the answer, which must be 200;
// - `baseline FILE`: the same file through csv-parse and csv-stringify as streams (the scorer's parse options,
//   objects by header), file to file, no model.
// Prints one JSON line: { rows, predictedRows, wallS, cpuS, maxRssMiB }.
import { parse } from "csv-parse";
import { stringify } from "csv-stringify";
import * as fs from "fs";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { pipeline } from "stream/promises";
import { Metrics } from "../images/scorer/src/model";
import { createServer } from "../images/scorer/src/server";
import { localStore } from "../images/scorer/src/store";

interface Run {
  rows: number;
  predictedRows: number;
}

async function ours(file: string, dir: string): Promise<Run> {
  fs.mkdirSync(path.join(dir, "in"));
  fs.symlinkSync(path.resolve(file), path.join(dir, "in", "data.csv"));
  const server = createServer({ outputBucket: "out", label: "Species" }, localStore(dir), () => undefined).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  try {
    const push = { message: { attributes: { eventType: "OBJECT_FINALIZE", bucketId: "in", objectId: "data.csv", objectGeneration: "1" }, messageId: "1" } };
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { method: "POST", body: JSON.stringify(push) });
    const body = (await response.json()) as { metrics: Metrics };
    if (response.status !== 200) throw new Error(`the scorer answered ${response.status}: ${JSON.stringify(body)}`);
    return { rows: body.metrics.rows, predictedRows: body.metrics.predictedRows };
  } finally {
    server.close();
  }
}

async function baseline(file: string, dir: string): Promise<Run> {
  const parser = parse({ bom: true, columns: true, skip_empty_lines: true, trim: true });
  await pipeline(fs.createReadStream(file), parser, stringify({ header: true }), fs.createWriteStream(path.join(dir, "out.csv")));
  return { rows: parser.info.records, predictedRows: 0 };
}

async function main(variant: string, file: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-scorer-${variant}-`));
  try {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    const run = await (variant === "ours" ? ours : baseline)(file, dir);
    const wallS = Number(process.hrtime.bigint() - start) / 1e9;
    const used = process.cpuUsage(cpu);
    const cpuS = (used.user + used.system) / 1e6;
    process.stdout.write(`${JSON.stringify({ ...run, wallS, cpuS, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv[2] ?? "ours", process.argv[3] ?? "").catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
