import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FAST_TIMING, jsonReport, runCli } from "../../helpers/cli";
import { RemoteReport } from "../../../cli/src/runner/remote";
import { FakeCloudRun } from "../../../tools/fake-cloud-run";
import { FakeLogging } from "../../helpers/fake-logging";
import { FakeWorkflows } from "../../helpers/fake-workflows";

const JOB = (step: string) => `projects/my-pipelines-dev/locations/europe-west1/jobs/dev-etl-${step}`;
const WORKFLOW = "projects/my-pipelines-dev/locations/europe-west1/workflows/dev-etl";
const STEPS = ["extract", "load", "transform"];
const STAGING = "my-pipelines-dev-dev-staging";
const OUTPUTS = {
  jobs: Object.fromEntries(STEPS.map((s) => [s, { name: JOB(s), jobName: `dev-etl-${s}`, region: "europe-west1", project: "my-pipelines-dev" }])),
  pipelines: { etl: { steps: STEPS, stagingBucket: STAGING, workflow: WORKFLOW } },
};
const env = (runId: string) => ({
  containerOverrides: [
    {
      env: [
        { name: "RUN_ID", value: runId },
        { name: "STAGING_PREFIX", value: `gs://${STAGING}/${runId}/` },
      ],
    },
  ],
});

describe("runner pipeline --remote and --from: the deployed chain (a local Workflow Executions API) and resuming", () => {
  let run: FakeCloudRun;
  let workflows: FakeWorkflows;
  let outputsFile: string;
  before(() => {
    process.env.METADATA_SERVER_DETECTION = "none";
    outputsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "runner-remote-")), "outputs.json");
    fs.writeFileSync(outputsFile, JSON.stringify(OUTPUTS));
  });
  beforeEach(async () => {
    run = new FakeCloudRun();
    workflows = new FakeWorkflows(run, { workflow: WORKFLOW, stagingBucket: STAGING, steps: STEPS.map((name) => ({ name, job: JOB(name) })) });
    await Promise.all([run.start(), workflows.start()]);
  });
  afterEach(() => Promise.all([run.stop(), workflows.stop()]));

  const cli = (args: string[], interruptAfter?: string) =>
    runCli(args, {
      outputsFile,
      env: { CLOUD_RUN_EMULATOR_HOST: run.host, WORKFLOWS_EMULATOR_HOST: workflows.host },
      interruptAfter,
      timing: { ...FAST_TIMING, pollMs: { first: 5, factor: 1, max: 5 } },
    });
  const ran = () => run.calls("RunJob").map((r) => String(r.name).split("/").pop());

  it("--remote starts the workflow with the chain's input, follows it step by step (job, execution) and exits with its outcome", async () => {
    const { code, out, err } = await cli(["--json", "pipeline", "etl", "--remote"]);
    expect(code).to.equal(0);
    expect(workflows.calls("CreateExecution")).to.deep.equal([{ parent: WORKFLOW, execution: { argument: "{}" } }]);
    const doc = jsonReport<RemoteReport>(out);
    const id = doc.workflowExecution.split("/").pop()!;
    expect(doc).to.deep.include({ pipeline: "etl", state: "SUCCEEDED", runId: id, stagingPrefix: `gs://${STAGING}/${id}/`, exitCode: 0 });
    expect(doc.executions).to.deep.equal({
      extract: `${JOB("extract")}/executions/dev-etl-extract-00001`,
      load: `${JOB("load")}/executions/dev-etl-load-00002`,
      transform: `${JOB("transform")}/executions/dev-etl-transform-00003`,
    });
    expect(run.calls("RunJob")).to.deep.equal(STEPS.map((s) => ({ name: JOB(s), overrides: env(id) })));
    const progress = err.split("\n").filter((l) => l.startsWith("step "));
    expect(progress).to.deep.equal(
      STEPS.flatMap((s, i) => [`step ${s}: job dev-etl-${s}`, `step ${s}: execution ${JOB(s)}/executions/dev-etl-${s}-0000${i + 1}`]),
    );
  });

  it("--remote --logs: each step's execution's log lines, named by step, each once", async () => {
    const logs = new FakeLogging();
    await logs.start();
    try {
      // Lines already in the index when each step ends: the last list of each step's follower reads them.
      for (const [i, step] of STEPS.entries()) logs.write(`dev-etl-${step}-0000${i + 1}`, 0, `${step} wrote`, { severity: "INFO", tail: false });
      const env = { CLOUD_RUN_EMULATOR_HOST: run.host, WORKFLOWS_EMULATOR_HOST: workflows.host, CLOUD_LOGGING_EMULATOR_HOST: logs.host };
      // The grace period after each step (5 s) passes at once; polls sleep 5 ms.
      const timing = {
        ...FAST_TIMING,
        pollMs: { first: 5, factor: 1, max: 5 },
        sleep: (ms: number) => new Promise<void>((r) => (ms === 5000 ? setImmediate(r) : setTimeout(r, ms))),
      };
      const { code, err } = await runCli(["pipeline", "etl", "--remote", "--logs"], { outputsFile, env, timing });
      expect(code).to.equal(0);
      const logLines = err.split("\n").flatMap((l) => {
        const line = /^\[(\w+ task \d+)\] (\{.*\})$/.exec(l);
        const { severity, message } = line ? (JSON.parse(line[2]) as { severity: string; message: string }) : { severity: "", message: "" };
        return line ? [`[${line[1]}] ${severity} ${message}`] : [];
      });
      expect(logLines).to.deep.equal(STEPS.map((s) => `[${s} task 0] INFO ${s} wrote`));
      expect(logs.calls("TailLogEntries").map((r) => String(r.filter).match(/execution_name" = "([^"]+)"/)![1])).to.deep.equal(
        STEPS.map((s, i) => `dev-etl-${s}-0000${i + 1}`),
      );
    } finally {
      await logs.stop();
    }
  });

  it("--remote, a failed step: exit 1, the step and its execution named, and how to resume", async () => {
    run.scripts.set("dev-etl-load", { failedTasks: { 0: 1 } });
    const { code, out, err } = await cli(["--json", "pipeline", "etl", "--remote"]);
    expect(code).to.equal(1);
    const doc = jsonReport<RemoteReport>(out);
    const id = doc.workflowExecution.split("/").pop()!;
    expect(doc).to.deep.include({ state: "FAILED", failedStep: "load", runId: id, exitCode: 1 });
    expect(doc.executions.load).to.equal(`${JOB("load")}/executions/dev-etl-load-00002`);
    expect(ran()).to.deep.equal(["dev-etl-extract", "dev-etl-load"]);
    expect(err).to.include(
      `workflow execution failed: step load failed: execution ${JOB("load")}/executions/dev-etl-load-00002 did not succeed in every task\n`,
    );
    // One resume command, the summary line's, as the run was invoked (the runner no longer prints its own npm one).
    expect(err).not.to.include("resume it with");
    expect(err.trimEnd().split("\n").pop()).to.match(new RegExp(` --remote pipeline etl --from load --run-id ${id}$`));
  });

  it("--remote, Ctrl-C: cancels the workflow execution and the job execution it waits on, exit 130", async () => {
    run.scripts.set("dev-etl-extract", { ticks: 100000 });
    const { code, err } = await cli(["pipeline", "etl", "--remote"], "step extract: execution");
    expect(code).to.equal(130);
    expect(workflows.calls("CancelExecution")).to.have.length(1);
    expect(String(workflows.calls("CancelExecution")[0].name)).to.match(new RegExp(`^${WORKFLOW}/executions/`));
    expect(run.calls("CancelExecution")).to.deep.equal([{ name: `${JOB("extract")}/executions/dev-etl-extract-00001` }]);
    expect(err).to.include("interrupted: cancelling");
  });

  it("--remote --from load --run-id: the workflow resumes at load with the failed run's id", async () => {
    const { code } = await cli(["pipeline", "etl", "--remote", "--from", "load", "--run-id", "20261123t053000z-a1b2"]);
    expect(code).to.equal(0);
    expect(workflows.calls("CreateExecution")).to.deep.equal([
      { parent: WORKFLOW, execution: { argument: '{"runId":"20261123t053000z-a1b2","from":"load"}' } },
    ]);
    expect(run.calls("RunJob")).to.deep.equal(["load", "transform"].map((s) => ({ name: JOB(s), overrides: env("20261123t053000z-a1b2") })));
  });

  it("--from load --run-id, here: extract skipped, load and transform with the same run id and staging prefix", async () => {
    const { code, out, err } = await cli(["--json", "pipeline", "etl", "--from", "load", "--run-id", "20261123t053000z-a1b2"]);
    expect(code).to.equal(0);
    expect(run.calls("RunJob")).to.deep.equal(["load", "transform"].map((s) => ({ name: JOB(s), overrides: env("20261123t053000z-a1b2") })));
    expect(JSON.parse(out)).to.deep.include({ runId: "20261123t053000z-a1b2", stagingPrefix: `gs://${STAGING}/20261123t053000z-a1b2/`, exitCode: 0 });
    expect(err).to.include("step 1/3: extract skipped (resuming at load)\n");
  });

  const badInputs: [string, string[], string][] = [
    ["--from without --run-id", ["pipeline", "etl", "--from", "load"], "--from load: give the run id of the run to resume (--run-id <id>)"],
    [
      "--from an unknown step",
      ["pipeline", "etl", "--from", "loading", "--run-id", "r1"],
      '--from "loading": the pipeline\'s steps are extract, load, transform',
    ],
    ["a run id with a slash", ["pipeline", "etl", "--run-id", "a/b"], '--run-id "a/b": expected letters, digits, hyphens and underscores'],
    [
      "--remote with --env",
      ["pipeline", "etl", "--remote", "--env", "A=1"],
      "--env with --remote: the deployed workflow takes only a run id and a step to resume from",
    ],
    ["--remote --from without --run-id", ["pipeline", "etl", "--remote", "--from", "load"], "--from load: give the run id"],
  ];
  for (const [what, args, message] of badInputs) {
    it(`bad input (${what}): exit 2 naming the flag, before any API call`, async () => {
      const { code, err } = await cli(args);
      expect(code).to.equal(2);
      expect(err).to.include(message);
      expect(run.requests).to.deep.equal([]);
      expect(workflows.requests).to.deep.equal([]);
    });
  }
});
