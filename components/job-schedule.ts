import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { CloudRunJob } from "./cloud-run-job";
import { checkServiceAccountArgs, ServiceAccount, ServiceAccountArgs } from "./service-account";
import { applyTransform, PipelineComponent, Transform } from "./shared/component";
import { InputError } from "./shared/errors";
import { childName } from "./shared/naming";
import { checkSchedule } from "./shared/schedule";
import { Duration, durationString, toSeconds } from "./shared/units";

/**
 * Role the schedule's account gets on its one job: `roles/run.invoker`, whose only job permission is
 * `run.jobs.run` (its other, `run.routes.invoke`, concerns services). It cannot send overrides, cancel, or change
 * the job (src: https://cloud.google.com/iam/docs/roles-permissions/run; https://cloud.google.com/run/docs/execute/jobs-on-schedule).
 */
export const SCHEDULE_INVOKER_ROLE = "roles/run.invoker";
/** OAuth scope of the token Cloud Scheduler mints for the Admin API call (src: `@pulumi/gcp` `JobHttpTargetOauthToken.scope`). */
export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

export interface JobScheduleRetry {
  /** Retries of a failed run request, 0 to 5 (src: https://cloud.google.com/scheduler/docs/reference/rest/v1/projects.locations.jobs#RetryConfig). @default 1 */
  retryCount?: number;
  /** Wait before the first retry. @default "30 seconds" */
  minBackoff?: Duration;
  /** Longest wait between retries. @default "5 minutes" */
  maxBackoff?: Duration;
}

export interface JobScheduleArgs {
  /** The job this schedule runs. */
  job: CloudRunJob;
  /** Physical Cloud Scheduler job name (see `NAME_RULES.schedulerJob`). */
  schedulerJobName: string;
  /** Unix cron expression with five fields, e.g. `"0 2 * * *"` (02:00 every day) (src: https://cloud.google.com/scheduler/docs/configuring/cron-job-schedules). */
  schedule: string;
  /** IANA time zone the cron expression is read in, e.g. `"Europe/Berlin"`. @default "Etc/UTC" */
  timeZone?: string;
  /** Region of the Cloud Scheduler job; must be a Cloud Scheduler location. @default the job's region */
  region?: pulumi.Input<string>;
  /** The schedule's own identity: created, or an existing account; never the Cloud Scheduler service agent. */
  serviceAccount: ServiceAccountArgs;
  /** Retries of the run request (not of the job's tasks, which `CloudRunJob.maxRetries` covers). */
  retry?: JobScheduleRetry;
  /** Whether the schedule is created paused. @default false */
  paused?: boolean;
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
 */
export class JobSchedule extends PipelineComponent {
  /** The Cloud Scheduler job's name. */
  public readonly name: pulumi.Output<string>;
  /** Email of the account the schedule calls the Admin API as. */
  public readonly serviceAccountEmail: pulumi.Output<string>;

  constructor(name: string, args: JobScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    const field = `JobSchedule(${name})`;
    const timeZone = args.timeZone ?? "Etc/UTC";
    validate(field, args, timeZone);
    checkServiceAccountArgs(childName(name, "sa"), args.serviceAccount);
    const retry = retryConfig(field, args.retry ?? {});
    super("pipelines:gcp:JobSchedule", name, opts);

    const account = new ServiceAccount(childName(name, "sa"), args.serviceAccount, this.child());
    const invoker = new gcp.cloudrunv2.JobIamMember(
      childName(name, "invoker"),
      { name: args.job.name, location: args.job.location, project: args.job.project, role: SCHEDULE_INVOKER_ROLE, member: account.member },
      this.child(),
    );
    const schedulerJob = new gcp.cloudscheduler.Job(
      childName(name, "scheduler"),
      applyTransform<gcp.cloudscheduler.JobArgs>(
        {
          name: args.schedulerJobName,
          region: args.region ?? args.job.location,
          description: pulumi.interpolate`Runs Cloud Run job ${args.job.name} (managed by Pulumi).`,
          schedule: args.schedule,
          timeZone,
          paused: args.paused ?? false,
          attemptDeadline: "180s",
          retryConfig: retry,
          httpTarget: {
            uri: pulumi.interpolate`https://run.googleapis.com/v2/${args.job.id}:run`,
            httpMethod: "POST",
            oauthToken: { serviceAccountEmail: account.email, scope: CLOUD_PLATFORM_SCOPE },
          },
        },
        args.transform?.schedulerJob,
      ),
      this.child({ dependsOn: [invoker] }),
    );
    this.name = schedulerJob.name;
    this.serviceAccountEmail = account.email;
    this.registerOutputs({ name: this.name, serviceAccountEmail: this.serviceAccountEmail });
  }
}

function validate(field: string, args: JobScheduleArgs, timeZone: string): void {
  checkSchedule(field, { schedulerJobName: args.schedulerJobName, cron: args.schedule, timeZone });
}

function retryConfig(field: string, retry: JobScheduleRetry): gcp.types.input.cloudscheduler.JobRetryConfig {
  const retryCount = retry.retryCount ?? 1;
  if (!Number.isInteger(retryCount) || retryCount < 0 || retryCount > 5) {
    throw new InputError(`${field}.retry.retryCount`, `${retryCount} is out of range`, "use a whole number from 0 to 5");
  }
  const min = toSeconds(retry.minBackoff ?? "30 seconds", `${field}.retry.minBackoff`);
  const max = toSeconds(retry.maxBackoff ?? "5 minutes", `${field}.retry.maxBackoff`);
  if (min > max) {
    throw new InputError(`${field}.retry`, `minBackoff (${min}s) is longer than maxBackoff (${max}s)`, "make minBackoff at most maxBackoff");
  }
  return { retryCount, minBackoffDuration: durationString(min), maxBackoffDuration: durationString(max) };
}
