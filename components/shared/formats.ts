import { CronExpressionParser } from "cron-parser";

/** One IAM principal: `user:`, `group:`, `serviceAccount:`, `domain:`, `principal:` or `principalSet:` (src: https://cloud.google.com/iam/docs/principal-identifiers). `allUsers` and `allAuthenticatedUsers` do not match. */
export const IAM_MEMBER = /^(user|group|serviceAccount|domain|principal|principalSet):\S+$/;

/**
 * An image reference by digest, `<registry host>/<path>/<image>@sha256:<64 hex digits>`
 * (src: https://cloud.google.com/artifact-registry/docs/docker/names). The offline preview's made-up digests
 * (`sha256:<offline-preview-placeholder>`) do not match it.
 */
export const IMAGE_BY_DIGEST = /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$/;

/** An image name inside a repository, e.g. `etl`: lowercase letters and digits separated by `.`, `_` or `-` (src: https://cloud.google.com/artifact-registry/docs/docker/names). */
export const IMAGE_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** An email address, as a notification channel takes it. */
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Principal types whose identifier is an email address (src: https://cloud.google.com/iam/docs/principal-identifiers). */
const EMAIL_PRINCIPALS = ["user", "group", "serviceAccount"];

/**
 * What is wrong with an IAM member that config or args grant access to, or undefined when it is one principal.
 * Refused besides malformed members: `allUsers` (anyone on the internet), `allAuthenticatedUsers` (every Google
 * account) and `domain:` (every account of a Google Workspace or Cloud Identity domain)
 * (src: https://cloud.google.com/iam/docs/principal-identifiers); grant a group instead.
 * @example memberProblem("user:ana") // 'after "user:" comes an email address, e.g. "user:ana@example.com"'
 */
export function memberProblem(member: string): string | undefined {
  if (member === "allUsers" || member === "allAuthenticatedUsers" || member.startsWith("domain:")) {
    return `${member.split(":")[0]} opens access to ${member === "allUsers" ? "anyone on the internet" : member === "allAuthenticatedUsers" ? "every Google account" : "a whole domain"}; grant a group instead, e.g. "group:data-eng@example.com"`;
  }
  if (!IAM_MEMBER.test(member))
    return 'expected one IAM principal such as "user:ana@example.com", "group:data-eng@example.com" or "serviceAccount:ci@p.iam.gserviceaccount.com"';
  const [type, id] = [member.slice(0, member.indexOf(":")), member.slice(member.indexOf(":") + 1)];
  if (EMAIL_PRINCIPALS.includes(type) && !EMAIL.test(id))
    return `after "${type}:" comes an email address, e.g. "${type}:${type === "serviceAccount" ? "ci@p.iam.gserviceaccount.com" : "ana@example.com"}"`;
  return undefined;
}

/**
 * What is wrong with a cron expression as Cloud Scheduler takes it, or undefined when it is valid: unix-cron, five
 * fields (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of week 0-7 or SUN-SAT), names in
 * upper case, no `L` (src: https://cloud.google.com/scheduler/docs/configuring/cron-job-schedules). `?`, `W`, `#`
 * and `H` are not unix-cron (they are Quartz/Jenkins extensions the page does not list). Fields are checked by
 * cron-parser.
 * @example cronProblem("0 25 * * *") // "Constraint error, got value 25 expected range 0-23"
 */
export function cronProblem(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5)
    return `has ${fields.length} field${fields.length === 1 ? "" : "s"}; write the five fields "minute hour day-of-month month day-of-week", e.g. "0 2 * * *"`;
  const extension = /[LW#?H]/.exec(cron.replace(/\b(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT)\b/g, ""));
  if (extension) return `"${extension[0]}" is not part of the unix-cron format Cloud Scheduler takes`;
  if (/[a-z]/.test(cron)) return "month and day names are written in upper case (JAN, MON)";
  try {
    CronExpressionParser.parse(cron);
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

/**
 * What is wrong with a time zone name, or undefined when it is an exact tz database name the runtime knows, e.g.
 * `Etc/UTC`, `Europe/Berlin` (src: https://cloud.google.com/scheduler/docs/configuring/cron-job-schedules, "Time
 * zone": names from the tz database). Names are case-sensitive: `europe/berlin` is refused, naming `Europe/Berlin`;
 * every part of a tz database name starts with an upper-case letter (src: https://data.iana.org/time-zones/theory.html,
 * "Names of timezones"; checked for the names this runtime lists with `Intl.supportedValuesOf("timeZone")`).
 * @example timeZoneProblem("europe/berlin") // 'write it exactly as the tz database does: "Europe/Berlin"'
 */
export function timeZoneProblem(timeZone: string): string | undefined {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone }).resolvedOptions().timeZone;
  } catch {
    return 'expected an IANA time zone such as "Etc/UTC" or "Europe/Berlin"';
  }
  if (resolved !== timeZone && resolved.toLowerCase() === timeZone.toLowerCase()) return `write it exactly as the tz database does: "${resolved}"`;
  if (timeZone.split("/").some((part) => !/^[A-Z]/.test(part))) return `write it exactly as the tz database does, e.g. "${resolved}"`;
  return undefined;
}
