import { JobOutput, RunnerOutputs } from "../contract/outputs";
import { BadInput, EXIT } from "../errors";
import { jobByKey } from "../project/outputs";
import { millis, RunApi, WorkflowExecution } from "./api";
import { firstStep, pipelineByName } from "./chain";
import { RunIo, watchInterrupt } from "./io";
import { followExecution, LogsOption } from "./logs";
import { nextPollDelay } from "./wait";

/** The result of a remote pipeline run, also its `--json` document. */
export interface RemoteReport {
  pipeline: string;
  workflowExecution: string;
  state: string;
  runId?: string;
  stagingPrefix?: string;
  /** The job execution of each step that ran, by step. */
  executions: Record<string, string>;
  /** The step that failed, from the workflow's error. */
  failedStep?: string;
  error?: string;
  exitCode: number;
}

/**
 * Runs the deployed chain of `name` ("run now" of a scheduled pipeline): creates a Workflows execution of the
 * stack's workflow (Workflow Executions API v1) with the input the chain takes, `{"runId"?, "from"?}`
 * (components/shared/chain-definition.ts), and follows it until it ends: the step it is at (`status.currentSteps`)
 * and the job execution that step started (the job's newest execution created since the workflow started; one
 * ListExecutions per poll until found), and with `logs` that execution's log lines. Ctrl-C cancels the workflow execution and that job execution (exit 130).
 * Reads need `roles/workflows.viewer`, starting `roles/workflows.invoker` (UNVERIFIED which roles on the
 * workflow suffice: the stack grants none, see docs/runner.md).
 * @throws BadInput when the pipeline has no workflow, or for `--from`/`--run-id`; ApiError when the API refuses.
 */
export async function runRemote(
  api: RunApi,
  outputs: RunnerOutputs,
  name: string,
  options: { io: RunIo; runId?: string; from?: string; logs?: LogsOption },
): Promise<RemoteReport> {
  const { io } = options;
  const { timing } = api;
  const pipeline = pipelineByName(outputs, name);
  firstStep(pipeline.steps, options);
  if (!pipeline.workflow)
    throw new BadInput(
      `pipeline "${name}" has no deployed workflow in the stack's outputs (pipelines.${name}.workflow): deploy the stack, or run it here without --remote`,
    );
  const jobs = new Map(pipeline.steps.map((step) => [step, jobByKey(outputs, step)]));
  const argument = JSON.stringify({ ...(options.runId !== undefined && { runId: options.runId }), ...(options.from !== undefined && { from: options.from }) });
  const created = await api.createWorkflowExecution(pipeline.workflow, argument);
  const workflowName = created.name ?? "";
  io.err(`started workflow execution ${workflowName} with ${argument}\n`);
  const startedMs = millis(created.startTime) || (timing.now ?? Date.now)();

  const interruption = watchInterrupt(io);
  const executions: Record<string, string> = {};
  let step: string | undefined;
  // --logs: the log lines of the job execution of the step the workflow is at.
  let follower: { stop(grace?: boolean): Promise<void> } | undefined;
  try {
    let execution: WorkflowExecution = created;
    let delay: number | undefined;
    for (;;) {
      execution = await api.getWorkflowExecution(workflowName);
      const current = execution.status?.currentSteps?.map((s) => s.step ?? "").find((s) => jobs.has(s));
      if (current && current !== step) {
        await follower?.stop();
        follower = undefined;
        step = current;
        io.err(`step ${step}: job ${jobs.get(step)!.jobName}\n`);
      }
      if (step && !executions[step]) {
        const found = await jobExecution(api, jobs.get(step)!, startedMs);
        if (found) {
          executions[step] = found;
          io.err(`step ${step}: execution ${found}\n`);
          const job = jobs.get(step)!;
          if (options.logs) follower = followExecution(api.logging, { ...options.logs, prefix: `${step} ` }, job, found, io, timing);
        }
      }
      if (stateName(execution.state) !== "ACTIVE" && stateName(execution.state) !== "QUEUED") break;
      if (interruption.interrupted) break;
      delay = nextPollDelay(timing.pollMs, (timing.now ?? Date.now)() - startedMs, delay);
      await Promise.race([timing.sleep(delay), interruption.woken]);
      if (interruption.interrupted) break;
    }
    await follower?.stop(!interruption.interrupted);
    if (interruption.interrupted) {
      io.err(`interrupted: cancelling ${workflowName}${step && executions[step] ? ` and ${executions[step]}` : ""}\n`);
      await api.cancelWorkflowExecution(workflowName);
      if (step && !executions[step]) executions[step] = (await jobExecution(api, jobs.get(step)!, startedMs)) ?? "";
      if (step && executions[step]) await api.cancel(executions[step]);
      return { pipeline: name, workflowExecution: workflowName, state: "CANCELLED", executions, exitCode: EXIT.sigint };
    }
    // Without --run-id, the chain's run id is the workflow execution's id (chain-definition.ts).
    return outcomeOf(name, execution, executions, io, options.runId ?? workflowName.split("/").pop() ?? "");
  } finally {
    interruption.remove();
  }
}

/** `Execution.State` by number (src: googleapis/googleapis google/cloud/workflows/executions/v1/executions.proto, `enum State`: 0 to 6). */
const STATES = ["STATE_UNSPECIFIED", "ACTIVE", "SUCCEEDED", "FAILED", "CANCELLED", "UNAVAILABLE", "QUEUED"];
const stateName = (state: WorkflowExecution["state"]) => (typeof state === "number" ? STATES[state] : String(state ?? "STATE_UNSPECIFIED"));

/** The newest execution of `job` created since `sinceMs` (5 s of clock skew allowed), if any. */
async function jobExecution(api: RunApi, job: JobOutput, sinceMs: number): Promise<string | undefined> {
  const list = await api.listExecutions(job.name, 5);
  const at = (e: (typeof list)[number]) => millis(e.createTime) ?? 0;
  return list.filter((e) => at(e) >= sinceMs - 5000).sort((a, b) => at(b) - at(a))[0]?.name ?? undefined;
}

/** The report of a finished workflow execution: its result (`{runId, stagingPrefix, executions}`) or its error. */
function outcomeOf(name: string, execution: WorkflowExecution, executions: Record<string, string>, io: RunIo, runId: string): RemoteReport {
  const state = stateName(execution.state);
  const base = { pipeline: name, workflowExecution: execution.name ?? "", state };
  if (state === "SUCCEEDED") {
    const result = JSON.parse(execution.result || "{}") as { runId?: string; stagingPrefix?: string; executions?: Record<string, string> };
    io.err(`workflow execution succeeded: run ${result.runId}, staging ${result.stagingPrefix}\n`);
    return { ...base, runId: result.runId, stagingPrefix: result.stagingPrefix, executions: { ...executions, ...result.executions }, exitCode: EXIT.done };
  }
  // The chain raises a map naming the step and the execution (chain-definition.ts); other errors are text.
  let failure: { message?: string; step?: string; execution?: string } = {};
  try {
    failure = JSON.parse(execution.error?.payload ?? "{}") as typeof failure;
  } catch {
    failure = { message: execution.error?.payload ?? "" };
  }
  const message = failure.message ?? execution.error?.payload ?? state;
  io.err(`workflow execution ${state === "CANCELLED" ? "was cancelled" : "failed"}: ${message}\n`);
  return {
    ...base,
    runId,
    executions: { ...executions, ...(failure.step && failure.execution ? { [failure.step]: failure.execution } : {}) },
    failedStep: failure.step,
    error: message,
    exitCode: EXIT.failed,
  };
}
