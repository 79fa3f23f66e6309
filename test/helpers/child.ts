import { spawnSync, SpawnSyncOptions, SpawnSyncReturns } from "child_process";

/**
 * Mocha's timeout for a test that spawns a child process (a TypeScript file through the require hook, tsc): far above its duration even on a loaded
 * machine, so it measures nothing about time. Such a test calls `this.timeout(CHILD_TEST_TIMEOUT_MS)`.
 */
export const CHILD_TEST_TIMEOUT_MS = 10 * 60_000;

/**
 * The child's own timeout, below the test's: `spawnSync` blocks the event loop, so mocha's timer cannot fire while
 * it waits, and a hung child would hang the run. Killed at this timeout, the child is reported as a test failure
 * (the `timeout` option of `spawnSync`, src: https://nodejs.org/api/child_process.html#child_processspawnsynccommand-args-options).
 */
const CHILD_TIMEOUT_MS = CHILD_TEST_TIMEOUT_MS - 30_000;

/**
 * Runs `node` with `args` and waits for it, with text output; at most {@link CHILD_TIMEOUT_MS}.
 * @throws Error when it cannot be started or runs past its timeout (killed), with its stderr so far.
 */
export function runNode(args: readonly string[], options: Omit<SpawnSyncOptions, "encoding" | "timeout"> = {}): SpawnSyncReturns<string> {
  const result = spawnSync(process.execPath, args, { ...options, encoding: "utf8", timeout: CHILD_TIMEOUT_MS });
  if (result.error) throw new Error(`node ${args.join(" ")}: ${result.error.message}\n${result.stderr ?? ""}`);
  return result;
}
