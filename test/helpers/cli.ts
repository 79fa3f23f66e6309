import { main } from "../../cli/src/commands/job";
import { createClients } from "../../cli/src/runner/client";
import { DEFAULT_TIMING, Timing } from "../../cli/src/runner/timing";
import { PipelineReport } from "../../cli/src/runner/pipeline";
import { RemoteReport } from "../../cli/src/runner/remote";
import { RunReport } from "../../cli/src/runner/run";

/** Fast polls for tests against the local fakes: 5 ms growing to 20 ms. */
export const FAST_TIMING: Timing = { ...DEFAULT_TIMING, pollMs: { first: 5, factor: 1.5, max: 20 }, retryMs: 5 };

/**
 * Runs the runner's CLI in-process against local fakes (`env` names their hosts) with an outputs file.
 * `interruptAfter` sends Ctrl-C once stderr contains that text; `timing` may read stderr so far; `isTTY` makes stderr a
 * terminal (default: not).
 */
export async function runCli(
  args: string[],
  options: {
    outputsFile: string;
    env: Record<string, string>;
    timing?: Timing | ((err: () => string) => Timing);
    interruptAfter?: string;
    isTTY?: boolean;
  },
): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  let handler: (() => void) | undefined;
  const timing = typeof options.timing === "function" ? options.timing(() => err) : (options.timing ?? FAST_TIMING);
  const code = await main(["--outputs", options.outputsFile, ...args], {
    out: (t) => (out += t),
    err: (t) => {
      err += t;
      if (options.interruptAfter && err.includes(options.interruptAfter)) handler?.();
    },
    isTTY: options.isTTY ?? false,
    env: options.env,
    clients: createClients(options.env),
    timing,
    onInterrupt: (h) => ((handler = h), () => (handler = undefined)),
  });
  return { code, out, err };
}

/**
 * The one JSON document the runner prints on stdout with `--json` (cli/src/commands/job.ts): the report of the command run, `T`
 * (`run`: {@link RunReport}; `pipeline`: {@link PipelineReport}; `pipeline --remote`: {@link RemoteReport}).
 */
export function jsonReport<T extends RunReport | PipelineReport | RemoteReport>(out: string): T {
  return JSON.parse(out) as T;
}
