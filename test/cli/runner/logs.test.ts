import * as grpc from "@grpc/grpc-js";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DEFAULT_TIMING, Timing } from "../../../cli/src/runner/timing";
import { runCli } from "../../helpers/cli";
import { FakeCloudRun } from "../../../tools/fake-cloud-run";
import { FakeLogging } from "../../helpers/fake-logging";

const JOB = (step: string) => `projects/my-pipelines-dev/locations/europe-west1/jobs/dev-etl-${step}`;
const OUTPUTS = {
  jobs: Object.fromEntries(
    ["extract", "load", "transform"].map((s) => [s, { name: JOB(s), jobName: `dev-etl-${s}`, region: "europe-west1", project: "my-pipelines-dev" }]),
  ),
  pipelines: { etl: { steps: ["extract", "load", "transform"], stagingBucket: "my-pipelines-dev-dev-staging" } },
};
/** Resolves when `check()` holds, re-checking on every turn of the event loop (no timers). */
const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setImmediate(r));
};
const POLL_MS = 5;
const RETRY_MS = 7;

describe("runner --logs: an execution's log lines on stderr, against a local Logging API", () => {
  let run: FakeCloudRun;
  let logs: FakeLogging;
  let outputsFile: string;
  before(() => {
    process.env.METADATA_SERVER_DETECTION = "none";
    outputsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "runner-logs-")), "outputs.json");
    fs.writeFileSync(outputsFile, JSON.stringify(OUTPUTS));
  });
  beforeEach(async () => {
    run = new FakeCloudRun();
    logs = new FakeLogging();
    await Promise.all([run.start(), logs.start()]);
  });
  afterEach(() => Promise.all([run.stop(), logs.stop()]));

  /**
   * Runs the CLI in-process. Time is the runner's own waits: each poll sleep, or each WaitOperation the fake
   * answers, plays the next step of `polls`; the grace sleep plays `grace`; other sleeps (retry, list interval)
   * pass at once.
   */
  function cli(args: string[], polls: ((err: () => string) => Promise<void>)[], grace?: (err: () => string) => Promise<void>, isTTY = false) {
    const steps = [...polls];
    let stderr = () => "";
    run.onWaitOperation = async () => steps.shift()?.(stderr);
    const timing = (err: () => string): Timing => {
      stderr = err;
      return {
        ...DEFAULT_TIMING,
        pollMs: { first: POLL_MS, factor: 1, max: POLL_MS },
        retryMs: RETRY_MS,
        sleep: async (ms) => {
          if (ms === POLL_MS) await steps.shift()?.(err);
          else if (ms === 5000 && grace) await grace(err);
          else await new Promise((r) => setImmediate(r));
        },
      };
    };
    return runCli(args, { outputsFile, env: { CLOUD_RUN_EMULATOR_HOST: run.host, CLOUD_LOGGING_EMULATOR_HOST: logs.host }, timing, isTTY });
  }
  const logLines = (err: string) => err.split("\n").filter((l) => /^\[(\w+ )?task \d+\] /.test(l));
  /** The log lines (JSON when stderr is not a terminal) as `[<label>] <severity> <message>`. */
  const briefLines = (err: string) =>
    logLines(err).map((l) => {
      const [, label, json] = /^(\[[^\]]+\]) (\{.*\})$/.exec(l) ?? ["", l, "{}"];
      const { severity, message } = JSON.parse(json) as { severity?: string; message?: string };
      return `${label} ${severity} ${message}`;
    });

  it("streams the lines in order, each once, with task index; not on a terminal, each as one JSON object (time, severity, the structured payload's fields or the text as message); late lines still appear; --json unchanged", async () => {
    const exec = "dev-etl-extract-00001";
    run.scripts.set("*", { ticks: 2 });
    const { code, out, err } = await cli(
      ["--json", "run", "extract", "--logs"],
      [
        async (e) => {
          await logs.tailOpened();
          logs.write(exec, 0, "reading 2021-03");
          logs.write(exec, 1, { message: "wrote 120 rows", severity: "INFO", rows: 120 }, { severity: "INFO" });
          await until(() => e().includes("wrote 120 rows"));
        },
        async (e) => {
          logs.write(exec, 1, { rows: 3 }, { severity: "WARNING" });
          await until(() => e().includes('"rows":3}'));
        },
      ],
      async (e) => {
        // After the end: one line through the tail, one that only the index has (read by the last list).
        logs.write(exec, 0, "flushed", { severity: "NOTICE" });
        await until(() => e().includes("flushed"));
        logs.write(exec, 0, "exit 0", { tail: false });
      },
    );
    expect(code).to.equal(0);
    expect(logLines(err)).to.deep.equal([
      '[task 0] {"timestamp":"2026-12-02T01:00:01.000000000Z","severity":"DEFAULT","message":"reading 2021-03"}',
      '[task 1] {"timestamp":"2026-12-02T01:00:02.000000000Z","severity":"INFO","message":"wrote 120 rows","rows":120}',
      '[task 1] {"timestamp":"2026-12-02T01:00:03.000000000Z","severity":"WARNING","rows":3}',
      '[task 0] {"timestamp":"2026-12-02T01:00:04.000000000Z","severity":"NOTICE","message":"flushed"}',
      '[task 0] {"timestamp":"2026-12-02T01:00:05.000000000Z","severity":"DEFAULT","message":"exit 0"}',
    ]);
    expect(logs.calls("TailLogEntries")).to.deep.equal([
      {
        resourceNames: ["projects/my-pipelines-dev"],
        filter: `resource.type = "cloud_run_job" AND resource.labels.job_name = "dev-etl-extract" AND resource.labels.location = "europe-west1" AND labels."run.googleapis.com/execution_name" = "${exec}" AND NOT LOG_ID("run.googleapis.com/varlog/system")`,
      },
    ]);
    expect(JSON.parse(out)).to.deep.include({ state: "SUCCEEDED", exitCode: 0 });
    expect(out.trim().startsWith("{") && out.trim().endsWith("}")).to.equal(true);
  });

  it("on a terminal, the same lines readable: `HH:MM:SS SEVERITY message {other fields}` in local time (pino-pretty)", async () => {
    const tz = process.env.TZ;
    process.env.TZ = "Asia/Kolkata"; // UTC+05:30, no daylight saving time: the clock shown is local, not UTC
    try {
      const exec = "dev-etl-extract-00001";
      run.scripts.set("*", { ticks: 1 });
      const { code, err } = await cli(
        ["run", "extract", "--logs"],
        [
          async (e) => {
            await logs.tailOpened();
            logs.write(exec, 0, "reading 2021-03");
            logs.write(exec, 1, { message: "wrote 120 rows", rows: 120, "logging.googleapis.com/labels": { run_id: "r1" } }, { severity: "INFO" });
            logs.write(exec, 1, { rows: 3 }, { severity: "WARNING" });
            await until(() => e().includes("WARNING"));
          },
        ],
        undefined,
        true,
      );
      expect(code).to.equal(0);
      expect(logLines(err)).to.deep.equal([
        "[task 0] 06:30:01 DEFAULT reading 2021-03",
        '[task 1] 06:30:02 INFO    wrote 120 rows {"rows":120}',
        '[task 1] 06:30:03 WARNING {"rows":3}',
      ]);
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it("a tail that drops: the missed lines are listed since the last one, the tail reopens, nothing printed twice", async () => {
    const exec = "dev-etl-extract-00001";
    run.scripts.set("*", { ticks: 1 });
    logs.dropAfter = 2;
    const { code, err } = await cli(
      ["run", "extract", "--logs"],
      [
        async (e) => {
          await logs.tailOpened();
          logs.write(exec, 0, "one");
          logs.write(exec, 0, "two"); // the tail drops after this one
          await until(() => e().includes("two"));
          logs.write(exec, 0, "three"); // while no tail is open
          await logs.tailOpened(2);
          await until(() => e().includes("three"));
          logs.write(exec, 0, "four");
          await until(() => e().includes("four"));
        },
      ],
    );
    expect(code).to.equal(0);
    expect(briefLines(err)).to.deep.equal(["[task 0] DEFAULT one", "[task 0] DEFAULT two", "[task 0] DEFAULT three", "[task 0] DEFAULT four"]);
    expect(logs.calls("TailLogEntries")).to.have.length(2);
    expect(String(logs.calls("ListLogEntries")[0].filter)).to.match(/ AND timestamp >= "2026-12-02T01:00:02\.000000000Z"$/);
    expect(logs.calls("ListLogEntries")[0]).to.deep.include({ resourceNames: ["projects/my-pipelines-dev"], orderBy: "timestamp asc" });
  });

  it("permission denied on logs (tail and list): one warning, and the run completes", async () => {
    run.scripts.set("*", { ticks: 2 });
    logs.denied = true;
    const { code, err } = await cli(["run", "extract", "--logs"], [async (e) => until(() => e().includes("warning"))]);
    expect(code).to.equal(0);
    expect(err.match(/warning/g)).to.have.length(1);
    expect(err).to.include(
      "warning: cannot read the execution's logs: PERMISSION_DENIED: Permission 'logging.views.access' denied (ask for roles/logging.viewAccessor on the stack's log view: docs/runner.md); the run goes on without them\n",
    );
    expect(err).to.include("succeeded: 1/1 tasks");
    // The denied tail falls back to listing, which is denied too: one list, then nothing more.
    expect(logs.calls("TailLogEntries")).to.have.length(1);
    expect(logs.calls("ListLogEntries")).to.have.length(1);
  });

  it("the tail denied (roles/logging.viewAccessor lacks logging.logEntries.list): the view's entries are listed instead, each once, no warning", async () => {
    const exec = "dev-etl-extract-00001";
    run.scripts.set("*", { ticks: 2 });
    logs.tailErrors = [grpc.status.PERMISSION_DENIED];
    const { code, err } = await cli(
      ["run", "extract", "--logs"],
      [
        async (e) => {
          logs.write(exec, 0, "reading 2021-03");
          await until(() => e().includes("reading 2021-03"));
        },
        async (e) => {
          logs.write(exec, 1, "wrote 120 rows", { severity: "INFO" });
          await until(() => e().includes("wrote 120 rows"));
        },
      ],
    );
    expect(code).to.equal(0);
    expect(briefLines(err)).to.deep.equal(["[task 0] DEFAULT reading 2021-03", "[task 1] INFO wrote 120 rows"]);
    expect(err).to.not.include("warning");
    expect(logs.calls("TailLogEntries")).to.have.length(1);
    expect(logs.calls("ListLogEntries").length).to.be.greaterThan(1);
  });

  it("where tail is unavailable, entries are listed instead, each once", async () => {
    const exec = "dev-etl-load-00001";
    run.scripts.set("*", { ticks: 2 });
    logs.tailErrors = [grpc.status.UNIMPLEMENTED];
    const { code, err } = await cli(
      ["run", "load", "--logs"],
      [
        async (e) => {
          logs.write(exec, 0, "a");
          await until(() => e().includes('"message":"a"}'));
        },
        async (e) => {
          logs.write(exec, 0, "b");
          await until(() => e().includes('"message":"b"}'));
        },
      ],
    );
    expect(code).to.equal(0);
    expect(briefLines(err)).to.deep.equal(["[task 0] DEFAULT a", "[task 0] DEFAULT b"]);
    expect(logs.calls("TailLogEntries")).to.have.length(1);
  });

  it("pipeline --logs: every line names its step", async () => {
    run.scripts.set("*", { ticks: 1 });
    const { code, err } = await cli(
      ["pipeline", "etl", "--logs"],
      ["extract", "load", "transform"].map((step, i) => async (e: () => string) => {
        await logs.tailOpened(i + 1);
        logs.write(`dev-etl-${step}-0000${i + 1}`, 0, `${step} done`, { severity: "INFO" });
        await until(() => e().includes(`${step} done`));
      }),
    );
    expect(code).to.equal(0);
    expect(briefLines(err)).to.deep.equal(["[extract task 0] INFO extract done", "[load task 0] INFO load done", "[transform task 0] INFO transform done"]);
    const runId = /pipeline etl: run (\S+),/.exec(err)![1];
    const filter = `resource.type = "cloud_run_job" AND labels.run_id = "${runId}"`;
    expect(err).to.include(
      `logs of run ${runId}: ${filter}\n  https://console.cloud.google.com/logs/query;query=${encodeURIComponent(filter)}?project=my-pipelines-dev\n`,
    );
  });
});
