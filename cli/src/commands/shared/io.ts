/** What a command talks to: its two streams, its environment and its signals; tests pass their own. */
export interface CommandIo {
  /** Standard output: only what a program parses (`--json`), or a query's answer. */
  out: (text: string) => void;
  /** Standard error: progress, logs, the summary line and the `error:` line. */
  err: (text: string) => void;
  /** Whether standard error is a terminal (readable log lines, a progress bar). */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** Registers a handler for SIGINT and SIGTERM (the command then stops what it started); returns its removal. */
  onInterrupt: (handler: () => void) => () => void;
}

/**
 * A writer on `stream` that goes quiet once the reader has gone (EPIPE, e.g. `... | head -1`): Node emits the failed
 * write as an `error` event, which with no listener ends the process with a stack (src:
 * https://nodejs.org/api/stream.html#event-error, "the stream is not closed when the 'error' event is emitted").
 * The command carries on and ends with its own exit code.
 */
export function quietOnEpipe(stream: NodeJS.WriteStream): (text: string) => void {
  let gone = false;
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
    gone = true;
  });
  return (text) => {
    if (!gone) stream.write(text);
  };
}
