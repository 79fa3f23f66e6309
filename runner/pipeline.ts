import { randomBytes } from "crypto";
import { RunClients } from "./client";
import { BadInput, EXIT } from "./errors";
import { Timing } from "./execute";
import { buildOverrides } from "./overrides";
import { runLogs } from "./logs";
import { jobByKey, StackOutputs } from "./outputs";
import { LogsOption, RunIo, runJob, RunReport } from "./run";

/** The result of a pipeline run, also its `--json` document. */
export interface PipelineReport {
  pipeline: string;
  runId: string;
  stagingPrefix: string;
  steps: RunReport[];
  exitCode: number;
}

/** A run id: the UTC time and 4 random hex digits, lowercase, usable in object paths, e.g. `20261123t053000z-a1b2`. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "z").toLowerCase();
  return `${stamp}-${randomBytes(2).toString("hex")}`;
}

/**
 * Runs a declared chain of jobs one after the other, stopping at the first that does not succeed. Every step gets
 * the same `RUN_ID` and `STAGING_PREFIX=gs://<staging bucket>/<run id>/` (plus the user's `--env`), so each step
 * reads exactly what the one before wrote.
 * @throws BadInput for an unknown pipeline (listing the known ones) or a bad `--env`.
 */
export async function runPipeline(
  clients: RunClients,
  outputs: StackOutputs,
  name: string,
  env: readonly string[],
  options: { timing: Timing; io: RunIo; runId?: string; logs?: LogsOption },
): Promise<PipelineReport> {
  const pipeline = outputs.pipelines[name];
  if (!pipeline) throw new BadInput(`unknown pipeline "${name}": the stack has ${Object.keys(outputs.pipelines).sort().join(", ") || "no pipelines"}`);
  const jobs = pipeline.steps.map((step) => jobByKey(outputs, step));
  const runId = options.runId ?? newRunId();
  const stagingPrefix = `gs://${pipeline.stagingBucket}/${runId}/`;
  const overrides = buildOverrides({ env: [...env] }, [
    { name: "RUN_ID", value: runId },
    { name: "STAGING_PREFIX", value: stagingPrefix },
  ]);
  options.io.err(`pipeline ${name}: run ${runId}, staging ${stagingPrefix}\n`);
  const steps: RunReport[] = [];
  const logs = runLogs(jobs[0].project, runId, outputs.logView);
  const printLogs = () => options.io.err(`logs of run ${runId}: ${logs.filter}\n  ${logs.url}\n`);
  for (const [i, job] of jobs.entries()) {
    options.io.err(`step ${i + 1}/${jobs.length}: ${pipeline.steps[i]}\n`);
    const stepLogs = options.logs && { ...options.logs, prefix: `${pipeline.steps[i]} ` };
    const result = await runJob(clients, job, overrides, { detach: false, timing: options.timing, io: options.io, logs: stepLogs });
    steps.push(result);
    if (result.exitCode !== EXIT.succeeded) {
      options.io.err(`pipeline ${name} stopped at ${pipeline.steps[i]}; ${jobs.length - i - 1} steps not run\n`);
      printLogs();
      return { pipeline: name, runId, stagingPrefix, steps, exitCode: result.exitCode };
    }
  }
  printLogs();
  return { pipeline: name, runId, stagingPrefix, steps, exitCode: EXIT.succeeded };
}
