import { expect } from "chai";
import { CloudRunJob } from "../../components/cloud-run-job";
import { JobSchedule, JobScheduleArgs } from "../../components/job-schedule";
import { ProjectApis } from "../../components/project-apis";
import { errorOf, promiseOf, registered, useMockRuntime } from "../helpers/pulumi";
import { declareBeforeEach, itRejects, JOB_MEMBER, jobArgs, SCHEDULER } from "./fixtures";
const SCHED_EMAIL = "dev-etl-extract-sched@test-project.iam.gserviceaccount.com";

describe("JobSchedule", () => {
  const recorder = useMockRuntime();
  let job: CloudRunJob;
  const args = (overrides: Partial<JobScheduleArgs> = {}): JobScheduleArgs => ({
    job,
    schedulerJobName: "dev-etl-extract-nightly",
    cron: "0 2 * * *",
    serviceAccount: { accountId: "dev-etl-extract-sched", displayName: "Nightly extract" },
    ...overrides,
  });
  declareBeforeEach(recorder, () => {
    job = new CloudRunJob("extract", jobArgs("dev-etl-extract"));
  });

  it("Scheduler calls the Admin API's run endpoint of that one job with an OAuth token (Google APIs take OAuth, not OIDC) of its own account", async () => {
    const schedule = new JobSchedule("nightly", args());
    await registered(recorder);
    expect(recorder.get(SCHEDULER, "nightly-scheduler").inputs).to.deep.equal({
      name: "dev-etl-extract-nightly",
      region: "europe-west1",
      description: "Runs Cloud Run job dev-etl-extract (managed by Pulumi).",
      schedule: "0 2 * * *",
      timeZone: "Etc/UTC",
      paused: false,
      attemptDeadline: "180s",
      retryConfig: { retryCount: 1, minBackoffDuration: "30s", maxBackoffDuration: "300s" },
      httpTarget: {
        uri: "https://run.googleapis.com/v2/projects/test-project/locations/europe-west1/jobs/dev-etl-extract:run",
        httpMethod: "POST",
        oauthToken: { serviceAccountEmail: SCHED_EMAIL, scope: "https://www.googleapis.com/auth/cloud-platform" },
      },
    });
    expect(await promiseOf(schedule.serviceAccountEmail)).to.equal(SCHED_EMAIL);
  });

  it("its account holds exactly roles/run.invoker on that job (else Scheduler gets 403), granted before the schedule exists", async () => {
    new JobSchedule("nightly", args());
    const resources = await registered(recorder);
    const grants = resources.filter((r) => r.type.toLowerCase().includes("iammember"));
    expect(grants.map((g) => g.inputs)).to.deep.equal([
      { name: "dev-etl-extract", location: "europe-west1", project: "test-project", role: "roles/run.invoker", member: `serviceAccount:${SCHED_EMAIL}` },
    ]);
    expect(recorder.get(SCHEDULER, "nightly-scheduler").dependencies).to.include(grants[0].urn);
  });

  it("time zone, location, retries and pause are the caller's", async () => {
    new JobSchedule(
      "nightly",
      args({ timeZone: "Europe/Berlin", location: "europe-west3", paused: true, retry: { retryCount: 0, minBackoff: "1 minute", maxBackoff: "1 hour" } }),
    );
    await registered(recorder);
    expect(recorder.get(SCHEDULER, "nightly-scheduler").inputs).to.deep.include({
      timeZone: "Europe/Berlin",
      region: "europe-west3",
      paused: true,
      retryConfig: { retryCount: 0, minBackoffDuration: "60s", maxBackoffDuration: "3600s" },
    });
  });

  const invalid: [string, Partial<JobScheduleArgs>, RegExp][] = [
    ["a four-field cron", { cron: "0 2 * *" }, /^JobSchedule\(s\)\.cron: "0 2 \* \*" is not a unix-cron expression Cloud Scheduler takes: has 4 fields/],
    [
      "an hour out of range",
      { cron: "0 25 * * *" },
      /^JobSchedule\(s\)\.cron: "0 25 \* \* \*" is not a unix-cron expression Cloud Scheduler takes: Constraint error, got value 25 expected range 0-23/,
    ],
    [
      "L (last day), which Cloud Scheduler does not support",
      { cron: "0 2 L * *" },
      /^JobSchedule\(s\)\.cron: "0 2 L \* \*" is not a unix-cron expression Cloud Scheduler takes: "L" is not part of the unix-cron format/,
    ],
    [
      "a time zone in the wrong case",
      { timeZone: "europe/berlin" },
      /^JobSchedule\(s\)\.timeZone: "europe\/berlin" is not an exact time zone name; write it exactly as the tz database does: "Europe\/Berlin"$/,
    ],
    ["an unknown time zone", { timeZone: "Mars/Olympus" }, /^JobSchedule\(s\)\.timeZone: "Mars\/Olympus" is not an exact time zone name/],
    ["six retries", { retry: { retryCount: 6 } }, /^JobSchedule\(s\)\.retry\.retryCount: 6 is out of range; use a whole number from 0 to 5$/],
    [
      "min backoff above max",
      { retry: { minBackoff: "2 hours", maxBackoff: "1 hour" } },
      /^JobSchedule\(s\)\.retry: minBackoff \(7200s\) is longer than maxBackoff \(3600s\)/,
    ],
    [
      "an invalid account id",
      { serviceAccount: { accountId: "Sched", displayName: "s" } },
      /^JobSchedule\(s\)\.serviceAccount\.accountId: "Sched" is not a valid account id/,
    ],
    ["a scheduler name with dots", { schedulerJobName: "a.b" }, /^JobSchedule\(s\)\.schedulerJobName: "a\.b" is not a valid Cloud Scheduler job name/],
  ];
  itRejects(recorder, invalid, (overrides) => new JobSchedule("s", args(overrides)));
  it("Scheduler calls the Admin API with OAuth, not OIDC: oauthToken with the cloud-platform scope, no oidcToken, no body", async () => {
    new JobSchedule("nightly", args());
    await registered(recorder);
    const httpTarget = recorder.get(SCHEDULER, "nightly-scheduler").inputs.httpTarget as Record<string, unknown>;
    expect(httpTarget).not.to.have.property("oidcToken");
    expect(httpTarget).not.to.have.property("body");
    expect(httpTarget.oauthToken).to.deep.equal({ serviceAccountEmail: SCHED_EMAIL, scope: "https://www.googleapis.com/auth/cloud-platform" });
  });

  it("its own account: created with the given id, never the job's account", async () => {
    new JobSchedule("nightly", args());
    const resources = await registered(recorder);
    expect(resources.filter((r) => r.type === "gcp:serviceaccount/account:Account").map((r) => [r.name, r.inputs])).to.deep.equal([
      ["nightly-sa-account", { accountId: "dev-etl-extract-sched", displayName: "Nightly extract" }],
    ]);
    expect(SCHED_EMAIL).not.to.equal(await promiseOf(job.serviceAccountEmail));
  });

  it("an existing account: nothing created, the token and the invoker grant are for that account", async () => {
    const email = "scheduler@test-project.iam.gserviceaccount.com";
    new JobSchedule("nightly", args({ serviceAccount: { email } }));
    const resources = await registered(recorder);
    expect(resources.filter((r) => r.type === "gcp:serviceaccount/account:Account")).to.deep.equal([]);
    expect((recorder.get(SCHEDULER, "nightly-scheduler").inputs.httpTarget as { oauthToken: unknown }).oauthToken).to.deep.equal({
      serviceAccountEmail: email,
      scope: "https://www.googleapis.com/auth/cloud-platform",
    });
    expect(recorder.get(JOB_MEMBER, "nightly-invoker").inputs).to.deep.equal({
      name: "dev-etl-extract",
      location: "europe-west1",
      project: "test-project",
      role: "roles/run.invoker",
      member: `serviceAccount:${email}`,
    });
  });

  it("location defaults to the job's location, and the run URI names the job's project, region and name", async () => {
    const usJob = new CloudRunJob("us", jobArgs("dev-etl-us", { location: "us-central1" }));
    new JobSchedule(
      "us-nightly",
      args({ job: usJob, schedulerJobName: "dev-etl-us-nightly", serviceAccount: { accountId: "dev-etl-us-sched", displayName: "x" } }),
    );
    await registered(recorder);
    const inputs = recorder.get(SCHEDULER, "us-nightly-scheduler").inputs as { region: string; httpTarget: { uri: string } };
    expect(inputs.region).to.equal("us-central1");
    expect(inputs.httpTarget.uri).to.equal("https://run.googleapis.com/v2/projects/test-project/locations/us-central1/jobs/dev-etl-us:run");
    expect(recorder.get(JOB_MEMBER, "us-nightly-invoker").inputs).to.deep.include({ name: "dev-etl-us", location: "us-central1" });
  });

  it("exactly one IAM member: the invoker grant for the schedule's account, none for the job's account or the project", async () => {
    new JobSchedule("nightly", args());
    const resources = await registered(recorder);
    const members = resources.filter((r) => /IamMember|IAMMember/.test(r.type));
    expect(members.map((m) => [m.type, m.name])).to.deep.equal([[JOB_MEMBER, "nightly-invoker"]]);
  });

  it("children wait for the component's dependsOn: account, invoker grant and scheduler job wait for the APIs", async () => {
    const apis = new ProjectApis("apis", { services: ["cloudscheduler.googleapis.com"] });
    new JobSchedule("nightly", args(), { dependsOn: [apis] });
    await registered(recorder);
    const api = recorder.get("gcp:projects/service:Service", "apis-cloudscheduler").urn;
    for (const [type, name] of [
      ["gcp:serviceaccount/account:Account", "nightly-sa-account"],
      [JOB_MEMBER, "nightly-invoker"],
      [SCHEDULER, "nightly-scheduler"],
    ]) {
      expect(recorder.get(type, name).dependencies, name).to.include(api);
    }
  });

  it("rejects a default service account as the schedule's identity, declaring nothing", async () => {
    expect(errorOf(() => new JobSchedule("s", args({ serviceAccount: { email: "9-compute@developer.gserviceaccount.com" } })))).to.match(
      /^JobSchedule\(s\)\.serviceAccount\.email: "9-compute@developer\.gserviceaccount\.com" is a default service account/,
    );
    expect(errorOf(() => new JobSchedule("s", args({ retry: { minBackoff: "0 seconds" } })))).to.match(
      /^JobSchedule\(s\)\.retry\.minBackoff: "0 seconds" is 0 seconds/,
    );
    expect(await registered(recorder)).to.deep.equal([]);
  });
});
