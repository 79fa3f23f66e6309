/**
 * Cloud Run limits that both the components (at deploy time) and the runner (per execution) enforce, defined once.
 * Neither side imports the other: both import this file.
 */

/** Most tasks one job execution may have (src: https://cloud.google.com/run/docs/create-jobs, "up to 10,000 tasks"). */
export const MAX_TASK_COUNT = 10_000;

/** Longest task timeout: 168 hours (src: https://cloud.google.com/run/docs/configuring/task-timeout). */
export const MAX_TASK_TIMEOUT_SECONDS = 168 * 3600;

/** Most environment variables per container (src: https://cloud.google.com/run/docs/configuring/jobs/environment-variables, "a maximum of 1000"). */
export const MAX_ENV_VARS = 1000;

/**
 * Variables Cloud Run sets itself, which a container (or an execution override) may not set: the names of the
 * container runtime contract, services and jobs (src: https://cloud.google.com/run/docs/container-contract#env-vars,
 * and #jobs-env-vars; "reserved and cannot be set": https://cloud.google.com/run/docs/configuring/jobs/environment-variables).
 */
const RESERVED_ENV_NAMES: ReadonlySet<string> = new Set([
  "PORT",
  "K_SERVICE",
  "K_REVISION",
  "K_CONFIGURATION",
  "CLOUD_RUN_JOB",
  "CLOUD_RUN_EXECUTION",
  "CLOUD_RUN_TASK_INDEX",
  "CLOUD_RUN_TASK_ATTEMPT",
  "CLOUD_RUN_TASK_COUNT",
]);

/**
 * Whether Cloud Run reserves `name`: a name of the container contract, or one starting with `X_GOOGLE_` (kept from
 * the components' earlier check; the stored contract page does not list that prefix: UNVERIFIED).
 * @example isReservedEnvName("CLOUD_RUN_TASK_INDEX") // true
 */
export function isReservedEnvName(name: string): boolean {
  return RESERVED_ENV_NAMES.has(name) || name.startsWith("X_GOOGLE_");
}
