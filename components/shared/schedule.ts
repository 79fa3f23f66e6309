import * as gcp from "./gcp";
import * as pulumi from "@pulumi/pulumi";
import { applyTransform, Transform } from "./component";
import { InputError } from "./errors";
import { cronProblem, timeZoneProblem } from "./formats";
import { checkServiceAccountArgs, ServiceAccountArgs } from "./identity";
import { NAME_RULES } from "./naming";
import { Duration, durationString, toSeconds } from "./units";

/**
 * Checks a {@link ScheduleArgs} (name, cron, time zone, account, retry) before anything is declared.
 * @returns the time zone and the Cloud Scheduler retry config, defaults applied.
 * @throws InputError naming `<field>.<arg>`, e.g. `JobChain(nightly).schedule.cron`.
 */
export function checkScheduleArgs(field: string, schedule: ScheduleArgs): { timeZone: string; retry: gcp.types.input.cloudscheduler.JobRetryConfig } {
  const timeZone = schedule.timeZone ?? "Etc/UTC";
  checkSchedule(field, { schedulerJobName: schedule.schedulerJobName, cron: schedule.cron, timeZone });
  checkServiceAccountArgs(`${field}.serviceAccount`, schedule.serviceAccount);
  return { timeZone, retry: retryConfig(field, schedule.retry ?? {}) };
}

/**
 * Checks a Cloud Scheduler job's name, cron expression and time zone (src: https://cloud.google.com/scheduler/docs/configuring/cron-job-schedules).
 * @throws InputError naming `field` and the bad part.
 */
export function checkSchedule(field: string, schedule: { schedulerJobName: string; cron: string; timeZone: string }): void {
  if (!NAME_RULES.schedulerJob.pattern.test(schedule.schedulerJobName)) {
    throw new InputError(
      `${field}.schedulerJobName`,
      `"${schedule.schedulerJobName}" is not a valid Cloud Scheduler job name`,
      "use letters, digits, hyphens and underscores, at most 500",
    );
  }
  const cron = cronProblem(schedule.cron);
  if (cron !== undefined) {
    throw new InputError(
      `${field}.cron`,
      `"${schedule.cron}" is not a unix-cron expression Cloud Scheduler takes: ${cron}`,
      'write "minute hour day-of-month month day-of-week", e.g. "0 2 * * *"',
    );
  }
  const timeZone = timeZoneProblem(schedule.timeZone);
  if (timeZone !== undefined) {
    throw new InputError(`${field}.timeZone`, `"${schedule.timeZone}" is not an exact time zone name`, timeZone);
  }
}

/** OAuth scope of the token Cloud Scheduler mints for a Google API call (src: `@pulumi/gcp` `JobHttpTargetOauthToken.scope`). */
export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/**
 * A cron schedule: one Cloud Scheduler job with its own service account, as {@link JobSchedule} and
 * `JobChain.schedule` take it (the same fields, the same defaults).
 */
export interface ScheduleArgs {
  /** Physical Cloud Scheduler job name: letters, digits, hyphens and underscores, at most 500 (see `NAME_RULES.schedulerJob`). */
  schedulerJobName: string;
  /** Unix cron expression with five fields, e.g. `"0 2 * * *"` (02:00 every day) (src: https://cloud.google.com/scheduler/docs/configuring/cron-job-schedules). */
  cron: string;
  /** IANA time zone the cron expression is read in, e.g. `"Europe/Berlin"`. @default "Etc/UTC" */
  timeZone?: string;
  /** Region of the Cloud Scheduler job; must be a Cloud Scheduler location. @default the location of what it starts (the job, or the chain) */
  location?: pulumi.Input<string>;
  /** The schedule's own identity: created (`{ accountId, displayName }`), or an existing account (`{ email }`); never the Cloud Scheduler service agent. */
  serviceAccount: ServiceAccountArgs;
  /** Retries of the start request (not of the job's tasks, which `CloudRunJob.maxRetries` covers). @default {@link ScheduleRetry}'s defaults */
  retry?: ScheduleRetry;
  /** Whether the schedule is created paused. @default false */
  paused?: boolean;
}

/** Retries of a schedule's HTTP request (not of what it starts). */
export interface ScheduleRetry {
  /** Retries of a failed request, 0 to 5 (src: https://cloud.google.com/scheduler/docs/reference/rest/v1/projects.locations.jobs#RetryConfig). @default 1 */
  retryCount?: number;
  /** Wait before the first retry. @default "30 seconds" */
  minBackoff?: Duration;
  /** Longest wait between retries. @default "5 minutes" */
  maxBackoff?: Duration;
}

/**
 * The Cloud Scheduler retry config of a {@link ScheduleRetry}, defaults applied.
 * @throws InputError naming `<field>.retry` for a retry count out of 0-5 or a min backoff above the max.
 */
export function retryConfig(field: string, retry: ScheduleRetry): gcp.types.input.cloudscheduler.JobRetryConfig {
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

/** A Cloud Scheduler job that POSTs a Google API with an OAuth token (checked args, see {@link checkSchedule}). */
export interface OAuthScheduleArgs {
  schedulerJobName: string;
  region: pulumi.Input<string>;
  description: pulumi.Input<string>;
  cron: string;
  timeZone: string;
  paused?: boolean;
  retry: gcp.types.input.cloudscheduler.JobRetryConfig;
  /** The Google API endpoint, e.g. `https://run.googleapis.com/v2/<job id>:run`. */
  uri: pulumi.Input<string>;
  /** JSON request body, sent base64-encoded with `Content-Type: application/json`. @default no body */
  body?: object;
  /** Email of the account whose OAuth token the request carries. */
  serviceAccountEmail: pulumi.Input<string>;
  transform?: Transform<gcp.cloudscheduler.JobArgs>;
}

/**
 * Declares the Cloud Scheduler job of a schedule. Google APIs take OAuth access tokens; OIDC tokens are for Cloud
 * Run service URLs and other endpoints (src: https://cloud.google.com/scheduler/docs/http-target-auth). The request
 * returns once the API has accepted it, so the attempt deadline (180 s) covers only that call.
 */
export function oauthSchedulerJob(name: string, args: OAuthScheduleArgs, opts: pulumi.CustomResourceOptions): gcp.cloudscheduler.Job {
  return new gcp.cloudscheduler.Job(
    name,
    applyTransform<gcp.cloudscheduler.JobArgs>(
      {
        name: args.schedulerJobName,
        region: args.region,
        description: args.description,
        schedule: args.cron,
        timeZone: args.timeZone,
        ...(args.paused !== undefined && { paused: args.paused }),
        attemptDeadline: "180s",
        retryConfig: args.retry,
        httpTarget: {
          uri: args.uri,
          httpMethod: "POST",
          ...(args.body && { body: Buffer.from(JSON.stringify(args.body)).toString("base64"), headers: { "Content-Type": "application/json" } }),
          oauthToken: { serviceAccountEmail: args.serviceAccountEmail, scope: CLOUD_PLATFORM_SCOPE },
        },
      },
      args.transform,
    ),
    opts,
  );
}
