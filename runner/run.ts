import type { protos } from "@google-cloud/run";
import { RunClients } from "./client";
import { cancel, Execution, expectedDuration, failedTasks, FailedTask, outcome, seconds, start, Timing, wait } from "./execute";
import { EXIT } from "./errors";
import { executionFilter, followLogs } from "./logs";
import { JobOutput } from "./outputs";
import { createProgress } from "./progress";

/** Where a run writes and how it is interrupted. */
export interface RunIo {
  /** Progress and messages (stderr). */
  err: (text: string) => void;
  isTTY: boolean;
  /** Registers the Ctrl-C (SIGINT/SIGTERM) handler; returns its removal. */
  onInterrupt(handler: () => void): () => void;
}

/** The result of one run, also the `--json` document. */
export interface RunReport {
  job: string;
  execution: string;
  state: "SUCCEEDED" | "FAILED" | "CANCELLED" | "STARTED";
  adopted: boolean;
  taskCount: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  startTime?: string;
  completionTime?: string;
  durationSeconds?: number;
  logUri?: string;
  consoleUrl: string;
  failedTasks: FailedTask[];
  exitCode: number;
}

const iso = (t: protos.google.protobuf.ITimestamp | null | undefined) => (t ? new Date(Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString() : undefined);

/** The console page of an execution. */
export function consoleUrl(job: JobOutput, execution: string): string {
  return `https://console.cloud.google.com/run/jobs/executions/details/${job.region}/${execution.split("/").pop()}?project=${job.project}`;
}

/** The report of an execution as read from the API. */
export function report(job: JobOutput, execution: Execution, adopted: boolean, failed: FailedTask[], exitCode: number, state: RunReport["state"]): RunReport {
  return {
    job: job.name,
    execution: execution.name ?? "",
    state,
    adopted,
    taskCount: execution.taskCount ?? 0,
    succeeded: execution.succeededCount ?? 0,
    failed: execution.failedCount ?? 0,
    cancelled: execution.cancelledCount ?? 0,
    startTime: iso(execution.startTime ?? execution.createTime),
    completionTime: iso(execution.completionTime),
    durationSeconds: seconds(execution.startTime ?? execution.createTime, execution.completionTime),
    logUri: execution.logUri ?? undefined,
    consoleUrl: consoleUrl(job, execution.name ?? ""),
    failedTasks: failed,
    exitCode,
  };
}

/** `--logs`: stream the execution's container log lines to stderr while waiting. */
export interface LogsOption {
  /** Where to read logs: the stack's log view, else `projects/<project>`. */
  resourceNames: string[];
  /** Before `task <i>` on every line, e.g. `extract ` in a pipeline. */
  prefix?: string;
  /** How long lines arriving after the end are waited for. @default 5000 */
  graceMs?: number;
}

/**
 * Runs one execution of `job` with `overrides` (none: no overrides field), prints its name, log link and console
 * URL as soon as it exists, shows progress (and its log lines with `logs`), and reports the outcome. Ctrl-C
 * cancels the execution (exit 130); `detach` returns right after the start.
 */
export async function runJob(
  clients: RunClients,
  job: JobOutput,
  overrides: protos.google.cloud.run.v2.RunJobRequest.IOverrides | undefined,
  options: { detach: boolean; timing: Timing; io: RunIo; logs?: LogsOption },
): Promise<RunReport> {
  const { io, timing } = options;
  const started = await start(clients, { name: job.name, ...(overrides && { overrides }) }, timing);
  const startedMs = (timing.now ?? Date.now)();
  // The job's usual duration lets the wait read the execution right when it is expected to end (prompt exit).
  const durationMs = options.detach ? undefined : await expectedDuration(clients, job.name, timing);
  const interruption = watchInterrupt(io);
  const interrupted = () => interruption.interrupted;
  // A Ctrl-C ends the wait between two polls at once.
  const waitTiming: Timing = { ...timing, sleep: (ms) => Promise.race([timing.sleep(ms), interruption.woken]) };
  try {
    io.err(`${started.adopted ? "adopted execution (RunJob failed after creating it)" : "started execution"} ${started.name}\n`);
    const logs =
      options.logs && !options.detach
        ? followLogs({ client: clients.logging, resourceNames: options.logs.resourceNames, filter: executionFilter(job.jobName, job.region, started.name), prefix: options.logs.prefix, write: io.err, timing, graceMs: options.logs.graceMs })
        : undefined;
    // Log lines and a redrawn bar do not mix: with logs, progress is plain lines.
    const progress = createProgress(io.err, io.isTTY && !logs);
    let first = true;
    const execution = await wait(
      clients,
      started.name,
      waitTiming,
      (e) => {
        if (first) {
          io.err(`logs:    ${e.logUri ?? "(not yet available)"}\nconsole: ${consoleUrl(job, started.name)}\n`);
          first = false;
        }
        if (!options.detach) progress.update(e);
      },
      () => options.detach || interrupted(),
      { startedMs, durationMs },
    );
    progress.stop();
    await logs?.stop(!interrupted());
    if (options.detach && !interrupted()) return report(job, execution, started.adopted, [], EXIT.succeeded, "STARTED");
    if (interrupted()) {
      io.err(`interrupted: cancelling ${started.name}\n`);
      await cancel(clients, started.name, timing);
      return report(job, execution, started.adopted, [], EXIT.interrupted, "CANCELLED");
    }
    const state = outcome(execution);
    if (state === "SUCCEEDED") {
      io.err(`execution ${started.name} succeeded: ${execution.succeededCount}/${execution.taskCount} tasks\n`);
      return report(job, execution, started.adopted, [], EXIT.succeeded, state);
    }
    const failed = await failedTasks(clients, started.name, timing);
    io.err(`execution ${started.name} ${state === "CANCELLED" ? "was cancelled" : "failed"}: ${execution.succeededCount ?? 0}/${execution.taskCount} tasks succeeded\n`);
    for (const t of failed) io.err(`  task ${t.index}: ${t.exitCode !== undefined ? `exit code ${t.exitCode}` : t.signal !== undefined ? `signal ${t.signal}` : "failed"}${t.message ? ` (${t.message})` : ""}\n`);
    return report(job, execution, started.adopted, failed, EXIT.failed, state);
  } finally {
    interruption.remove();
  }
}

/** Ctrl-C while waiting: whether it came, a promise that resolves when it does, and the handler's removal. */
export function watchInterrupt(io: RunIo): { readonly interrupted: boolean; woken: Promise<void>; remove(): void } {
  let wake = () => undefined as void;
  const state = { interrupted: false, woken: new Promise<void>((resolve) => (wake = resolve)), remove: () => undefined as void };
  state.remove = io.onInterrupt(() => {
    state.interrupted = true;
    wake();
  });
  return state;
}
