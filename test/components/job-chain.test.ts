import { expect } from "chai";
import { parse } from "yaml";
import { Bucket } from "../../components/bucket";
import { CloudRunJob } from "../../components/cloud-run-job";
import { JobChain, JobChainArgs } from "../../components/job-chain";
import { DEV, errorOf, PROD, promiseOf, registered, useMockRuntime } from "../helpers/pulumi";
import { declareBeforeEach, isIamMember, itRejects, JOB_MEMBER, jobArgs, SCHEDULER } from "./fixtures";

const WORKFLOW = "gcp:workflows/workflow:Workflow";
const PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember";
const CHAIN_EMAIL = "dev-etl-chain@test-project.iam.gserviceaccount.com";
const SCHED_EMAIL = "dev-etl-chain-sched@test-project.iam.gserviceaccount.com";
const EXTRACT_ID = "projects/test-project/locations/europe-west1/jobs/dev-etl-extract";
const LOAD_ID = "projects/test-project/locations/europe-west1/jobs/dev-etl-load";
const WORKFLOW_ID = "projects/test-project/locations/europe-west1/workflows/dev-etl";

type Step = Record<string, Record<string, unknown>>;
interface Definition {
  main: { params: string[]; steps: Step[] };
  run_job: { params: string[]; steps: Step[] };
  run_rejected: { params: string[]; steps: Step[] };
}
const stepNames = (steps: Step[]) => steps.map((s) => Object.keys(s)[0]);
const stepOf = (steps: Step[], name: string) => {
  const found = steps.find((s) => Object.keys(s)[0] === name);
  if (!found) throw new Error(`no step ${name} in ${stepNames(steps).join(", ")}`);
  return found[name];
};

let extract: CloudRunJob;
let load: CloudRunJob;
let raw: Bucket;
let staging: Bucket;
const declareJobs = () => {
  extract = new CloudRunJob("extract", jobArgs("dev-etl-extract"));
  load = new CloudRunJob("load", jobArgs("dev-etl-load"));
  raw = new Bucket("raw", { bucketName: "p-dev-raw", location: "europe-west1", envName: "RAW_BUCKET", policy: DEV });
  staging = new Bucket("staging", { bucketName: "p-dev-staging", location: "europe-west1", envName: "STAGING_BUCKET", policy: DEV });
};
const args = (overrides: Partial<JobChainArgs> = {}): JobChainArgs => ({
  workflowName: "dev-etl",
  location: "europe-west1",
  stagingBucket: staging,
  serviceAccount: { accountId: "dev-etl-chain", displayName: "ETL chain" },
  policy: DEV,
  steps: [
    { name: "extract", job: extract },
    { name: "load", job: load },
  ],
  ...overrides,
});

