import { expect } from "chai";
import { CloudRunJob } from "../../components/cloud-run-job";
import { JobSchedule, JobScheduleArgs } from "../../components/job-schedule";
import { DEV, errorOf, promiseOf, registered, useMockRuntime } from "../helpers/pulumi";

const SCHEDULER = "gcp:cloudscheduler/job:Job";
const SCHED_EMAIL = "dev-etl-extract-sched@test-project.iam.gserviceaccount.com";

describe("JobSchedule", () => {
  const recorder = useMockRuntime();
  let job: CloudRunJob;
  const args = (overrides: Partial<JobScheduleArgs> = {}): JobScheduleArgs => ({
    job,
    schedulerJobName: "dev-etl-extract-nightly",
    schedule: "0 2 * * *",
    serviceAccount: { accountId: "dev-etl-extract-sched", displayName: "Nightly extract" },
    ...overrides,
  });
  beforeEach(async () => {
    job = new CloudRunJob("extract", { jobName: "dev-etl-extract", location: "europe-west1", image: "img@sha256:0", serviceAccount: { accountId: "dev-etl-extract", displayName: "x" }, policy: DEV });
    await registered(recorder);
    recorder.clear();
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

  it("time zone, region, retries and pause are the caller's", async () => {
    new JobSchedule("nightly", args({ timeZone: "Europe/Berlin", region: "europe-west3", paused: true, retry: { retryCount: 0, minBackoff: "1 minute", maxBackoff: "1 hour" } }));
    await registered(recorder);
    expect(recorder.get(SCHEDULER, "nightly-scheduler").inputs).to.deep.include({
      timeZone: "Europe/Berlin",
      region: "europe-west3",
      paused: true,
      retryConfig: { retryCount: 0, minBackoffDuration: "60s", maxBackoffDuration: "3600s" },
    });
  });

  const invalid: [string, Partial<JobScheduleArgs>, RegExp][] = [
    ["a four-field cron", { schedule: "0 2 * *" }, /^JobSchedule\(s\)\.schedule: "0 2 \* \*" does not have the five fields of a unix cron expression/],
    ["an unknown time zone", { timeZone: "Mars/Olympus" }, /^JobSchedule\(s\)\.timeZone: "Mars\/Olympus" is not a time zone/],
    ["six retries", { retry: { retryCount: 6 } }, /^JobSchedule\(s\)\.retry\.retryCount: 6 is out of range; use a whole number from 0 to 5$/],
    ["min backoff above max", { retry: { minBackoff: "2 hours", maxBackoff: "1 hour" } }, /^JobSchedule\(s\)\.retry: minBackoff \(7200s\) is longer than maxBackoff \(3600s\)/],
    ["a scheduler name with dots", { schedulerJobName: "a.b" }, /^JobSchedule\(s\)\.schedulerJobName: "a\.b" is not a valid Cloud Scheduler job name/],
  ];
  for (const [what, overrides, message] of invalid) {
    it(`rejects ${what}, declaring nothing`, async () => {
      expect(errorOf(() => new JobSchedule("s", args(overrides)))).to.match(message);
      expect(await registered(recorder)).to.deep.equal([]);
    });
  }
});
