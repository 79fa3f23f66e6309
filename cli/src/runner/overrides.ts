import type { protos } from "@google-cloud/run";
import { parse } from "shell-quote";
import { isReservedEnvName, MAX_ENV_VARS, MAX_TASK_COUNT } from "@cloudrun-pipelines/components/limits";
import { BadInput } from "../errors";

type Overrides = protos.google.cloud.run.v2.RunJobRequest.IOverrides;

/** The override flags of `run` (and the env of `pipeline`). */
export interface OverrideFlags {
  /** `--args "..."`: the whole argument list, split like a shell would. */
  args?: string;
  /** `--arg X`, repeatable: one argument each. */
  arg?: string[];
  /** `--env KEY=VALUE`, repeatable. */
  env?: string[];
  tasks?: string;
  /** The per-task timeout in whole seconds, read from `--timeout` by the commands' one duration grammar (commands/shared/duration.ts). */
  timeoutSeconds?: number;
}

/**
 * `KEY=VALUE` strings → env vars.
 * @throws BadInput naming `--env`: no `=`, a name that is not letters, digits and underscores, a name Cloud Run
 * reserves (see `isReservedEnvName` in contract/limits.ts), a name given twice, more than 1000 variables.
 */
export function parseEnv(entries: readonly string[]): { name: string; value: string }[] {
  if (entries.length > MAX_ENV_VARS) throw new BadInput(`--env: ${entries.length} variables; Cloud Run takes at most ${MAX_ENV_VARS} per container`);
  const seen = new Set<string>();
  return entries.map((entry) => {
    const at = entry.indexOf("=");
    const name = entry.slice(0, at);
    if (at < 1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new BadInput(`--env "${entry}": expected KEY=VALUE with a variable name of letters, digits and underscores`);
    if (isReservedEnvName(name))
      throw new BadInput(
        `--env "${entry}": ${name} is set by Cloud Run itself and cannot be overridden (https://cloud.google.com/run/docs/container-contract#env-vars)`,
      );
    if (seen.has(name)) throw new BadInput(`--env "${entry}": ${name} is given twice; give each variable once`);
    seen.add(name);
    return { name, value: entry.slice(at + 1) };
  });
}

/**
 * What stands for `$` while shell-quote splits `--args`: shell-quote expands `$NAME` and `${NAME}` (through its env
 * function, which gets the name without its braces), and no shell runs these args. NUL, since no command-line
 * argument can hold it.
 */
const DOLLAR = "\0";

/**
 * `--args` split the way a POSIX shell splits words (quotes and backslashes), by shell-quote, but never expanded:
 * `$RUN_ID` and `${HOME}` stay as written. Unquoted shell operators, globs and comments are refused, since no shell
 * runs them (shell-quote marks them).
 * @throws BadInput naming `--args`: a quote left open, a NUL character, or an unquoted operator, glob or comment.
 */
export function splitArgs(text: string): string[] {
  const open = openQuote(text);
  if (open !== undefined) {
    throw new BadInput(
      `--args ${JSON.stringify(text)}: the ${open.quote} at character ${open.at + 1} is never closed; close every quote (write a literal quote as \\" or inside the other kind of quotes)`,
    );
  }
  if (text.includes(DOLLAR)) throw new BadInput(`--args ${JSON.stringify(text)}: a NUL character cannot be passed in an argument; remove it`);
  const parts = parse(text.replaceAll("$", DOLLAR));
  const marked = parts.find((part) => typeof part !== "string");
  if (marked !== undefined) {
    throw new BadInput(
      `--args ${JSON.stringify(text)}: expected plain arguments, without shell operators, globs or comments (${JSON.stringify(marked)}); quote them to pass them as text`,
    );
  }
  return (parts as string[]).map((part) => part.replaceAll(DOLLAR, "$"));
}

/**
 * The quote `text` leaves open and where (0-based), read as a shell reads it (a backslash escapes the next character
 * outside single quotes), or `undefined`. Checked before splitting: shell-quote silently drops a quote that has no
 * closing one (its chunker matches a quote only with its pair; src: node_modules/shell-quote/parse.js,
 * DOUBLE_QUOTE and SINGLE_QUOTE), so `it's` would split into `it` and `s`.
 */
function openQuote(text: string): { quote: string; at: number } | undefined {
  let open: { quote: string; at: number } | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\" && open?.quote !== "'") i++;
    else if (open === undefined && (c === '"' || c === "'")) open = { quote: c, at: i };
    else if (c === open?.quote) open = undefined;
  }
  return open;
}

/**
 * The per-execution overrides of a run, or `undefined` when no override flag was given (then no `overrides`
 * field is sent: running with overrides needs `run.jobs.runWithOverrides` too). Args replace the job's args
 * (an empty `--args ""` clears them), env merges into the job's env, the task count and the per-task timeout
 * replace the job's (src: `RunJobRequest.Overrides` in google/cloud/run/v2/job.proto).
 * @throws BadInput naming the flag: both `--args` and `--arg`, unparsable args (see {@link splitArgs}), a task
 * count out of 1-10000, a bad `--env` (see {@link parseEnv}).
 */
export function buildOverrides(flags: OverrideFlags, extraEnv: readonly { name: string; value: string }[] = []): Overrides | undefined {
  if (flags.args !== undefined && flags.arg?.length) throw new BadInput("--args and --arg: give the argument list one way, not both");
  let args: string[] | undefined = flags.arg?.length ? [...flags.arg] : undefined;
  if (flags.args !== undefined) {
    args = splitArgs(flags.args);
  }
  const env = [...parseEnv(flags.env ?? []), ...extraEnv];
  let taskCount: number | undefined;
  if (flags.tasks !== undefined) {
    taskCount = Number(flags.tasks);
    if (!/^\d+$/.test(flags.tasks) || taskCount < 1 || taskCount > MAX_TASK_COUNT)
      throw new BadInput(`--tasks "${flags.tasks}": expected a whole number from 1 to ${MAX_TASK_COUNT}`);
  }
  const timeout = flags.timeoutSeconds;
  if (args === undefined && env.length === 0 && taskCount === undefined && timeout === undefined) return undefined;
  const container = { ...(args !== undefined && { args, ...(args.length === 0 && { clearArgs: true }) }), ...(env.length > 0 && { env }) };
  return {
    ...(Object.keys(container).length > 0 && { containerOverrides: [container] }),
    ...(taskCount !== undefined && { taskCount }),
    ...(timeout !== undefined && { timeout: { seconds: timeout } }),
  };
}
