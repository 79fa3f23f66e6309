import { RunnerOutputs } from "../contract/outputs";
import { EXIT } from "../errors";
import { jobByKey } from "../project/outputs";
import { RunApi } from "./api";
import { firstStep, pipelineByName, pipelineRun } from "./chain";
import { RunIo } from "./io";
import { LogsOption, runLogs } from "./logs";
import { runJob, RunReport } from "./run";

/** The result of a pipeline run, also its `--json` document. */
export interface PipelineReport {
  pipeline: string;
  runId: string;
  stagingPrefix: string;
  steps: RunReport[];
  exitCode: number;
}

/**
 * Runs a declared chain of jobs one after the other, stopping at the first that does not succeed. Every step gets
 * the same `RUN_ID` and `STAGING_PREFIX=gs://<staging bucket>/<run id>/` (plus the user's `--env`), so each step
 * reads exactly what the one before wrote. With `from` (and the failed run's `runId`), the steps before `from` are
 * skipped: a resume.
 * With `allowEnvOverride`, the user's `RUN_ID` and `STAGING_PREFIX` replace the pipeline's (the staging prefix then
 * derives from the given run id unless it is given too).
 * @throws BadInput for an unknown pipeline (listing the known ones), a bad `--env`, `--from` or `--run-id`, or `--env`
 * setting RUN_ID or STAGING_PREFIX without `allowEnvOverride`.
 */
export async function runPipeline(
  api: RunApi,
  outputs: RunnerOutputs,
  name: string,
  env: readonly string[],
  options: { io: RunIo; runId?: string; from?: string; logs?: LogsOption; allowEnvOverride?: boolean },
): Promise<PipelineReport> {
  const pipeline = pipelineByName(outputs, name);
  const first = firstStep(pipeline.steps, options);
  const jobs = pipeline.steps.map((step) => jobByKey(outputs, step));
  const { runId, stagingPrefix, overrides } = pipelineRun(pipeline.stagingBucket, env, options);
  options.io.err(`pipeline ${name}: run ${runId}, staging ${stagingPrefix}\n`);
  const steps: RunReport[] = [];
  const logs = runLogs(jobs[0].project, runId, outputs.logView);
  const printLogs = () => options.io.err(`logs of run ${runId}: ${logs.filter}\n  ${logs.url}\n`);
  for (const [i, job] of jobs.entries()) {
    if (i < first) {
      options.io.err(`step ${i + 1}/${jobs.length}: ${pipeline.steps[i]} skipped (resuming at ${options.from})\n`);
      continue;
    }
    options.io.err(`step ${i + 1}/${jobs.length}: ${pipeline.steps[i]}\n`);
    const stepLogs = options.logs && { ...options.logs, prefix: `${pipeline.steps[i]} ` };
    const result = await runJob(api, job, overrides, { detach: false, io: options.io, logs: stepLogs });
    steps.push(result);
    if (result.exitCode !== EXIT.done) {
      options.io.err(`pipeline ${name} stopped at ${pipeline.steps[i]}; ${jobs.length - i - 1} steps not run\n`);
      printLogs();
      return { pipeline: name, runId, stagingPrefix, steps, exitCode: result.exitCode };
    }
  }
  printLogs();
  return { pipeline: name, runId, stagingPrefix, steps, exitCode: EXIT.done };
}
