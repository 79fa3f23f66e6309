import { SingleBar } from "cli-progress";
import { Execution } from "./execute";

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

/**
 * A progress bar (cli-progress) when stderr is a terminal; otherwise one plain line whenever the task counts
 * change: `[12s] tasks: 2 running, 1 succeeded, 0 failed, 4 total`.
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
      format: "tasks {bar} {succeeded}/{total} succeeded, {running} running, {failed} failed | {elapsed}s",
      stream,
      hideCursor: true,
    });
    let startedBar = false;
    return {
      update(execution) {
        const c = counts(execution);
        if (!startedBar) {
          bar.start(c.total, c.succeeded, { ...c, elapsed: elapsed() });
          startedBar = true;
        }
        bar.setTotal(c.total);
        bar.update(c.succeeded + c.failed + c.cancelled, { ...c, elapsed: elapsed() });
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
