import type { protos } from "@google-cloud/run";
import { OperationsWaiter, RunClients } from "./client";
import {
  cancel,
  Execution,
  expectedDuration,
  failedTasks,
  FailedTask,
  finished,
  outcome,
  read,
  seconds,
  start,
  Started,
  Timing,
  wait,
  waitOperation,
} from "./execute";
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

const iso = (t: protos.google.protobuf.ITimestamp | null | undefined) =>
  t ? new Date(Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString() : undefined;

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
  const interruption = watchInterrupt(io);
  const interrupted = () => interruption.interrupted;
  // A Ctrl-C ends the wait between two polls at once.
  const waitTiming: Timing = { ...timing, sleep: (ms) => Promise.race([timing.sleep(ms), interruption.woken]) };
  try {
    io.err(`${started.adopted ? "adopted execution (RunJob failed after creating it)" : "started execution"} ${started.name}\n`);
    const logs =
      options.logs && !options.detach
        ? followLogs({
            client: clients.logging,
            resourceNames: options.logs.resourceNames,
            filter: executionFilter(job.jobName, job.region, started.name),
            prefix: options.logs.prefix,
            write: io.err,
            pretty: io.isTTY,
            timing,
            graceMs: options.logs.graceMs,
          })
        : undefined;
    // Log lines and a redrawn bar do not mix: with logs, progress is plain lines.
    const progress = createProgress(io.err, io.isTTY && !logs);
    let first = true;
    const show = (e: Execution) => {
      if (first) {
        io.err(`logs:    ${e.logUri ?? "(not yet available)"}\nconsole: ${consoleUrl(job, started.name)}\n`);
        first = false;
      }
      if (!options.detach) progress.update(e);
    };
    const execution =
      options.detach || !started.operation || !clients.operations || unusable.has(clients.operations)
        ? await poll(clients, started.name, waitTiming, show, () => options.detach || interrupted(), { startedMs, history: !options.detach && job.name })
        : await waitForOperation(
            clients,
            clients.operations,
            { ...started, operation: started.operation },
            waitTiming,
            show,
            { stopped: interrupted, woken: interruption.woken },
            { startedMs, job: job.name, io },
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
    io.err(
      `execution ${started.name} ${state === "CANCELLED" ? "was cancelled" : "failed"}: ${execution.succeededCount ?? 0}/${execution.taskCount} tasks succeeded\n`,
    );
    for (const t of failed)
      io.err(
        `  task ${t.index}: ${t.exitCode !== undefined ? `exit code ${t.exitCode}` : t.signal !== undefined ? `signal ${t.signal}` : "failed"}${t.message ? ` (${t.message})` : ""}\n`,
      );
    return report(job, execution, started.adopted, failed, EXIT.failed, state);
  } finally {
    interruption.remove();
  }
}

/**
 * Polls the execution (GetExecution) until it finishes, with a read right at the end the job's history predicts
 * (`history`: the job whose recent runs to read) or, without one, the growing delays of {@link nextPollDelay}.
 */
async function poll(
  clients: RunClients,
  name: string,
  timing: Timing,
  show: (e: Execution) => void,
  stopped: () => boolean,
  expected: { startedMs: number; history: string | false; known?: Execution },
): Promise<Execution> {
  // The job's usual duration lets the wait read the execution right when it is expected to end (prompt exit).
  const durationMs = expected.history ? await expectedDuration(clients, expected.history, timing) : undefined;
  return wait(clients, name, timing, show, stopped, { startedMs: expected.startedMs, durationMs, known: expected.known });
}

/** Waiters whose WaitOperation was found unusable (denied or unimplemented) in this process. */
const unusable = new WeakSet<OperationsWaiter>();

/**
 * Reads the execution once (its log link and first progress), then waits on RunJob's operation with
 * WaitOperation until it is done and reads the execution once more for the final counts: a prompt exit on a
 * job's first run too, with one read per `timing.waitOperationMs`. Where WaitOperation is not usable (no
 * `run.operations.get` on the project, or not implemented), says so in one line and polls instead.
 */
async function waitForOperation(
  clients: RunClients,
  waiter: OperationsWaiter,
  started: Started & { operation: string },
  timing: Timing,
  show: (e: Execution) => void,
  stop: { stopped(): boolean; woken: Promise<void> },
  context: { startedMs: number; job: string; io: RunIo },
): Promise<Execution> {
  const getExecution = async () => (await read(`GetExecution ${started.name}`, () => clients.executions.getExecution({ name: started.name }), timing))[0];
  let latest = await getExecution();
  show(latest);
  if (finished(latest) || stop.stopped()) return latest;
  const ended = await waitOperation(waiter, started.operation, timing, (e) => show((latest = e)), stop);
  if (ended.end === "stopped") return latest;
  if (ended.end === "unusable") {
    unusable.add(waiter); // the later steps of a pipeline poll at once, without a second note
    context.io.err(`note: cannot wait on the operation (WaitOperation ${ended.reason}); polling the execution instead (see "Prompt exit" in docs/runner.md)\n`);
    return poll(clients, started.name, timing, show, () => stop.stopped(), { startedMs: context.startedMs, history: context.job, known: latest });
  }
  latest = await getExecution();
  show(latest);
  return latest;
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
