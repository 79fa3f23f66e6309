import { expect } from "chai";
import { CloudRunJob } from "../../components/cloud-run-job";
import { JobFailureAlert } from "../../components/job-failure-alert";
import { DEV, errorOf, registered, useMockRuntime } from "../helpers/pulumi";

describe("JobFailureAlert", () => {
  const recorder = useMockRuntime();
  const job = (name: string) => new CloudRunJob(name, { jobName: `prod-etl-${name}`, location: "europe-west1", image: "i@sha256:0", serviceAccount: { accountId: `prod-etl-${name}`, displayName: name }, policy: DEV });

  it("alerts an email channel on any failed execution of the jobs (completed_execution_count with result failed)", async () => {
    new JobFailureAlert("failures", { jobs: [job("extract"), job("load")], email: "oncall@example.com", displayName: "ETL job failed (prod)" });
    await registered(recorder);
    const channel = recorder.get("gcp:monitoring/notificationChannel:NotificationChannel", "failures-email");
    expect(channel.inputs).to.deep.equal({ type: "email", displayName: "ETL job failed (prod): oncall@example.com", labels: { email_address: "oncall@example.com" } });
    const policy = recorder.get("gcp:monitoring/alertPolicy:AlertPolicy", "failures-policy");
    expect(policy.inputs.combiner).to.equal("OR");
    expect(channel.outputs.name).to.match(/^projects\/test-project\/notificationChannels\/[0-9a-f]{16}$/);
    expect(policy.inputs.notificationChannels).to.deep.equal([channel.outputs.name]);
    expect(policy.inputs.conditions).to.deep.equal([
      {
        displayName: "A job execution failed",
        conditionThreshold: {
          filter: 'resource.type = "cloud_run_job" AND metric.type = "run.googleapis.com/job/completed_execution_count" AND metric.labels.result = "failed" AND resource.labels.job_name = one_of("prod-etl-extract", "prod-etl-load")',
          comparison: "COMPARISON_GT",
          thresholdValue: 0,
          duration: "0s",
          aggregations: [{ alignmentPeriod: "300s", perSeriesAligner: "ALIGN_SUM" }],
        },
      },
    ]);
  });

  it("rejects an address that is no email and an empty job list", () => {
    expect(errorOf(() => new JobFailureAlert("a", { jobs: [], email: "oncall", displayName: "x" }))).to.match(/^JobFailureAlert\(a\)\.email: "oncall" is not an email address/);
    expect(errorOf(() => new JobFailureAlert("b", { jobs: [], email: "o@example.com", displayName: "x" }))).to.match(/^JobFailureAlert\(b\)\.jobs: is empty/);
  });
});
