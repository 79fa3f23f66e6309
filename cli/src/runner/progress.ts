import { Format, SingleBar } from "cli-progress";
import { Execution } from "./api";

/** Shows an execution's task progress on stderr. */
export interface Progress {
  update(execution: Execution): void;
  stop(): void;
}

const counts = (e: Execution) => ({
  running: e.runningCount ?? 0,
  succeeded: e.succeededCount ?? 0,
  failed: e.failedCount ?? 0,
  cancelled: e.cancelledCount ?? 0,
  total: e.taskCount ?? 0,
});

/** The bar's line; `{elapsed}` is read from the clock at each redraw. */
const BAR_FORMAT = "tasks {bar} {succeeded}/{total} succeeded, {running} running, {failed} failed | {elapsed}s";

/**
 * A progress bar (cli-progress) when stderr is a terminal; otherwise one plain line whenever the task counts
 * change: `[12s] tasks: 2 running, 1 succeeded, 0 failed, 4 total`. The bar redraws on its own timer (cli-progress's
 * `throttleTime`, 100 ms by default: `node_modules/cli-progress/lib/single-bar.js` `render`), and its elapsed time is
 * read from `now` at each redraw, so it advances between two updates (a poll can be 15 s apart, an operation wait longer).
 */
export function createProgress(
  write: (text: string) => void,
  isTTY: boolean,
  now: () => number = Date.now,
  stream: NodeJS.WritableStream = process.stderr,
): Progress {
  const started = now();
  const elapsed = () => Math.round((now() - started) / 1000);
  if (isTTY) {
    const bar = new SingleBar({
      format: (options, params, payload: object) => Format.Formatter({ ...options, format: BAR_FORMAT }, params, { ...payload, elapsed: elapsed() }),
      stream,
      hideCursor: true,
    });
    let startedBar = false;
    return {
      update(execution) {
        const c = counts(execution);
        if (!startedBar) {
          bar.start(c.total, c.succeeded, c);
          startedBar = true;
        }
        bar.setTotal(c.total);
        bar.update(c.succeeded + c.failed + c.cancelled, c);
      },
      stop: () => bar.stop(),
    };
  }
  let last = "";
  return {
    update(execution) {
      const c = counts(execution);
      const line = `tasks: ${c.running} running, ${c.succeeded} succeeded, ${c.failed} failed${c.cancelled ? `, ${c.cancelled} cancelled` : ""}, ${c.total} total`;
      if (line !== last) write(`[${elapsed()}s] ${line}\n`);
      last = line;
    },
    stop: () => undefined,
  };
}
