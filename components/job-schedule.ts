import * as gcp from "./shared/gcp";
import * as pulumi from "@pulumi/pulumi";
import { CloudRunJob } from "./cloud-run-job";
import { ServiceAccount } from "./service-account";
import { PipelineComponent, Transform } from "./shared/component";
import { childName } from "./shared/naming";
import { checkScheduleArgs, oauthSchedulerJob, ScheduleArgs } from "./shared/schedule";

/**
 * Role the schedule's account gets on its one job: `roles/run.invoker`, whose only job permission is
 * `run.jobs.run` (its other, `run.routes.invoke`, concerns services). It cannot send overrides, cancel, or change
 * the job (src: https://cloud.google.com/iam/docs/roles-permissions/run; https://cloud.google.com/run/docs/execute/jobs-on-schedule).
 */
export const SCHEDULE_INVOKER_ROLE = "roles/run.invoker";

/** A {@link ScheduleArgs} (the same fields as `JobChain.schedule`) and the job it runs. */
export interface JobScheduleArgs extends ScheduleArgs {
  /** The job this schedule runs. */
  job: CloudRunJob;
  /** Escape hatch to any field of the `gcp.cloudscheduler.Job`. */
  transform?: { schedulerJob?: Transform<gcp.cloudscheduler.JobArgs> };
}

/**
 * Runs one Cloud Run job on a cron schedule: a Cloud Scheduler job that POSTs the Cloud Run Admin API's run
 * endpoint (`https://run.googleapis.com/v2/<job id>:run`) with an OAuth token of a dedicated service account.
 * Google APIs take OAuth access tokens; OIDC tokens are for Cloud Run service URLs and other endpoints
 * (src: https://cloud.google.com/scheduler/docs/http-target-auth). The account holds
 * {@link SCHEDULE_INVOKER_ROLE} on that one job, granted before the schedule exists.
 *
 * The run request returns once the execution is created, so `attemptDeadline` covers only that call; the job's
 * own task timeout and retries govern the run.
 * @example
 * ```ts
 * import { CloudRunJob, environmentPolicy, JobSchedule } from "./components";
 *
 * const report = new CloudRunJob("report", {
 *   jobName: "prod-report",
 *   location: "europe-west1",
 *   image: "europe-west1-docker.pkg.dev/my-project/images/report@sha256:<digest>",
 *   serviceAccount: { accountId: "prod-report", displayName: "Report" },
 *   policy: environmentPolicy(true),
 * });
 * new JobSchedule("hourly-report", {
 *   job: report,
 *   schedulerJobName: "prod-report-hourly",
 *   cron: "0 * * * *",
 *   timeZone: "Europe/Berlin",
 *   retry: { retryCount: 3 },
 *   serviceAccount: { accountId: "prod-report-sched", displayName: "Hourly report" },
 * });
 * ```
 */
export class JobSchedule extends PipelineComponent {
  /** The Cloud Scheduler job's name. */
  public readonly name: pulumi.Output<string>;
  /** Email of the account the schedule calls the Admin API as. */
  public readonly serviceAccountEmail: pulumi.Output<string>;

  constructor(name: string, args: JobScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    const { timeZone, retry } = checkScheduleArgs(`JobSchedule(${name})`, args);
    super("pipelines:gcp:JobSchedule", name, opts);

    const account = new ServiceAccount(childName(name, "sa"), args.serviceAccount, this.child());
    const invoker = new gcp.cloudrunv2.JobIamMember(
      childName(name, "invoker"),
      { name: args.job.name, location: args.job.location, project: args.job.project, role: SCHEDULE_INVOKER_ROLE, member: account.member },
      this.child(),
    );
    const schedulerJob = oauthSchedulerJob(
      childName(name, "scheduler"),
      {
        schedulerJobName: args.schedulerJobName,
        region: args.location ?? args.job.location,
        description: pulumi.interpolate`Runs Cloud Run job ${args.job.name} (managed by Pulumi).`,
        cron: args.cron,
        timeZone,
        paused: args.paused ?? false,
        retry,
        uri: pulumi.interpolate`https://run.googleapis.com/v2/${args.job.id}:run`,
        serviceAccountEmail: account.email,
        transform: args.transform?.schedulerJob,
      },
      this.child({ dependsOn: [invoker] }),
    );
    this.name = schedulerJob.name;
    this.serviceAccountEmail = account.email;
    this.registerOutputs({ name: this.name, serviceAccountEmail: this.serviceAccountEmail });
  }
}
