import type { protos } from "@google-cloud/run";
import { parse } from "shell-quote";
import { BadInput } from "./errors";

type Overrides = protos.google.cloud.run.v2.RunJobRequest.IOverrides;

/** Longest task timeout: 168 hours (src: https://cloud.google.com/run/docs/configuring/task-timeout). */
export const MAX_TIMEOUT_SECONDS = 168 * 3600;
/** Most tasks per execution (src: https://cloud.google.com/run/docs/create-jobs). */
export const MAX_TASKS = 10_000;

/** The override flags of `run` (and the env of `pipeline`). */
export interface OverrideFlags {
  /** `--args "..."`: the whole argument list, split like a shell would. */
  args?: string;
  /** `--arg X`, repeatable: one argument each. */
  arg?: string[];
  /** `--env KEY=VALUE`, repeatable. */
  env?: string[];
  tasks?: string;
  timeout?: string;
}

/**
 * A duration as `30m`, `1h30m`, `90s`, `2h` or bare seconds (`600`) → whole seconds, 1 s to 168 h.
 * @throws BadInput naming `--timeout`.
 */
export function parseDuration(text: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  const seconds = /^\d+$/.test(text) ? Number(text) : match && text !== "" ? Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0) : NaN;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
    throw new BadInput(`--timeout "${text}": expected a duration from 1s to 168h, such as 90s, 30m, 1h30m or 600 (seconds)`);
  }
  return seconds;
}

/** `KEY=VALUE` strings → env vars. @throws BadInput naming `--env`. */
export function parseEnv(entries: readonly string[]): { name: string; value: string }[] {
  return entries.map((entry) => {
    const at = entry.indexOf("=");
    const name = entry.slice(0, at);
    if (at < 1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new BadInput(`--env "${entry}": expected KEY=VALUE with a variable name of letters, digits and underscores`);
    return { name, value: entry.slice(at + 1) };
  });
}

/**
 * The per-execution overrides of a run, or `undefined` when no override flag was given (then no `overrides`
 * field is sent: running with overrides needs `run.jobs.runWithOverrides` too). Args replace the job's args
 * (an empty `--args ""` clears them), env merges into the job's env, the task count and the per-task timeout
 * replace the job's (src: `RunJobRequest.Overrides` in google/cloud/run/v2/job.proto).
 * @throws BadInput naming the flag: both `--args` and `--arg`, unparsable args, a task count out of 1-10000,
 * an unparsable timeout, an `--env` without `=`.
 */
export function buildOverrides(flags: OverrideFlags, extraEnv: readonly { name: string; value: string }[] = []): Overrides | undefined {
  if (flags.args !== undefined && flags.arg?.length) throw new BadInput("--args and --arg: give the argument list one way, not both");
  let args: string[] | undefined = flags.arg?.length ? [...flags.arg] : undefined;
  if (flags.args !== undefined) {
    const parsed = parse(flags.args);
    if (!parsed.every((p): p is string => typeof p === "string")) throw new BadInput(`--args "${flags.args}": expected plain arguments, without shell operators, globs or comments`);
    args = parsed;
  }
  const env = [...parseEnv(flags.env ?? []), ...extraEnv];
  let taskCount: number | undefined;
  if (flags.tasks !== undefined) {
    taskCount = Number(flags.tasks);
    if (!/^\d+$/.test(flags.tasks) || taskCount < 1 || taskCount > MAX_TASKS) throw new BadInput(`--tasks "${flags.tasks}": expected a whole number from 1 to ${MAX_TASKS}`);
  }
  const timeout = flags.timeout !== undefined ? parseDuration(flags.timeout) : undefined;
  if (args === undefined && env.length === 0 && taskCount === undefined && timeout === undefined) return undefined;
  const container = { ...(args !== undefined && { args, ...(args.length === 0 && { clearArgs: true }) }), ...(env.length > 0 && { env }) };
  return {
    ...(Object.keys(container).length > 0 && { containerOverrides: [container] }),
    ...(taskCount !== undefined && { taskCount }),
    ...(timeout !== undefined && { timeout: { seconds: timeout } }),
  };
}
