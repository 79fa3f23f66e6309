import { InputError } from "./errors";
import { isTimeZone } from "./formats";
import { NAME_RULES } from "./naming";

/**
 * Checks a Cloud Scheduler job's name, cron expression and time zone (src: https://cloud.google.com/scheduler/docs/configuring/cron-job-schedules).
 * @throws InputError naming `field` and the bad part.
 */
export function checkSchedule(field: string, schedule: { schedulerJobName: string; cron: string; timeZone: string }): void {
  if (!NAME_RULES.schedulerJob.pattern.test(schedule.schedulerJobName)) {
    throw new InputError(`${field}.schedulerJobName`, `"${schedule.schedulerJobName}" is not a valid Cloud Scheduler job name`, "use letters, digits, hyphens and underscores, at most 500");
  }
  if (schedule.cron.trim().split(/\s+/).length !== 5) {
    throw new InputError(`${field}.schedule`, `"${schedule.cron}" does not have the five fields of a unix cron expression`, 'write "minute hour day-of-month month day-of-week", e.g. "0 2 * * *"');
  }
  if (!isTimeZone(schedule.timeZone)) {
    throw new InputError(`${field}.timeZone`, `"${schedule.timeZone}" is not a time zone`, 'use an IANA time zone name, e.g. "Etc/UTC" or "Europe/Berlin"');
  }
}
