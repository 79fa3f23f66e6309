import { expect } from "chai";
import { CloudRunJob } from "../../components/cloud-run-job";
import { JobChain } from "../../components/job-chain";
import { PipelineAlerts } from "../../components/pipeline-alerts";
import { ProjectApis, REQUIRED_APIS } from "../../components/project-apis";
import { DEV, errorOf, registered, useMockRuntime } from "../helpers/pulumi";
import { jobArgs } from "./fixtures";

const POLICY = "gcp:monitoring/alertPolicy:AlertPolicy";
const THRESHOLD = {
  comparison: "COMPARISON_GT",
  thresholdValue: 0,
  duration: "0s",
  aggregations: [{ alignmentPeriod: "300s", perSeriesAligner: "ALIGN_SUM" }],
};

describe("PipelineAlerts", () => {
  const recorder = useMockRuntime();
  const apis = () => new ProjectApis("apis", { services: [...REQUIRED_APIS, "monitoring.googleapis.com"] });
  const job = (name: string) => new CloudRunJob(name, jobArgs(`prod-etl-${name}`));

  /** Asserts one alert policy: its names, the email channel, and a single threshold condition with `filter`. */
  const expectAlert = (name: string, displayName: string, condition: string, filter: string) => {
    const channel = recorder.get("gcp:monitoring/notificationChannel:NotificationChannel", "alerts-email");
    const policy = recorder.get(POLICY, name);
    expect(policy.inputs.displayName).to.equal(displayName);
    expect(policy.inputs.notificationChannels).to.deep.equal([channel.outputs.name]);
    expect(policy.inputs.conditions).to.deep.equal([{ displayName: condition, conditionThreshold: { filter, ...THRESHOLD } }]);
    return policy;
  };

  it("alerts an email channel on any failed execution of the jobs (completed_execution_count with result failed)", async () => {
    new PipelineAlerts("alerts", { apis: apis(), jobs: [job("extract"), job("load")], email: "oncall@example.com", environment: "prod" });
    await registered(recorder);
    const channel = recorder.get("gcp:monitoring/notificationChannel:NotificationChannel", "alerts-email");
    expect(channel.inputs).to.deep.equal({
      type: "email",
      displayName: "Pipelines (prod): oncall@example.com",
      labels: { email_address: "oncall@example.com" },
    });
    expect(channel.outputs.name).to.match(/^projects\/test-project\/notificationChannels\/[0-9a-f]{16}$/);
    const policy = recorder.get(POLICY, "alerts-job-failures");
    expect(policy.inputs.displayName).to.equal("Job execution failed (prod)");
    expect(policy.inputs.combiner).to.equal("OR");
    expect(policy.inputs.notificationChannels).to.deep.equal([channel.outputs.name]);
    expect(policy.inputs.conditions).to.deep.equal([
      {
        displayName: "A job execution failed",
        conditionThreshold: {
          filter:
            'resource.type = "cloud_run_job" AND metric.type = "run.googleapis.com/job/completed_execution_count" AND metric.labels.result = "failed" AND resource.labels.job_name = one_of("prod-etl-extract", "prod-etl-load")',
          ...THRESHOLD,
        },
      },
    ]);
    expect(Object.keys(policy.inputs).sort()).to.deep.equal(["combiner", "conditions", "displayName", "documentation", "notificationChannels"]);
    expect(policy.inputs.documentation).to.deep.equal({
      mimeType: "text/markdown",
      content: "A Cloud Run job execution failed. `npm run job -- list <job>` shows the executions; the log link names the failed tasks.",
    });
    expect(recorder.ofType(POLICY).map((p) => p.name)).to.deep.equal(["alerts-job-failures"]);
  });

  it("alerts the same channel when messages of the push subscriptions go to their dead-letter topics (dead_letter_message_count)", async () => {
    new PipelineAlerts("alerts", {
      apis: apis(),
      jobs: [job("extract")],
      deadLetterSources: ["prod-scoring-push", "prod-stream-push"],
      email: "oncall@example.com",
      environment: "prod",
    });
    await registered(recorder);
    const policy = expectAlert(
      "alerts-dead-letters",
      "Messages dead-lettered (prod)",
      "Messages went to a dead-letter topic",
      'resource.type = "pubsub_subscription" AND metric.type = "pubsub.googleapis.com/subscription/dead_letter_message_count" AND resource.labels.subscription_id = one_of("prod-scoring-push", "prod-stream-push")',
    );
    expect(policy.inputs.combiner).to.equal("OR");
    expect(policy.inputs.documentation).to.deep.equal({
      mimeType: "text/markdown",
      content:
        "A service refused or failed messages until their delivery attempts ran out; they wait on the `<subscription>-dead-letter` subscription. Read the service's logs and inspect them with `gcloud pubsub subscriptions pull <subscription>-dead-letter --limit 10`; after the fix, upload the object again (scoring) or publish the request again (streaming).",
    });
    expect(recorder.ofType("gcp:monitoring/notificationChannel:NotificationChannel")).to.have.length(1);
  });

  it("rejects an address that is no email and an empty job list", () => {
    expect(errorOf(() => new PipelineAlerts("a", { apis: apis(), jobs: [], email: "oncall", environment: "x" }))).to.match(
      /^PipelineAlerts\(a\)\.email: "oncall" is not an email address/,
    );
    expect(errorOf(() => new PipelineAlerts("b", { apis: apis(), jobs: [], email: "o@example.com", environment: "x" }))).to.match(
      /^PipelineAlerts\(b\)\.jobs: is empty/,
    );
  });

  it("alerts the same channel on a failed execution of the chains' workflows (finished_execution_count with status FAILED)", async () => {
    const extract = job("extract");
    const chain = new JobChain("nightly", {
      workflowName: "prod-etl",
      location: "europe-west1",
      steps: [{ name: "extract", job: extract }],
      serviceAccount: { accountId: "prod-etl-chain", displayName: "chain" },
      policy: DEV,
    });
    new PipelineAlerts("alerts", { apis: apis(), jobs: [extract], chains: [chain], email: "oncall@example.com", environment: "prod" });
    await registered(recorder);
    expectAlert(
      "alerts-chain-failures",
      "Job chain failed (prod)",
      "A job chain (workflow) execution failed",
      'resource.type = "workflows.googleapis.com/Workflow" AND metric.type = "workflows.googleapis.com/finished_execution_count" AND metric.labels.status = "FAILED" AND resource.labels.workflow_id = one_of("prod-etl")',
    );
    expect(recorder.ofType(POLICY).map((p) => p.name)).to.deep.equal(["alerts-job-failures", "alerts-chain-failures"]);
  });

  it("every alert resource waits for the project's APIs", async () => {
    const projectApis = apis();
    new PipelineAlerts("alerts", { apis: projectApis, jobs: [job("extract")], email: "oncall@example.com", environment: "prod" });
    await registered(recorder);
    const monitoring = recorder.get("gcp:projects/service:Service", "apis-monitoring");
    for (const r of [...recorder.ofType(POLICY), ...recorder.ofType("gcp:monitoring/notificationChannel:NotificationChannel")]) {
      expect(r.dependencies, r.name).to.include(monitoring.urn);
    }
  });

  it("fails, declaring nothing, when the ProjectApis do not enable Cloud Monitoring, naming the arg and the API", async () => {
    const projectApis = new ProjectApis("apis", { services: REQUIRED_APIS });
    const extract = job("extract");
    await registered(recorder);
    recorder.clear();
    expect(errorOf(() => new PipelineAlerts("alerts", { apis: projectApis, jobs: [extract], email: "oncall@example.com", environment: "prod" }))).to.equal(
      'PipelineAlerts(alerts).apis: does not enable monitoring.googleapis.com; add "monitoring.googleapis.com" to the ProjectApis\' services',
    );
    expect(await registered(recorder)).to.deep.equal([]);
  });
});
