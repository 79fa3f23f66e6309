import type { protos } from "@google-cloud/run";
import { JobOutput } from "../contract/outputs";
import { EXIT } from "../errors";
import { Execution, FailedTask, millis, outcome, RunApi, seconds } from "./api";
import { RunIo, watchInterrupt } from "./io";
import { followExecution, LogsOption } from "./logs";
import { createProgress } from "./progress";
import { waitForExecution } from "./wait";

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

const iso = (t: protos.google.protobuf.ITimestamp | null | undefined) => (t ? new Date(millis(t)!).toISOString() : undefined);

/**
 * The console page of an execution. UNVERIFIED: the path is the one the Cloud Run console shows for an execution; no
 * reference page documents console URLs (a link, never parsed: a wrong one misleads, it breaks nothing).
 */
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

/**
 * Runs one execution of `job` with `overrides` (none: no overrides field), prints its name, log link and console
 * URL as soon as it exists, shows progress (and its log lines with `logs`), and reports the outcome. Ctrl-C
 * cancels the execution (exit 130); `detach` returns right after the start.
 */
export async function runJob(
  api: RunApi,
  job: JobOutput,
  overrides: protos.google.cloud.run.v2.RunJobRequest.IOverrides | undefined,
  options: { detach: boolean; io: RunIo; logs?: LogsOption },
): Promise<RunReport> {
  const { io } = options;
  const started = await api.start({ name: job.name, ...(overrides && { overrides }) });
  const startedMs = (api.timing.now ?? Date.now)();
  const interruption = watchInterrupt(io);
  const interrupted = () => interruption.interrupted;
  try {
    io.err(`${started.adopted ? "adopted execution (RunJob failed after creating it)" : "started execution"} ${started.name}\n`);
    const logs = options.logs && !options.detach ? followExecution(api.logging, options.logs, job, started.name, io, api.timing) : undefined;
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
    const execution = await waitForExecution(api, started, {
      show,
      stop: { stopped: interrupted, woken: interruption.woken },
      startedMs,
      detach: options.detach,
      job: job.name,
      note: io.err,
    });
    progress.stop();
    await logs?.stop(!interrupted());
    if (options.detach && !interrupted()) return report(job, execution, started.adopted, [], EXIT.done, "STARTED");
    if (interrupted()) {
      io.err(`interrupted: cancelling ${started.name}\n`);
      await api.cancel(started.name);
      return report(job, execution, started.adopted, [], EXIT.sigint, "CANCELLED");
    }
    const state = outcome(execution);
    if (state === "SUCCEEDED") {
      io.err(`execution ${started.name} succeeded: ${execution.succeededCount}/${execution.taskCount} tasks\n`);
      return report(job, execution, started.adopted, [], EXIT.done, state);
    }
    const failed = await api.failedTasks(started.name);
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
