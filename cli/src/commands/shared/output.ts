import type { CommandIo } from "./io";

/** Prints `value` as the one JSON document on standard output (`--json`): indented, one trailing newline. */
export function printJson(io: Pick<CommandIo, "out">, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** A duration for people: `850ms`, `42s`, `3m05s`, `1h02m`. */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const pad = (n: number) => String(n).padStart(2, "0");
  return s < 3600 ? `${Math.floor(s / 60)}m${pad(s % 60)}s` : `${Math.floor(s / 3600)}h${pad(Math.floor(s / 60) % 60)}m`;
}

/**
 * How the user runs a command of this CLI, for a command line to copy: `npm run <script> --` under one of this
 * repository's npm scripts (npm sets `npm_lifecycle_event` to the script's name; src:
 * https://docs.npmjs.com/cli/v11/using-npm/scripts#current-lifecycle-event), else the bin.
 * @example
 * invocation("job", { npm_lifecycle_event: "job" }); // "npm run job --"
 */
export function invocation(command: string, env: NodeJS.ProcessEnv): string {
  return env.npm_lifecycle_event === command ? `npm run ${command} --` : `cloudrun-pipelines ${command}`;
}

/**
 * The one human line that ends a long run, on standard error: what ran and how it ended, how long it took, where
 * the results are, and on a failure the command that resumes it.
 * @example
 * summaryLine({ what: "job extract", state: "SUCCEEDED", ms: 65_000, results: ["logs https://…"] });
 * // "job extract: SUCCEEDED in 1m05s; logs https://…\n"
 */
export function summaryLine(run: { what: string; state: string; ms: number; results?: readonly string[]; resume?: string }): string {
  const parts = [`${run.what}: ${run.state} in ${humanDuration(run.ms)}`, ...(run.results ?? []), ...(run.resume ? [`resume: ${run.resume}`] : [])];
  return `${parts.join("; ")}\n`;
}
