import { DuckDBInstance } from "@duckdb/node-api";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main as local } from "../../../cli/src/commands/local";
import { LocalPlan, readLocalPlan } from "../../../cli/src/local/plan";
import { main as job } from "../../../cli/src/commands/job";
import { defaultEndpoints, runLocalJob, runLocalPipeline } from "../../../cli/src/runner/local";
import { buildOverrides } from "../../../cli/src/runner/overrides";
import { LogLine, logLine } from "../../helpers/image-output";

const FLIGHTS = path.join(__dirname, "..", "..", "..", "node_modules", "vega-datasets", "data", "flights-10k.json");

/** The JSON log lines of the local processes (`[<job>/<task>] {...}`). */
function logged(lines: readonly string[]): ({ job: string } & LogLine)[] {
  return lines.flatMap((l) => {
    const m = /^\[([^/\]]+)\/\d+\] (\{.*\})$/.exec(l);
    return m ? [{ job: m[1], ...logLine(m[2]) }] : [];
  });
}

describe("local jobs: the runner's env, args and overrides contract as local processes (npm run job -- --local, npm run local -- pipeline)", function () {
  let plan: LocalPlan;
  before(async function () {
    this.timeout(120_000);
    plan = await readLocalPlan("dev");
  });

  it("reads each job of the plan: command, env of its links, task count, timeout, retries", () => {
    const extract = plan.jobs.find((j) => j.key === "extract")!;
    expect(extract).to.deep.include({
      name: "dev-etl-extract",
      command: ["node", "/app/dist/main.js", "extract"],
      args: [],
      taskCount: 1,
      timeoutSeconds: 3600,
      maxRetries: 1,
      secretEnv: [],
    });
    expect(extract.env).to.deep.equal({
      DATASET_NAME: "flights",
      GOOGLE_CLOUD_PROJECT: "my-pipelines-dev",
      RAW_BUCKET: "my-pipelines-dev-dev-raw",
      STAGING_BUCKET: "my-pipelines-dev-dev-staging",
    });
    expect(plan.jobs.map((j) => j.key).sort()).to.deep.equal(["extract", "load", "transform"]);
  });

  it("run: override args replace the job's, override env merges over the plan's, task count and Cloud Run's task variables reach every task", async function () {
    this.timeout(120_000);
    const lines: string[] = [];
    const endpoints = defaultEndpoints(fs.mkdtempSync(path.join(os.tmpdir(), "local-run-")));
    const overrides = buildOverrides({ args: "--dry-run --year 2001", env: ["SOURCE_URI=data/in.csv", "DATASET_NAME=trips"], tasks: "2" });
    const report = await runLocalJob(
      plan.jobs.find((j) => j.key === "extract")!,
      overrides,
      { endpoints, log: (l) => lines.push(l), executionId: "t1", project: plan },
    );
    expect(report).to.deep.equal({
      job: "dev-etl-extract",
      execution: "dev-etl-extract-local-t1",
      state: "SUCCEEDED",
      taskCount: 2,
      succeeded: 2,
      failed: 0,
      failedTasks: [],
      exitCode: 0,
    });
    const params = logged(lines).map((l) => l.params);
    expect(params).to.have.length(2);
    for (const [index, p] of params.entries()) {
      expect(p).to.deep.include({
        source: "data/in.csv",
        dataset: "trips",
        destination: "gs://my-pipelines-dev-dev-raw/",
        range: { from: "2001-01-01", to: "2001-12-31" },
        task: { index, count: 2 },
      });
    }
  });

  it("run: a failing task is retried the job's maxRetries times, then reported with its exit code", async function () {
    this.timeout(120_000);
    const lines: string[] = [];
    const endpoints = defaultEndpoints(fs.mkdtempSync(path.join(os.tmpdir(), "local-fail-")));
    const overrides = buildOverrides({ env: ["SOURCE_URI=/no/such/file.csv"] });
    const report = await runLocalJob(
      plan.jobs.find((j) => j.key === "extract")!,
      overrides,
      { endpoints, log: (l) => lines.push(l), executionId: "t2", project: plan },
    );
    expect(report).to.deep.include({ state: "FAILED", taskCount: 1, succeeded: 0, failed: 1, failedTasks: [{ index: 0, exitCode: 1 }], exitCode: 1 });
    expect(lines.filter((l) => /^extract: task 0 attempt \d exited with code 1/.test(l))).to.deep.equal([
      "extract: task 0 attempt 0 exited with code 1; retrying",
      "extract: task 0 attempt 1 exited with code 1",
    ]);
  });

  it("pipeline etl: extract, load and transform with one RUN_ID and STAGING_PREFIX, buckets as folders, the warehouse in DuckDB", async function () {
    this.timeout(300_000);
    const lines: string[] = [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "local-etl-"));
    const endpoints = defaultEndpoints(dir);
    const report = await runLocalPipeline(plan, "etl", [`SOURCE_URI=${FLIGHTS}`], { endpoints, log: (l) => lines.push(l), runId: "r1" });
    expect(report.exitCode).to.equal(0);
    expect(report.stagingPrefix).to.equal("gs://my-pipelines-dev-dev-staging/r1/");
    expect(report.steps.map((s) => [s.execution, s.state])).to.deep.equal([
      ["dev-etl-extract-local-r1", "SUCCEEDED"],
      ["dev-etl-load-local-r1", "SUCCEEDED"],
      ["dev-etl-transform-local-r1", "SUCCEEDED"],
    ]);
    const notices = logged(lines).filter((l) => l.severity === "NOTICE");
    expect(notices.map((l) => l.job)).to.deep.equal(["extract", "load", "transform"]);
    expect(notices[0].message).to.match(/^extract: wrote 10000 rows in 90 daily partitions to gs:\/\/my-pipelines-dev-dev-staging\/r1\/flights\//);
    expect(notices[1].message).to.equal(
      "load: loaded 10000 rows into 90 daily partitions of my-pipelines-dev.dev_warehouse.flights from gs://my-pipelines-dev-dev-staging/r1/flights/",
    );
    expect(fs.readdirSync(path.join(endpoints.storeDir, "my-pipelines-dev-dev-staging", "r1", "flights")).filter((d) => d.startsWith("date="))).to.have.length(
      90,
    );
    const db = await DuckDBInstance.create(endpoints.warehouseFile);
    const c = await db.connect();
    const rows = (
      await c.runAndReadAll("SELECT count(*)::INTEGER AS days, sum(flights)::INTEGER AS flights FROM dev_warehouse.daily_summary")
    ).getRowObjectsJson();
    c.closeSync();
    db.closeSync();
    expect(rows).to.deep.equal([{ days: 4982, flights: 10000 }]);
  });

  it("npm run local -- pipeline: the jobs' JSON log lines stay JSON when stderr is not a terminal, and read as `HH:MM:SS SEVERITY message` on one", async function () {
    this.timeout(120_000);
    const failed = "extract failed: cannot read /no/such/file.csv: no such file or folder";
    const run = async (isTTY: boolean) => {
      let err = "";
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "local-lines-"));
      // A source that does not exist: extract fails at once, twice (the job's one retry), logging why.
      const code = await local(["--dir", dir, "pipeline", "etl", "--env", "SOURCE_URI=/no/such/file.csv"], {
        out: () => undefined,
        err: (t) => void (err += t),
        isTTY,
        env: {},
        onInterrupt: () => () => undefined,
      });
      expect(code).to.equal(1);
      return err.split("\n");
    };
    const json = (await run(false)).filter((l) => l.startsWith("[extract/0] "));
    expect(json.map((l) => logLine(l.slice("[extract/0] ".length))).map((l) => [l.severity, l.message])).to.deep.equal([
      ["ERROR", failed],
      ["ERROR", failed],
    ]);
    const readable = await run(true);
    const lines = readable.flatMap((l, i) => (l.startsWith("[extract/0] ") ? [[l, readable[i + 1]]] : []));
    expect(lines).to.have.length(2);
    for (const [line, next] of lines) {
      expect(line).to.match(new RegExp(`^\\[extract/0\\] \\d\\d:\\d\\d:\\d\\d ERROR {3}${failed.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`));
      expect(next).to.equal("    err: {"); // the error, its stack beneath, not the JSON of stack_trace on the same line
    }
    // npm run job -- --local: the same readable lines on a terminal, as the runner's --logs shows them.
    let jobErr = "";
    const jobIo = { out: () => undefined, err: (t: string) => void (jobErr += t), isTTY: true, env: {}, onInterrupt: () => () => undefined };
    expect(await job(["--local", "run", "extract", "--env", "SOURCE_URI=/no/such/file.csv"], jobIo)).to.equal(1);
    const jobLines = jobErr.split("\n").filter((l) => l.startsWith("[extract/0] "));
    expect(jobLines.map((l) => /^\[extract\/0\] \d\d:\d\d:\d\d ERROR {3}extract failed: /.test(l))).to.deep.equal([true, true]);
  });

  it("npm run job -- --local run and npm run local -- pipeline name what is wrong, before running anything", async function () {
    this.timeout(120_000);
    let err = "";
    const io = { out: () => undefined, err: (t: string) => void (err += t), isTTY: false, env: {}, onInterrupt: () => () => undefined };
    expect(await job(["--local", "run", "nope"], io)).to.equal(2);
    expect(err).to.equal('error: unknown job "nope": the stack has extract, load, transform\n');
    err = "";
    expect(await local(["pipeline", "scoring"], io)).to.equal(2);
    expect(err).to.equal('error: unknown pipeline "scoring": the stack has etl\n');
    err = "";
    expect(await local(["up", "etl"], io)).to.equal(2);
    expect(err).to.equal('error: unknown pipeline "etl": up runs scoring, streaming; the ETL runs with: npm run local -- pipeline etl\n');
  });
});