describe("JobChain", () => {
  const recorder = useMockRuntime();
  declareBeforeEach(recorder, declareJobs);
  const definitionOf = (name = "chain-workflow"): Definition => parse(recorder.get(WORKFLOW, name).inputs.sourceContents as string) as Definition;

  it("declares the workflow exactly: name, region, its own account, description, dev without deletion protection", async () => {
    const chain = new JobChain("chain", args());
    await registered(recorder);
    const { sourceContents, ...inputs } = recorder.get(WORKFLOW, "chain-workflow").inputs;
    expect(inputs).to.deep.equal({
      name: "dev-etl",
      region: "europe-west1",
      description: "Runs extract -> load, stopping at the first failure (managed by Pulumi).",
      serviceAccount: CHAIN_EMAIL,
      deletionProtection: false,
    });
    expect(sourceContents).to.equal(await promiseOf(chain.definition));
    // Plain YAML: no anchors or aliases for the repeated `auth` maps.
    expect(sourceContents).not.to.match(/[&*]a\d/);
    expect(await promiseOf(chain.id)).to.equal(WORKFLOW_ID);
    expect(await promiseOf(chain.name)).to.equal("dev-etl");
    expect(await promiseOf(chain.serviceAccountEmail)).to.equal(CHAIN_EMAIL);
  });

  it("prod keeps the workflow's deletion protection", async () => {
    new JobChain("chain", args({ policy: PROD }));
    await registered(recorder);
    expect(recorder.get(WORKFLOW, "chain-workflow").inputs.deletionProtection).to.equal(true);
  });

  it("main takes one input; steps run in order: init, resume, then per step overrides, the call and its bookkeeping, then done", async () => {
    new JobChain("chain", args());
    await registered(recorder);
    const def = definitionOf();
    expect(def.main.params).to.deep.equal(["input"]);
    expect(stepNames(def.main.steps)).to.deep.equal([
      "init",
      "from_step",
      "extract_overrides",
      "extract",
      "extract_done",
      "load_overrides",
      "load",
      "load_done",
      "done",
    ]);
    expect(stepOf(def.main.steps, "init")).to.deep.equal({
      assign: [
        { empty: {} },
        { input: "${default(input, empty)}" },
        { runId: '${default(map.get(input, "runId"), sys.get_env("GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID"))}' },
        { stagingPrefix: '${"gs://p-dev-staging/" + runId + "/"}' },
        { executions: {} },
      ],
    });
    // Resume (the runner's `pipeline --from`): {"runId", "from"} jumps to that step's first block; an unknown step raises.
    expect(stepOf(def.main.steps, "from_step")).to.deep.equal({
      switch: [
        { condition: '${map.get(input, "from") == "extract"}', next: "extract_overrides" },
        { condition: '${map.get(input, "from") == "load"}', next: "load_overrides" },
        { condition: '${"from" in input}', steps: [{ unknown_step: { raise: '${"no step " + input.from + " in this chain"}' } }] },
      ],
    });
    expect(stepOf(def.main.steps, "done")).to.deep.equal({ return: { runId: "${runId}", stagingPrefix: "${stagingPrefix}", executions: "${executions}" } });
  });

  it("each step calls run_job with the job's full id and overrides whose env starts with RUN_ID and STAGING_PREFIX, then the step's env sorted; args, taskCount and timeout when given", async () => {
    new JobChain(
      "chain",
      args({
        steps: [
          { name: "extract", job: extract, env: { YEAR: "2021", CITY: "Berlin" }, args: ["--full"], taskCount: 4, timeout: "15 minutes" },
          { name: "load", job: load },
        ],
      }),
    );
    await registered(recorder);
    const steps = definitionOf().main.steps;
    expect(stepOf(steps, "extract_overrides")).to.deep.equal({
      assign: [
        {
          extract_env: [
            { name: "RUN_ID", value: "${runId}" },
            { name: "STAGING_PREFIX", value: "${stagingPrefix}" },
            { name: "CITY", value: "Berlin" },
            { name: "YEAR", value: "2021" },
          ],
        },
      ],
    });
    expect(stepOf(steps, "extract")).to.deep.equal({
      call: "run_job",
      args: {
        step: "extract",
        job: EXTRACT_ID,
        overrides: { containerOverrides: [{ env: "${extract_env}", args: ["--full"] }], taskCount: 4, timeout: "900s" },
      },
      result: "extract_execution",
    });
    expect(stepOf(steps, "load_overrides")).to.deep.equal({
      assign: [
        {
          load_env: [
            { name: "RUN_ID", value: "${runId}" },
            { name: "STAGING_PREFIX", value: "${stagingPrefix}" },
          ],
        },
      ],
    });
    expect(stepOf(steps, "load")).to.deep.equal({
      call: "run_job",
      args: { step: "load", job: LOAD_ID, overrides: { containerOverrides: [{ env: "${load_env}" }] } },
      result: "load_execution",
    });
    expect(stepOf(steps, "load_done")).to.deep.equal({ assign: [{ "executions.load": "${load_execution}" }] });
  });

  it("step env takes Outputs (a bucket's name), resolved into the definition", async () => {
    new JobChain("chain", args({ steps: [{ name: "extract", job: extract, env: { RAW: raw.name } }] }));
    await registered(recorder);
    expect(stepOf(definitionOf().main.steps, "extract_overrides")).to.deep.equal({
      assign: [
        {
          extract_env: [
            { name: "RUN_ID", value: "${runId}" },
            { name: "STAGING_PREFIX", value: "${stagingPrefix}" },
            { name: "RAW", value: "p-dev-raw" },
          ],
        },
      ],
    });
  });

  it("without a staging bucket: no stagingPrefix, steps get RUN_ID only, and the chain grants nothing on any bucket", async () => {
    new JobChain("chain", args({ stagingBucket: undefined }));
    const resources = await registered(recorder);
    const steps = definitionOf().main.steps;
    expect(stepOf(steps, "init")).to.deep.equal({
      assign: [
        { empty: {} },
        { input: "${default(input, empty)}" },
        { runId: '${default(map.get(input, "runId"), sys.get_env("GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID"))}' },
        { executions: {} },
      ],
    });
    expect(stepOf(steps, "load_overrides")).to.deep.equal({ assign: [{ load_env: [{ name: "RUN_ID", value: "${runId}" }] }] });
    expect(stepOf(steps, "done")).to.deep.equal({ return: { runId: "${runId}", executions: "${executions}" } });
    expect(resources.filter((r) => r.type === "gcp:storage/bucketIAMMember:BucketIAMMember")).to.deep.equal([]);
  });

  it("schedule takes what JobSchedule takes: location, retry and paused", async () => {
    new JobChain(
      "chain",
      args({
        schedule: {
          schedulerJobName: "dev-etl-nightly",
          cron: "0 2 * * *",
          location: "europe-west3",
          paused: true,
          retry: { retryCount: 0, minBackoff: "1 minute", maxBackoff: "1 hour" },
          serviceAccount: { accountId: "dev-etl-chain-sched", displayName: "s" },
        },
      }),
    );
    await registered(recorder);
    expect(recorder.get(SCHEDULER, "chain-sched-scheduler").inputs).to.deep.include({
      region: "europe-west3",
      paused: true,
      retryConfig: { retryCount: 0, minBackoffDuration: "60s", maxBackoffDuration: "3600s" },
    });
  });

  it("run_job: POST :run and GET the execution with OAuth2, sleep the poll interval, succeed only when every task succeeded, else raise", async () => {
    new JobChain("chain", args({ pollInterval: "30 seconds" }));
    await registered(recorder);
    const runJob = definitionOf().run_job;
    expect(runJob.params).to.deep.equal(["step", "job", "overrides"]);
    expect(stepNames(runJob.steps)).to.deep.equal(["start", "execution_name", "poll", "finished", "wait", "verdict", "failed"]);
    expect(stepOf(runJob.steps, "start")).to.deep.equal({
      try: {
        call: "http.post",
        args: { url: '${"https://run.googleapis.com/v2/" + job + ":run"}', auth: { type: "OAuth2" }, body: { overrides: "${overrides}" } },
        result: "operation",
      },
      retry: { predicate: "${run_rejected}", max_retries: 5, backoff: { initial_delay: 10, max_delay: 120, multiplier: 2 } },
    });
    expect(stepOf(runJob.steps, "poll")).to.deep.equal({
      try: { call: "http.get", args: { url: '${"https://run.googleapis.com/v2/" + name}', auth: { type: "OAuth2" } }, result: "execution" },
      retry: { predicate: "${http.default_retry_predicate}", max_retries: 10, backoff: { initial_delay: 2, max_delay: 60, multiplier: 2 } },
    });
    expect(stepOf(runJob.steps, "wait")).to.deep.equal({ call: "sys.sleep", args: { seconds: 30 }, next: "poll" });
    const verdict = stepOf(runJob.steps, "verdict") as { switch: { condition: string; return: string }[] };
    expect(verdict.switch).to.have.length(1);
    expect(verdict.switch[0].condition).to.include("succeededCount").and.to.include("== execution.body.taskCount");
    expect(verdict.switch[0].return).to.equal("${name}");
    const failed = stepOf(runJob.steps, "failed") as { raise: Record<string, string> };
    expect(failed.raise).to.include({ step: "${step}", execution: "${name}" });
    expect(failed.raise.message).to.include("failed");
  });

  it("the poll interval defaults to 15 seconds", async () => {
    new JobChain("chain", args());
    await registered(recorder);
    expect(stepOf(definitionOf().run_job.steps, "wait")).to.deep.equal({ call: "sys.sleep", args: { seconds: 15 }, next: "poll" });
  });

  it("the workflow's account holds exactly run.jobsExecutorWithOverrides and run.viewer on each job of the chain, nothing else, granted before the workflow", async () => {
    new JobChain("chain", args());
    const resources = await registered(recorder);
    const members = resources.filter((r) => isIamMember(r.type));
    const member = `serviceAccount:${CHAIN_EMAIL}`;
    expect(members.map((m) => [m.type, m.inputs])).to.have.deep.members([
      [JOB_MEMBER, { name: "dev-etl-extract", location: "europe-west1", project: "test-project", role: "roles/run.jobsExecutorWithOverrides", member }],
      [JOB_MEMBER, { name: "dev-etl-extract", location: "europe-west1", project: "test-project", role: "roles/run.viewer", member }],
      [JOB_MEMBER, { name: "dev-etl-load", location: "europe-west1", project: "test-project", role: "roles/run.jobsExecutorWithOverrides", member }],
      [JOB_MEMBER, { name: "dev-etl-load", location: "europe-west1", project: "test-project", role: "roles/run.viewer", member }],
    ]);
    expect(members).to.have.length(4);
    const deps = recorder.get(WORKFLOW, "chain-workflow").dependencies;
    for (const m of members) expect(deps, m.name).to.include(m.urn);
  });

  it("schedule: Scheduler POSTs to the Workflow Executions API with an OAuth token (not OIDC) of its own account and an empty argument; that account is workflows.invoker on the project", async () => {
    new JobChain(
      "chain",
      args({ schedule: { schedulerJobName: "dev-etl-nightly", cron: "0 2 * * *", serviceAccount: { accountId: "dev-etl-chain-sched", displayName: "s" } } }),
    );
    const resources = await registered(recorder);
    const scheduler = recorder.get(SCHEDULER, "chain-sched-scheduler");
    expect(scheduler.inputs).to.deep.equal({
      name: "dev-etl-nightly",
      region: "europe-west1",
      description: "Starts workflow dev-etl (managed by Pulumi).",
      schedule: "0 2 * * *",
      timeZone: "Etc/UTC",
      attemptDeadline: "180s",
      retryConfig: { retryCount: 1, minBackoffDuration: "30s", maxBackoffDuration: "300s" },
      httpTarget: {
        uri: `https://workflowexecutions.googleapis.com/v1/${WORKFLOW_ID}/executions`,
        httpMethod: "POST",
        body: Buffer.from('{"argument":"{}"}').toString("base64"),
        headers: { "Content-Type": "application/json" },
        oauthToken: { serviceAccountEmail: SCHED_EMAIL, scope: "https://www.googleapis.com/auth/cloud-platform" },
      },
    });
    expect(scheduler.inputs.httpTarget).not.to.have.property("oidcToken");
    const projectMembers = resources.filter((r) => r.type === PROJECT_MEMBER);
    expect(projectMembers.map((m) => m.inputs)).to.deep.equal([
      { project: "test-project", role: "roles/workflows.invoker", member: `serviceAccount:${SCHED_EMAIL}` },
    ]);
    expect(scheduler.dependencies).to.include(projectMembers[0].urn);
    expect(resources.filter((r) => isIamMember(r.type))).to.have.length(5);
  });

  it("without a schedule: no scheduler, no project-level grant; the workflow, its account and its job grants only", async () => {
    new JobChain("chain", args());
    const resources = await registered(recorder);
    expect(resources.filter((r) => r.custom).map((r) => r.type)).to.have.members([
      "gcp:serviceaccount/account:Account",
      JOB_MEMBER,
      JOB_MEMBER,
      JOB_MEMBER,
      JOB_MEMBER,
      WORKFLOW,
    ]);
  });

  const invalid: [string, () => Partial<JobChainArgs>, RegExp][] = [
    [
      "two steps with one name",
      () => ({
        steps: [
          { name: "extract", job: extract },
          { name: "extract", job: load },
        ],
      }),
      /^JobChain\(c\)\.steps\[1\]\.name: "extract" clashes with another step or a name the chain uses \(extract\)/,
    ],
    [
      "a step named main",
      () => ({ steps: [{ name: "main", job: extract }] }),
      /^JobChain\(c\)\.steps\[0\]\.name: "main" clashes with another step or a name the chain uses \(main\)/,
    ],
    [
      "a step name with a hyphen",
      () => ({ steps: [{ name: "ex-tract", job: extract }] }),
      /^JobChain\(c\)\.steps\[0\]\.name: "ex-tract" is not a usable step name/,
    ],
    [
      "an env value containing ${",
      () => ({ steps: [{ name: "extract", job: extract, env: { YEAR: "${sys.now()}" } }] }),
      /^JobChain\(c\)\.steps\[0\]: "\$\{sys\.now\(\)\}" contains "\$\{"/,
    ],
    [
      "an arg containing ${",
      () => ({ steps: [{ name: "extract", job: extract, args: ["${runId}"] }] }),
      /^JobChain\(c\)\.steps\[0\]: "\$\{runId\}" contains "\$\{"/,
    ],
    [
      "RUN_ID set by the user",
      () => ({ steps: [{ name: "extract", job: extract, env: { RUN_ID: "x" } }] }),
      /^JobChain\(c\)\.steps\[0\]\.env: "RUN_ID" is not a variable name the step may set/,
    ],
    [
      "STAGING_PREFIX set by the user",
      () => ({ steps: [{ name: "extract", job: extract, env: { STAGING_PREFIX: "gs://x/" } }] }),
      /^JobChain\(c\)\.steps\[0\]\.env: "STAGING_PREFIX" is not a variable name the step may set/,
    ],
    ["no steps", () => ({ steps: [] }), /^JobChain\(c\)\.steps: is empty/],
    [
      "a step whose generated names clash with another's",
      () => ({
        steps: [
          { name: "extract", job: extract },
          { name: "extract_done", job: load },
        ],
      }),
      /^JobChain\(c\)\.steps\[1\]\.name: "extract_done" clashes with another step or a name the chain uses \(extract_done\)/,
    ],
    [
      "a step timeout over 168 hours",
      () => ({ steps: [{ name: "extract", job: extract, timeout: "8 days" }] }),
      /^JobChain\(c\)\.steps\[0\]\.timeout: "8 days" is longer than 168 hours/,
    ],
    ["a task count of 0", () => ({ steps: [{ name: "extract", job: extract, taskCount: 0 }] }), /^JobChain\(c\)\.steps\[0\]\.taskCount: 0 is out of range/],
    ["an invalid workflow id", () => ({ workflowName: "Dev.ETL" }), /^JobChain\(c\)\.workflowName: "Dev\.ETL" is not a valid workflow id/],
    [
      "a four-field cron",
      () => ({ schedule: { schedulerJobName: "dev-etl-nightly", cron: "0 2 * *", serviceAccount: { accountId: "dev-etl-chain-sched", displayName: "s" } } }),
      /^JobChain\(c\)\.schedule\.cron: "0 2 \* \*" is not a unix-cron expression Cloud Scheduler takes: has 4 fields/,
    ],
    [
      "an unknown time zone",
      () => ({
        schedule: {
          schedulerJobName: "dev-etl-nightly",
          cron: "0 2 * * *",
          timeZone: "Mars/Olympus",
          serviceAccount: { accountId: "dev-etl-chain-sched", displayName: "s" },
        },
      }),
      /^JobChain\(c\)\.schedule\.timeZone: "Mars\/Olympus" is not an exact time zone name/,
    ],
    [
      "a schedule retry count of 6",
      () => ({
        schedule: {
          schedulerJobName: "dev-etl-nightly",
          cron: "0 2 * * *",
          retry: { retryCount: 6 },
          serviceAccount: { accountId: "dev-etl-chain-sched", displayName: "s" },
        },
      }),
      /^JobChain\(c\)\.schedule\.retry\.retryCount: 6 is out of range/,
    ],
    [
      "an invalid schedule account id",
      () => ({ schedule: { schedulerJobName: "dev-etl-nightly", cron: "0 2 * * *", serviceAccount: { accountId: "Sched", displayName: "s" } } }),
      /^JobChain\(c\)\.schedule\.serviceAccount\.accountId: "Sched" is not a valid account id/,
    ],
    ["a zero poll interval", () => ({ pollInterval: "0 seconds" }), /^JobChain\(c\)\.pollInterval: "0 seconds" is 0 seconds/],
  ];
  itRejects(recorder, invalid, (overrides) => new JobChain("c", args(overrides())));

  // Two members of one binding would be a trap: removing either step would delete the binding and the other's access.
  it("two steps of one job: the workflow's account still gets one member per role on that job", async () => {
    new JobChain(
      "chain",
      args({
        steps: [
          { name: "extract", job: extract },
          { name: "extract_again", job: extract },
          { name: "load", job: load },
        ],
      }),
    );
    const resources = await registered(recorder);
    const members = resources.filter((r) => r.type === JOB_MEMBER);
    expect(members.map((m) => `${m.inputs.name as string} ${m.inputs.role as string}`)).to.have.members([
      "dev-etl-extract roles/run.jobsExecutorWithOverrides",
      "dev-etl-extract roles/run.viewer",
      "dev-etl-load roles/run.jobsExecutorWithOverrides",
      "dev-etl-load roles/run.viewer",
    ]);
  });
});

// A bad step timeout must fail before anything is declared (it was once only converted inside the definition's
// apply). Kept in a describe of its own so that a regression, a registration that never completes, stalls no other test.
describe("JobChain: a bad step timeout", () => {
  const recorder = useMockRuntime();
  declareBeforeEach(recorder, declareJobs);
  it("rejects a zero step timeout before declaring anything", async () => {
    expect(errorOf(() => new JobChain("c", args({ steps: [{ name: "extract", job: extract, timeout: "0 seconds" }] })))).to.match(
      /^JobChain\(c\)\.steps\[0\]\.timeout: "0 seconds" is 0 seconds/,
    );
    // Every registration answered: nothing was declared before the error.
    expect((await registered(recorder)).map((r) => `${r.type} ${r.name}`)).to.deep.equal([]);
  });
});
