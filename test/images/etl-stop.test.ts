import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Gcs } from "../../images/etl/src/gcs";
import { Clients, main } from "../../images/etl/src/main";
import { LoadJobConfig, QueryJobConfig, Warehouse } from "../../images/etl/src/warehouse";
import { logLine } from "../helpers/image-output";

// The ETL jobs asked to stop mid-run, in process: the stop is an AbortController aborted by a fake client call, as
// runProcess aborts it on SIGTERM or SIGINT. test/images/sigterm.test.ts stops a real process with a real signal.

const ENV = { GOOGLE_CLOUD_PROJECT: "p", RAW_BUCKET: "p-dev-raw", WAREHOUSE_DATASET: "dev_warehouse" };

/** Runs a job with `clients` and a stop the clients can pull; resolves with the exit code and the last log line. */
async function run(argv: string[], clients: (stop: (signal: "SIGTERM" | "SIGINT") => void) => Clients) {
  const controller = new AbortController();
  const lines: string[] = [];
  const io = { stdout: (l: string) => lines.push(l), stderr: (l: string) => lines.push(l) };
  const code = await main(
    argv,
    ENV,
    io,
    clients((signal) => controller.abort(signal)),
    controller.signal,
  );
  return { code, last: logLine(lines[lines.length - 1]) };
}

/** Records every call; `onCall` runs on each, e.g. to stop the run from inside one; `files` are the objects' content (`bucket/name` → local file). */
function recording(objects: string[], onCall: (call: string) => void = () => undefined, files: Record<string, string> = {}) {
  const calls: string[] = [];
  const record = (call: string) => (calls.push(call), onCall(call));
  const gcs: Gcs = {
    list: async (bucket, prefix) => (record(`list ${bucket}/${prefix}`), objects.filter((o) => o.startsWith(prefix))),
    download: async (bucket, name, local) => (record(`download ${bucket}/${name}`), fs.copyFileSync(files[`${bucket}/${name}`], local)),
    upload: async (_file, bucket, name) => record(`upload ${bucket}/${name}`),
    delete: async (bucket, name) => record(`delete ${bucket}/${name}`),
  };
  const warehouse: Warehouse = {
    load: async (config: LoadJobConfig) => (record(`load ${config.destinationTable.tableId}`), 10),
    query: async (config: QueryJobConfig) => (record(`query ${config.query}`), undefined),
  };
  return { calls, clients: { gcs: () => gcs, warehouse: () => warehouse } };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "etl-stop-"));

describe("images/etl stopped mid-run (SIGTERM, SIGINT)", () => {
  it("extract stops after the day it is writing: that day's object only, the rest as they were, exit 143", async () => {
    const source = path.join(tmp(), "weather.csv");
    fs.writeFileSync(source, "date,temp\n2012-01-01,1\n2012-01-02,2\n2012-01-03,3\n");
    let stop: (signal: "SIGTERM") => void = () => undefined;
    const { calls, clients } = recording([], (call) => call.startsWith("upload") && stop("SIGTERM"));
    const { code, last } = await run(["extract", "--source", source, "--dataset", "weather", "--dest", "gs://p-dev-raw/"], (s) => ((stop = s), clients));
    expect(code).to.equal(143);
    expect(calls).to.deep.equal([
      "list p-dev-raw/weather/",
      "upload p-dev-raw/weather/date=2012-01-01/part-0.parquet",
      "list p-dev-raw/weather/date=2012-01-01/",
    ]);
    expect(last).to.deep.include({
      severity: "NOTICE",
      message:
        "extract: stopped by SIGTERM at a safe point: wrote 1 of 3 days (2012-01-01) to gs://p-dev-raw/weather/; the days not reached keep what an earlier run wrote; re-run with the same parameters to finish",
      signal: "SIGTERM",
    });
  });

  it("extract stopped while it reads the source writes and deletes nothing, exit 143", async () => {
    const source = path.join(tmp(), "weather.csv");
    fs.writeFileSync(source, "date,temp\n2012-01-01,1\n");
    let stop: (signal: "SIGTERM") => void = () => undefined;
    const { calls, clients } = recording(["weather.csv"], (call) => call.startsWith("download") && stop("SIGTERM"), { "p-dev-landing/weather.csv": source });
    const { code, last } = await run(
      ["extract", "--source", "gs://p-dev-landing/weather.csv", "--dataset", "weather", "--dest", "gs://p-dev-raw/"],
      (s) => ((stop = s), clients),
    );
    expect(code).to.equal(143);
    expect(calls).to.deep.equal(["download p-dev-landing/weather.csv"]);
    expect(String(last.message)).to.match(/^extract: stopped by SIGTERM at a safe point: nothing written yet/);
  });

  it("an https download is cut short by the stop: nothing written, exit 143", async () => {
    const dest = tmp();
    const { code, last } = await run(["extract", "--source", "https://127.0.0.1:9/never-asked.csv", "--dataset", "weather", "--dest", dest], (stop) => {
      stop("SIGTERM"); // before the run: fetch rejects at once, without a connection
      return recording([]).clients;
    });
    expect(code).to.equal(143);
    expect(last.message).to.equal("extract: stopped by SIGTERM at a safe point: nothing written yet; re-run with the same parameters to finish");
    expect(fs.readdirSync(dest)).to.deep.equal([]);
  });

  it("load stops before the next day's load job (each is atomic in BigQuery), exit 143", async () => {
    const objects = ["flights/date=2001-01-01/part-0.parquet", "flights/date=2001-01-02/part-0.parquet", "flights/date=2001-01-03/part-0.parquet"];
    let stop: (signal: "SIGTERM") => void = () => undefined;
    const { calls, clients } = recording(objects, (call) => call.startsWith("load") && stop("SIGTERM"));
    const { code, last } = await run(["load", "--dataset", "flights"], (s) => ((stop = s), clients));
    expect(code).to.equal(143);
    expect(calls).to.deep.equal(["list p-dev-raw/flights/", "load flights$20010101"]);
    expect(last.message).to.equal(
      "load: stopped by SIGTERM at a safe point: loaded 1 of 3 days (2001-01-01) into p.dev_warehouse.flights; the days not reached keep their rows; re-run with the same parameters to finish",
    );
  });

  it("transform stops before the next SQL file, exit 130 on SIGINT", async () => {
    const sqlDir = tmp();
    fs.writeFileSync(path.join(sqlDir, "010_a.sql"), "CREATE OR REPLACE TABLE a AS SELECT 1 AS x");
    fs.writeFileSync(path.join(sqlDir, "020_b.sql"), "CREATE OR REPLACE TABLE b AS SELECT 2 AS x");
    let stop: (signal: "SIGINT") => void = () => undefined;
    const { calls, clients } = recording([], (call) => call.startsWith("query") && stop("SIGINT"));
    const { code, last } = await run(["transform", "--sql-dir", sqlDir], (s) => ((stop = s), clients));
    expect(code).to.equal(130);
    expect(calls).to.deep.equal(["query CREATE OR REPLACE TABLE a AS SELECT 1 AS x"]);
    expect(last.message).to.equal(
      "transform: stopped by SIGINT at a safe point: ran 1 of 2 SQL files (010_a.sql) in p.dev_warehouse; re-run with the same parameters to finish",
    );
  });
});
