import { spawn, SpawnOptions, spawnSync, SpawnSyncOptions, SpawnSyncReturns } from "child_process";

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

/** A line a child wrote: the stream, the text, and the object when the line is JSON (the images' structured logs). */
export interface ChildLine {
  readonly stream: "stdout" | "stderr";
  readonly text: string;
  readonly json?: Record<string, unknown>;
}

/** A running `node` child whose output is read line by line as it comes. */
export interface RunningChild {
  /** Every complete line so far, in the order they arrived. */
  readonly lines: ChildLine[];
  /** The first line, already written or still to come, that `matches` accepts. Rejects when the child ends without one. */
  waitFor(matches: (line: ChildLine) => boolean): Promise<ChildLine>;
  /** Resolves once the child has ended and its output is read: its exit code, or the signal that ended it. */
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts `node` with `args` and reads its stdout and stderr line by line, for tests that act on what a long-running
 * child says (a service's "listening" line, a stop's log lines). The test stops it: the child has no timeout of
 * its own, and mocha's timeout ({@link CHILD_TEST_TIMEOUT_MS}) applies, since nothing here blocks the event loop.
 */
export function startNode(args: readonly string[], options: Omit<SpawnOptions, "stdio"> = {}): RunningChild {
  const child = spawn(process.execPath, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  const lines: ChildLine[] = [];
  let waiters: { matches: (line: ChildLine) => boolean; resolve: (line: ChildLine) => void; reject: (err: Error) => void }[] = [];
  const add = (stream: ChildLine["stream"], text: string) => {
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = undefined;
    }
    const line = { stream, text, ...(json && typeof json === "object" && { json }) };
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.matches(line))) waiter.resolve(line);
    waiters = waiters.filter((w) => !w.matches(line));
  };
  for (const stream of ["stdout", "stderr"] as const) {
    let rest = "";
    child[stream].on("data", (chunk: Buffer) => {
      const parts = (rest + chunk.toString("utf8")).split("\n");
      rest = parts.pop() ?? "";
      for (const text of parts) add(stream, text);
    });
    child[stream].on("end", () => rest && add(stream, rest));
  }
  let closed = false;
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("close", (code, signal) => {
      closed = true;
      for (const waiter of waiters)
        waiter.reject(
          new Error(`node ${args.join(" ")} ended (${code ?? signal}) without the line waited for; its output:\n${lines.map((l) => l.text).join("\n")}`),
        );
      waiters = [];
      resolve({ code, signal });
    });
  });
  return {
    lines,
    ended,
    kill: (signal) => void child.kill(signal),
    waitFor(matches) {
      const seen = lines.find(matches);
      if (seen) return Promise.resolve(seen);
      if (closed) return Promise.reject(new Error(`node ${args.join(" ")} has ended without the line waited for`));
      return new Promise((resolve, reject) => waiters.push({ matches, resolve, reject }));
    },
  };
}
