import * as grpc from "@grpc/grpc-js";
import { expect } from "chai";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../../cli/src/commands/job";
import { createClients } from "../../../cli/src/runner/client";
import { Execution } from "../../../cli/src/runner/api";
import { DEFAULT_TIMING, Timing } from "../../../cli/src/runner/timing";
import { waitOperation } from "../../../cli/src/runner/wait";
import { FAST_TIMING, jsonReport, runCli } from "../../helpers/cli";
import { planOf } from "../../helpers/plan";
import { PipelineReport } from "../../../cli/src/runner/pipeline";
import { RunReport } from "../../../cli/src/runner/run";
import { FakeCloudRun } from "../../../tools/fake-cloud-run";
import { RUN_TS } from "../../../tools/run-ts";

const ROOT = path.join(__dirname, "..", "..", "..");
const JOB = (step: string) => `projects/my-pipelines-dev/locations/europe-west1/jobs/dev-etl-${step}`;
describe("runner: Cloud Run jobs with runtime parameters, against a local Admin API", () => {
  let fake: FakeCloudRun;
  let outputsFile: string;
  before(async () => {
    process.env.METADATA_SERVER_DETECTION = "none";
    // The contract between the stack and the runner: the real dev stack's outputs, as `npm run preview -- --outputs` writes them.
    outputsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "runner-")), "outputs.json");
    fs.writeFileSync(outputsFile, JSON.stringify((await planOf("dev")).outputs));
  });
  beforeEach(async () => {
    fake = new FakeCloudRun();
    await fake.start();
  });
  afterEach(() => fake.stop());

  const cli = (args: string[], interruptAfter?: string, timing?: Timing) =>
    runCli(args, { outputsFile, env: { CLOUD_RUN_EMULATOR_HOST: fake.host }, interruptAfter, timing });

  it("no override flags: the RunJob request has no overrides field at all (overrides need an extra permission)", async () => {
    const { code, err } = await cli(["run", "extract"]);
    expect(code).to.equal(0);
    expect(fake.calls("RunJob")).to.deep.equal([{ name: JOB("extract") }]);
    expect(fake.requests.find((r) => r.method === "RunJob")!.metadata["x-goog-request-params"]).to.include("location=europe-west1");
    expect(err).to.match(/started execution projects\/my-pipelines-dev\/locations\/europe-west1\/jobs\/dev-etl-extract\/executions\/dev-etl-extract-00001\n/);
    expect(err).to.include("logs:    https://console.cloud.google.com/logs/viewer?execution=dev-etl-extract-00001\n");
    expect(err).to.include(
      "console: https://console.cloud.google.com/run/jobs/executions/details/europe-west1/dev-etl-extract-00001?project=my-pipelines-dev\n",
    );
    expect(err).to.include("succeeded: 1/1 tasks");
  });

  it("every override flag: args replace, env merges, task count and per-task timeout", async () => {
    const { code } = await cli(["run", "extract", "--args", "--year 2021 --month '3'", "--env", "A=1", "--env", "B=x=y", "--tasks", "4", "--timeout", "1h30m"]);
    expect(code).to.equal(0);
    expect(fake.calls("RunJob")).to.deep.equal([
      {
        name: JOB("extract"),
        overrides: {
          containerOverrides: [
            {
              args: ["--year", "2021", "--month", "3"],
              env: [
                { name: "A", value: "1" },
                { name: "B", value: "x=y" },
              ],
            },
          ],
          taskCount: 4,
          timeout: { seconds: "5400" },
        },
      },
    ]);
  });

  it('--arg one at a time; --args "" clears the job\'s args; env alone sends only env', async () => {
    await cli(["run", "load", "--arg", "--table", "--arg", "flights raw"]);
    await cli(["run", "load", "--args", ""]);
    await cli(["run", "load", "--env", "DATE_FROM=2021-03-01"]);
    expect(fake.calls("RunJob").map((r) => r.overrides)).to.deep.equal([
      { containerOverrides: [{ args: ["--table", "flights raw"] }] },
      { containerOverrides: [{ clearArgs: true }] },
      { containerOverrides: [{ env: [{ name: "DATE_FROM", value: "2021-03-01" }] }] },
    ]);
  });

  it("--args is split like a shell but never expanded: $RUN_ID stays literal, quotes group, a quoted glob is text", async () => {
    const { code } = await cli(["run", "extract", "--args", `--run $RUN_ID --name "a b" '*.csv' \${HOME}`]);
    expect(code).to.equal(0);
    expect(fake.calls("RunJob").map((r) => r.overrides)).to.deep.equal([
      { containerOverrides: [{ args: ["--run", "$RUN_ID", "--name", "a b", "*.csv", "${HOME}"] }] },
    ]);
  });

  it("pipeline --allow-env-override: the given RUN_ID replaces the pipeline's, and the staging prefix follows it", async () => {
    const { code, out } = await cli(["--json", "pipeline", "etl", "--allow-env-override", "--env", "RUN_ID=resume-1"]);
    expect(code).to.equal(0);
    const env = [
      { name: "RUN_ID", value: "resume-1" },
      { name: "STAGING_PREFIX", value: "gs://my-pipelines-dev-dev-staging/resume-1/" },
    ];
    expect(fake.calls("RunJob").map((r) => r.overrides)).to.deep.equal([0, 1, 2].map(() => ({ containerOverrides: [{ env }] })));
    expect(JSON.parse(out)).to.deep.include({ runId: "resume-1", stagingPrefix: "gs://my-pipelines-dev-dev-staging/resume-1/" });
  });

  it("a failed task: exit 1, the task named with its exit code, and one JSON document on stdout", async () => {
    fake.scripts.set("dev-etl-load", { tasks: 3, failedTasks: { 1: 137 } });
    const { code, out, err } = await cli(["--json", "run", "load"]);
    expect(code).to.equal(1);
    expect(err).to.include("failed: 2/3 tasks succeeded\n  task 1: exit code 137 (The container exited with an error.)\n");
    const doc = jsonReport<RunReport>(out);
    expect(doc).to.deep.include({
      job: JOB("load"),
      execution: `${JOB("load")}/executions/dev-etl-load-00001`,
      state: "FAILED",
      adopted: false,
      taskCount: 3,
      succeeded: 2,
      failed: 1,
      cancelled: 0,
      exitCode: 1,
    });
    expect(doc.failedTasks).to.deep.equal([{ index: 1, exitCode: 137, message: "The container exited with an error." }]);
    expect(doc.durationSeconds).to.be.a("number");
    expect(out.trim().split("\n")[0]).to.equal("{");
  });

  it("a cancelled execution is a failure, though its operation ends without an error", async () => {
    fake.scripts.set("dev-etl-load", { tasks: 2, cancelled: true });
    const { code, out } = await cli(["--json", "run", "load"]);
    expect(code).to.equal(1);
    expect(JSON.parse(out)).to.deep.include({ state: "CANCELLED", cancelled: 2, succeeded: 0 });
  });

  // A fake clock that only the runner's sleeps move: the delays are exact, whatever the machine's speed.
  const fakeClock = () => {
    let clock = 0;
    const delays: number[] = [];
    const timing: Timing = { ...DEFAULT_TIMING, now: () => clock, sleep: async (ms) => void (delays.push(ms), (clock += ms)) };
    return { timing, delays };
  };
  const reads = () => fake.requests.map((r) => r.method).filter((m) => m !== "RunJob");
  const OPERATION = "projects/my-pipelines-dev/locations/europe-west1/operations/dev-etl-extract-00001";
  const NOTE = /note: cannot wait on the operation/g;

  it("prompt exit on a first run: WaitOperation on RunJob's operation answers when the execution ends (4 reads, no sleep)", async () => {
    const { timing, delays } = fakeClock();
    // Two ticks: a 60 s execution is two 30 s WaitOperations, the second answered (done) when it ends.
    fake.scripts.set("*", { ticks: 2 });
    const { code, err } = await cli(["run", "extract"], undefined, timing);
    expect(code).to.equal(0);
    expect(delays).to.deep.equal([]);
    expect(reads()).to.deep.equal(["GetExecution", "WaitOperation", "WaitOperation", "GetExecution"]);
    expect(fake.calls("WaitOperation")).to.deep.equal([0, 1].map(() => ({ name: OPERATION, timeout: { seconds: "30", nanos: 0 } })));
    expect(fake.requests.find((r) => r.method === "WaitOperation")!.metadata["x-goog-request-params"]).to.equal(`name=${encodeURIComponent(OPERATION)}`);
    expect(err).to.include("tasks: 1 running, 0 succeeded, 0 failed, 1 total\n");
    expect(err).to.include("succeeded: 1/1 tasks");
    expect(err).not.to.match(NOTE);
  });

  it("waitOperation: each answer's metadata (the Execution) is the progress; it ends when the operation is done", async () => {
    fake.scripts.set("*", { ticks: 2, tasks: 3 });
    const clients = createClients({ CLOUD_RUN_EMULATOR_HOST: fake.host });
    const [operation] = await clients.jobs.runJob({ name: JOB("extract") });
    const seen: Execution[] = [];
    const end = await waitOperation(clients.operations!, operation.name!, DEFAULT_TIMING, (e) => seen.push(e), {
      stopped: () => false,
      woken: new Promise(() => undefined),
    });
    expect(end).to.deep.equal({ end: "done" });
    expect(seen.map((e) => [e.name, e.runningCount, e.succeededCount, e.conditions?.[0]?.state])).to.deep.equal([
      [`${JOB("extract")}/executions/dev-etl-extract-00001`, 3, 0, "CONDITION_RECONCILING"],
      [`${JOB("extract")}/executions/dev-etl-extract-00001`, 3, 0, "CONDITION_RECONCILING"],
      [`${JOB("extract")}/executions/dev-etl-extract-00001`, 0, 3, "CONDITION_SUCCEEDED"],
    ]);
    expect(reads()).to.deep.equal(["WaitOperation", "WaitOperation", "WaitOperation"]);
  });

  it("WaitOperation denied (no run.operations.get on the project): one note, then the job's history puts a read right at the expected end", async () => {
    const { timing, delays } = fakeClock();
    fake.seedHistory(JOB("extract"), [58_000, 60_000, 75_000]);
    fake.scripts.set("*", { ticks: 8, waitOperationError: grpc.status.PERMISSION_DENIED });
    const { code, err } = await cli(["run", "extract"], undefined, timing);
    expect(code).to.equal(0);
    expect(err.match(NOTE)).to.have.length(1);
    expect(err).to.include(
      `note: cannot wait on the operation (WaitOperation PERMISSION_DENIED: scripted WaitOperation error PERMISSION_DENIED); polling the execution instead`,
    );
    expect(delays).to.deep.equal([2000, 3000, 4500, 6750, 10125, 15000, 15000, 3625]);
    expect(fake.calls("ListExecutions")).to.deep.equal([{ parent: JOB("extract"), pageSize: 10 }]);
    expect(reads()).to.deep.equal(["GetExecution", "WaitOperation", "ListExecutions", ...Array<string>(8).fill("GetExecution")]);
  });

  it("WaitOperation UNIMPLEMENTED on a first run: one note, then polls growing by 1.5x from 2 s to 15 s", async () => {
    const { timing, delays } = fakeClock();
    fake.scripts.set("*", { ticks: 8, waitOperationError: grpc.status.UNIMPLEMENTED });
    const { code, err } = await cli(["run", "extract"], undefined, timing);
    expect(code).to.equal(0);
    expect(err.match(NOTE)).to.have.length(1);
    expect(delays).to.deep.equal([2000, 3000, 4500, 6750, 10125, 15000, 15000, 15000]);
    expect(reads()).to.deep.equal(["GetExecution", "WaitOperation", "ListExecutions", ...Array<string>(8).fill("GetExecution")]);
  });

  it("pipeline, WaitOperation denied: one note for the whole run, and the later steps poll without trying it again", async () => {
    fake.scripts.set("*", { waitOperationError: grpc.status.PERMISSION_DENIED });
    const { code, err } = await cli(["pipeline", "etl"]);
    expect(code).to.equal(0);
    expect(err.match(NOTE)).to.have.length(1);
    expect(fake.calls("WaitOperation")).to.have.length(1);
    expect(fake.calls("RunJob")).to.have.length(3);
  });

  it("Ctrl-C while a WaitOperation is unanswered: the runner stops waiting at once, cancels the execution, exits 130", async () => {
    let interrupt = () => undefined as void;
    let release = () => undefined as void;
    const unanswered = new Promise<void>((resolve) => (release = resolve));
    // The fake holds the first WaitOperation until the end of the test; Ctrl-C comes while it is held.
    fake.onWaitOperation = async () => {
      interrupt();
      await unanswered;
    };
    fake.scripts.set("*", { ticks: 2 });
    let err = "";
    const env = { CLOUD_RUN_EMULATOR_HOST: fake.host };
    const code = await main(["--outputs", outputsFile, "run", "extract"], {
      out: () => undefined,
      err: (t) => (err += t),
      isTTY: false,
      env,
      clients: createClients(env),
      timing: FAST_TIMING,
      onInterrupt: (h) => ((interrupt = h), () => (interrupt = () => undefined)),
    });
    release();
    expect(code).to.equal(130);
    expect(reads()).to.deep.equal(["GetExecution", "WaitOperation", "CancelExecution"]);
    expect(err).to.include("interrupted: cancelling");
  });

  it("reads are retried on transient errors; the execution itself is polled until it completes", async () => {
    fake.scripts.set("*", { ticks: 3, getExecutionErrors: [grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.RESOURCE_EXHAUSTED] });
    const { code } = await cli(["run", "transform"]);
    expect(code).to.equal(0);
    // The first read, tried 4 times; the waits on the operation until it is done; the final read.
    expect(reads()).to.deep.equal([...Array<string>(4).fill("GetExecution"), ...Array<string>(3).fill("WaitOperation"), "GetExecution"]);
    expect(fake.calls("RunJob")).to.have.length(1);
  });

  it("RunJob is never retried blindly: UNAVAILABLE before anything was created exits 3 saying so", async () => {
    fake.scripts.set("*", { runJobErrors: [grpc.status.UNAVAILABLE] });
    const { code, err } = await cli(["run", "extract"]);
    expect(code).to.equal(3);
    expect(fake.calls("RunJob")).to.have.length(1);
    expect(fake.calls("ListExecutions")).to.deep.equal([{ parent: JOB("extract"), pageSize: 10 }]);
    expect(err).to.include("no execution was created, so it is safe to run again");
  });

  it("an ambiguous RunJob error after the execution was created: the runner finds it and adopts it", async () => {
    fake.scripts.set("*", { runJobFailsAfterCreate: grpc.status.DEADLINE_EXCEEDED });
    const { code, out, err } = await cli(["--json", "run", "extract"]);
    expect(code).to.equal(0);
    expect(fake.calls("RunJob")).to.have.length(1);
    expect(err).to.include(`adopted execution (RunJob failed after creating it) ${JOB("extract")}/executions/dev-etl-extract-00001`);
    expect(JSON.parse(out)).to.deep.include({ adopted: true, state: "SUCCEEDED" });
    // The failed RunJob returned no operation name: the runner polls the adopted execution.
    expect(fake.calls("WaitOperation")).to.deep.equal([]);
  });

  it("permission denied or an unknown job at the API: exit 3 with the API's message and the role to ask for", async () => {
    fake.scripts.set("*", { runJobErrors: [grpc.status.PERMISSION_DENIED] });
    const denied = await cli(["run", "extract", "--tasks", "2"]);
    expect(denied.code).to.equal(3);
    expect(denied.err).to.include("PERMISSION_DENIED");
    expect(denied.err).to.include("ask for roles/run.jobsExecutorWithOverrides (overrides need run.jobs.runWithOverrides) and roles/run.viewer on the job");
    fake.jobs.delete("dev-etl-load");
    const missing = await cli(["run", "load"]);
    expect(missing.code).to.equal(3);
    expect(missing.err).to.include("NOT_FOUND");
  });

  it("Ctrl-C cancels the execution and exits 130", async () => {
    fake.scripts.set("*", { ticks: 1000 });
    const { code, err } = await cli(["run", "extract"], "started execution");
    expect(code).to.equal(130);
    expect(fake.calls("CancelExecution")).to.deep.equal([{ name: `${JOB("extract")}/executions/dev-etl-extract-00001` }]);
    expect(err).to.include("interrupted: cancelling");
  });

  it("--detach returns as soon as the execution has started", async () => {
    fake.scripts.set("*", { ticks: 1000 });
    const { code, out } = await cli(["--json", "run", "extract", "--detach"]);
    expect(code).to.equal(0);
    expect(JSON.parse(out)).to.deep.include({ state: "STARTED", exitCode: 0 });
    expect(fake.calls("GetExecution")).to.have.length(1);
  });

  const badInputs: [string, string[], string][] = [
    ["an unknown job", ["run", "extrct"], 'unknown job "extrct": the stack has extract, load, transform'],
    ["--env without =", ["run", "extract", "--env", "YEAR"], '--env "YEAR": expected KEY=VALUE'],
    ["a negative task count", ["run", "extract", "--tasks", "-1"], '--tasks "-1": expected a whole number from 1 to 10000'],
    ["too many tasks", ["run", "extract", "--tasks", "10001"], '--tasks "10001"'],
    ["an unparsable timeout", ["run", "extract", "--timeout", "5x"], '--timeout "5x": expected a duration from 1s to 168h'],
    ["a timeout over 168 hours", ["run", "extract", "--timeout", "169h"], '--timeout "169h"'],
    ["--args and --arg", ["run", "extract", "--args", "a", "--arg", "b"], "--args and --arg: give the argument list one way, not both"],
    ["shell operators in --args", ["run", "extract", "--args", "a | b"], "expected plain arguments"],
    ["an unknown pipeline", ["pipeline", "nightly"], 'unknown pipeline "nightly": the stack has etl'],
    ["an unknown flag", ["run", "extract", "--task", "2"], ""],
    [
      "an unbalanced quote in --args",
      ["run", "extract", "--args", '--name "abc'],
      '--args "--name \\"abc": the " at character 8 is never closed; close every quote',
    ],
    ["an apostrophe left open in --args", ["run", "extract", "--args", "it's"], "--args \"it's\": the ' at character 3 is never closed"],
    ["an unquoted glob in --args", ["run", "extract", "--args", "--files *.csv"], "expected plain arguments, without shell operators, globs or comments"],
    [
      "a variable Cloud Run sets (CLOUD_RUN_TASK_INDEX)",
      ["run", "extract", "--env", "CLOUD_RUN_TASK_INDEX=3"],
      '--env "CLOUD_RUN_TASK_INDEX=3": CLOUD_RUN_TASK_INDEX is set by Cloud Run itself and cannot be overridden',
    ],
    ["a variable Cloud Run sets (PORT)", ["run", "extract", "--env", "PORT=8080"], "PORT is set by Cloud Run itself"],
    ["a variable Cloud Run sets (CLOUD_RUN_JOB)", ["pipeline", "etl", "--env", "CLOUD_RUN_JOB=x"], "CLOUD_RUN_JOB is set by Cloud Run itself"],
    [
      "more variables than Cloud Run takes (1,000)",
      ["run", "extract", ...Array.from({ length: 1001 }, (_, i) => ["--env", `V${i}=x`]).flat()],
      "--env: 1001 variables; Cloud Run takes at most 1000 per container",
    ],
    ["the same variable twice", ["run", "extract", "--env", "A=1", "--env", "A=2"], '--env "A=2": A is given twice; give each variable once'],
    ["a job key that is not an own key of the stack's jobs", ["run", "toString"], 'unknown job "toString": the stack has extract, load, transform'],
    ["a pipeline key that is not an own key", ["pipeline", "constructor"], 'unknown pipeline "constructor": the stack has etl'],
    [
      "RUN_ID in a pipeline's --env",
      ["pipeline", "etl", "--env", "RUN_ID=r1"],
      "--env RUN_ID: the pipeline sets this itself for every step; to replace it (e.g. to resume a run), add --allow-env-override",
    ],
    [
      "STAGING_PREFIX in a pipeline's --env",
      ["pipeline", "etl", "--env", "STAGING_PREFIX=gs://b/x/", "--env", "RUN_ID=r1"],
      "--env RUN_ID, STAGING_PREFIX: the pipeline sets these itself",
    ],
  ];
  for (const [what, args, message] of badInputs) {
    it(`bad input (${what}): exit 2 with a message naming the flag, before any API call`, async () => {
      const { code, err } = await cli(args);
      expect(code).to.equal(2);
      expect(err).to.include(message);
      expect(fake.requests).to.deep.equal([]);
    });
  }

  it("a missing outputs file: exit 2, saying how to write one", async () => {
    let err = "";
    const code = await main(["--outputs", "/nonexistent.json", "run", "extract"], {
      out: () => undefined,
      err: (t) => (err += t),
      isTTY: false,
      env: {},
      onInterrupt: () => () => undefined,
    });
    expect(code).to.equal(2);
    expect(err).to.include("--outputs: no such file /nonexistent.json (write one with: npm run preview -- --stack dev --outputs /nonexistent.json)");
  });

  it("pipeline: extract, load, transform in order, each with the same run id and staging prefix", async () => {
    const { code, out } = await cli(["--json", "pipeline", "etl", "--env", "DATASET_NAME=flights"]);
    expect(code).to.equal(0);
    const doc = jsonReport<PipelineReport>(out);
    expect(doc.runId).to.match(/^\d{8}t\d{6}z-[0-9a-f]{4}$/);
    expect(doc.stagingPrefix).to.equal(`gs://my-pipelines-dev-dev-staging/${doc.runId}/`);
    const env = [
      { name: "DATASET_NAME", value: "flights" },
      { name: "RUN_ID", value: doc.runId },
      { name: "STAGING_PREFIX", value: doc.stagingPrefix },
    ];
    expect(fake.calls("RunJob")).to.deep.equal(["extract", "load", "transform"].map((s) => ({ name: JOB(s), overrides: { containerOverrides: [{ env }] } })));
    expect(doc.steps.map((s) => s.state)).to.deep.equal(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);
  });

  it("pipeline stops at the first failed step", async () => {
    fake.scripts.set("dev-etl-load", { failedTasks: { 0: 1 } });
    const { code, err } = await cli(["pipeline", "etl"]);
    expect(code).to.equal(1);
    expect(fake.calls("RunJob").map((r) => String(r.name).split("/").pop())).to.deep.equal(["dev-etl-extract", "dev-etl-load"]);
    expect(err).to.include("pipeline etl stopped at load; 1 steps not run");
  });

  it("status, list and cancel", async () => {
    await cli(["run", "extract"]);
    await cli(["run", "extract", "--tasks", "2"]);
    const status = await cli(["--json", "status", "dev-etl-extract-00002"]);
    expect(status.code).to.equal(0);
    expect(JSON.parse(status.out)).to.deep.include({
      execution: `${JOB("extract")}/executions/dev-etl-extract-00002`,
      state: "SUCCEEDED",
      taskCount: 2,
      succeeded: 2,
    });
    const list = await cli(["list", "extract", "--limit", "5"]);
    const [header, ...rows] = list.out.trimEnd().split("\n");
    expect(header).to.match(/^EXECUTION +STATE +COMPLETE +STARTED +COMPLETED +LOGS$/);
    expect(rows.map((l) => l.split(/ {2,}/).slice(0, 3))).to.deep.equal([
      ["dev-etl-extract-00002", "SUCCEEDED", "2 / 2"],
      ["dev-etl-extract-00001", "SUCCEEDED", "1 / 1"],
    ]);
    // The columns line up under the header.
    for (const [label, value] of [
      ["STATE", "SUCCEEDED"],
      ["COMPLETE", "2 / 2"],
    ])
      expect(rows[0].indexOf(value)).to.equal(header.indexOf(label));
    const cancelled = await cli(["cancel", `${JOB("extract")}/executions/dev-etl-extract-00001`]);
    expect(cancelled.code).to.equal(0);
    expect(fake.calls("CancelExecution")).to.deep.equal([{ name: `${JOB("extract")}/executions/dev-etl-extract-00001` }]);
  });

  it("as a real process: exit codes, stdout JSON, and SIGINT cancelling the execution with exit 130", async () => {
    const spawnCli = (args: string[]) =>
      spawn(process.execPath, [...RUN_TS, "cli/src/bin.ts", "job", "--outputs", outputsFile, ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, CLOUD_RUN_EMULATOR_HOST: fake.host, RUNNER_POLL_SECONDS: "0.02", METADATA_SERVER_DETECTION: "none" },
      });
    const finished = (child: ReturnType<typeof spawnCli>, interruptWhenRunning = false) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => {
          err += d;
          if (interruptWhenRunning && err.includes("tasks: 1 running") && !child.killed) child.kill("SIGINT");
        });
        child.on("exit", (code) => resolve({ code, out, err }));
      });
    fake.scripts.set("dev-etl-load", { failedTasks: { 0: 3 } });
    const failed = await finished(spawnCli(["--json", "run", "load"]));
    expect(failed.code).to.equal(1);
    expect(JSON.parse(failed.out)).to.deep.include({ state: "FAILED", exitCode: 1 });
    fake.scripts.set("dev-etl-extract", { ticks: 100000 });
    const interrupted = await finished(spawnCli(["run", "extract"]), true);
    expect(interrupted.code).to.equal(130);
    expect(fake.calls("CancelExecution")).to.have.length(1);
  });
});
