import { EXIT } from "../../errors";
import { invocation, summaryLine } from "./output";

/** What a pipeline run reports, whichever way it ran (from here, `--remote`, `--local`). */
export interface PipelineOutcome {
  readonly pipeline: string;
  readonly runId?: string;
  readonly stagingPrefix?: string;
  /** How many steps ran (the failed one last). */
  readonly ran: number;
  readonly exitCode: number;
  /** The step that failed, when the run says so (`--remote`). */
  readonly failedStep?: string;
}

/**
 * The summary line of a pipeline run: its state, how long, the run id and staging prefix, and on a failure the
 * command that resumes it at the failed step with the same run id (`pipeline <name> --from <step> --run-id <id>`,
 * with the flags that chose where it ran, e.g. `--local`), through `command` (`job` by default; `local` for a run of
 * `local pipeline`, whose state folder `job --local` does not take).
 * @param steps - the pipeline's steps in order; `from` the step the run resumed at, if any.
 * @example
 * pipelineSummary({ pipeline: "etl", runId: "r1", ran: 2, exitCode: 1 }, { steps: ["extract", "load", "transform"], ms: 4000, env: {}, flags: [] });
 * // "pipeline etl: FAILED at load in 4s; run r1; resume: cloudrun-pipelines job pipeline etl --from load --run-id r1\n"
 */
export function pipelineSummary(
  outcome: PipelineOutcome,
  context: { steps: readonly string[]; from?: string; ms: number; env: NodeJS.ProcessEnv; flags: readonly string[]; command?: "job" | "local" },
): string {
  const start = context.from !== undefined ? Math.max(context.steps.indexOf(context.from), 0) : 0;
  const failedStep = outcome.exitCode === 0 ? undefined : (outcome.failedStep ?? context.steps[start + Math.max(outcome.ran - 1, 0)]);
  const results = [...(outcome.runId ? [`run ${outcome.runId}`] : []), ...(outcome.stagingPrefix ? [`staging ${outcome.stagingPrefix}`] : [])];
  const resume =
    failedStep !== undefined && outcome.runId
      ? [
          invocation(context.command ?? "job", context.env),
          ...context.flags,
          "pipeline",
          outcome.pipeline,
          "--from",
          failedStep,
          "--run-id",
          outcome.runId,
        ].join(" ")
      : undefined;
  return summaryLine({
    what: `pipeline ${outcome.pipeline}`,
    state: failedStep === undefined ? "SUCCEEDED" : `${outcome.exitCode === EXIT.sigint ? "INTERRUPTED" : "FAILED"} at ${failedStep}`,
    ms: context.ms,
    results,
    resume,
  });
}
