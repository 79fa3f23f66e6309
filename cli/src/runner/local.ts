import type { protos } from "@google-cloud/run";
import * as path from "path";
import { runnerOutputs } from "../contract/outputs";
import { exitOf, LocalEndpoints, localCommand, localEnv, startProcess } from "../local/process";
import type { LocalPlan, PlannedJob } from "../local/plan";
import { BadInput, EXIT } from "../errors";
import { firstStep, newRunId, pipelineByName, pipelineRun } from "./chain";

type Overrides = protos.google.cloud.run.v2.RunJobRequest.IOverrides;

/** The result of a local run, also its `--json` document. */
export interface LocalRunReport {
  job: string;
  /** `<job>-local-<run id>`: the local stand-in for an execution name. */
  execution: string;
  state: "SUCCEEDED" | "FAILED";
  taskCount: number;
  succeeded: number;
  failed: number;
  /** Tasks whose last attempt failed, with that attempt's exit code. */
  failedTasks: { index: number; exitCode: number }[];
  exitCode: number;
}

/** Where local runs keep their state, and where they log. */
export interface LocalRunOptions {
  /** The local stand-ins: bucket folders (`LOCAL_STORE_DIR`) and the warehouse file (`LOCAL_WAREHOUSE_FILE`). */
  readonly endpoints: LocalEndpoints;
  /** The project's folder and its images' local commands (the plan's). */
  readonly project: Pick<LocalPlan, "root" | "images">;
  readonly log: (line: string) => void;
  /** Names the local execution. @default a new run id */
  readonly executionId?: string;
}

/** The default local state under `dir`: `gcs/` for the buckets, `warehouse.duckdb` for BigQuery. */
export function defaultEndpoints(dir = ".local"): LocalEndpoints {
  return { storeDir: path.resolve(dir, "gcs"), warehouseFile: path.resolve(dir, "warehouse.duckdb") };
}

/**
 * Runs one job of the plan as local processes, the way Cloud Run runs an execution with these overrides
 * (src: `RunJobRequest.Overrides` in google/cloud/run/v2/job.proto): the container's command, then its args, or
 * the override's args in their place (`clearArgs` for none); its env with the override's env merged over it; the
 * override's task count and per-task timeout, else the job's. Each task gets Cloud Run's task variables
 * `CLOUD_RUN_JOB`, `CLOUD_RUN_EXECUTION`, `CLOUD_RUN_TASK_INDEX`, `CLOUD_RUN_TASK_COUNT`, `CLOUD_RUN_TASK_ATTEMPT`
 * (src: https://cloud.google.com/run/docs/container-contract#jobs-env-vars), and is retried up to the job's
 * `maxRetries` times when it fails. Tasks run one after the other (Cloud Run runs them in parallel; each task's
 * share depends on its index only, so the result is the same). A task past its timeout is killed (SIGKILL), and
 * fails. Variables Cloud Run reads from Secret Manager are not set locally (a line says which).
 * @returns the report; `exitCode` is 0 when every task succeeded, else 1.
 * @example
 * const report = await runLocalJob(plannedJob(plan, "extract"), buildOverrides({ env: ["SOURCE_URI=data.csv"] }), { endpoints: defaultEndpoints(), log: console.error, project: plan });
 */
export async function runLocalJob(job: PlannedJob, overrides: Overrides | undefined, options: LocalRunOptions): Promise<LocalRunReport> {
  const container = overrides?.containerOverrides?.[0];
  const args = container?.clearArgs ? [] : container?.args?.length ? container.args : job.args;
  const env = { ...job.env, ...Object.fromEntries((container?.env ?? []).map((e) => [e.name ?? "", e.value ?? ""])) };
  const taskCount = overrides?.taskCount ?? job.taskCount;
  const timeoutSeconds = Number(overrides?.timeout?.seconds ?? job.timeoutSeconds);
  const execution = `${job.name}-local-${options.executionId ?? newRunId()}`;
  if (job.secretEnv.length > 0)
    options.log(`${job.key}: ${job.secretEnv.join(", ")} come from Secret Manager in the cloud and are not set locally (pass them with --env)`);
  options.log(`${job.key}: execution ${execution}, ${taskCount} task(s), timeout ${timeoutSeconds} s, ${job.maxRetries} retries per task`);
  const failedTasks: LocalRunReport["failedTasks"] = [];
  for (let index = 0; index < taskCount; index++) {
    let exitCode = 1;
    for (let attempt = 0; attempt <= job.maxRetries; attempt++) {
      const taskEnv = {
        CLOUD_RUN_JOB: job.name,
        CLOUD_RUN_EXECUTION: execution,
        CLOUD_RUN_TASK_INDEX: String(index),
        CLOUD_RUN_TASK_COUNT: String(taskCount),
        CLOUD_RUN_TASK_ATTEMPT: String(attempt),
      };
      const child = startProcess(`${job.key}/${index}`, localCommand(job, args, options.project), localEnv(env, options.endpoints, taskEnv), options.log);
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutSeconds * 1000);
      exitCode = await exitOf(child);
      clearTimeout(timer);
      if (exitCode === 0) break;
      options.log(`${job.key}: task ${index} attempt ${attempt} exited with code ${exitCode}${attempt < job.maxRetries ? "; retrying" : ""}`);
    }
    if (exitCode !== 0) failedTasks.push({ index, exitCode });
  }
  const failed = failedTasks.length;
  return {
    job: job.name,
    execution,
    state: failed === 0 ? "SUCCEEDED" : "FAILED",
    taskCount,
    succeeded: taskCount - failed,
    failed,
    failedTasks,
    exitCode: failed === 0 ? EXIT.done : EXIT.failed,
  };
}

/** The planned job under `key` of the stack outputs' `jobs`. @throws BadInput listing the known jobs. */
export function plannedJob(plan: LocalPlan, key: string): PlannedJob {
  const job = plan.jobs.find((j) => j.key === key);
  if (!job)
    throw new BadInput(
      `unknown job "${key}": the stack has ${
        plan.jobs
          .map((j) => j.key)
          .sort()
          .join(", ") || "no jobs"
      }`,
    );
  return job;
}

/** The result of a local pipeline run, also its `--json` document. */
export interface LocalPipelineReport {
  pipeline: string;
  runId: string;
  stagingPrefix: string;
  steps: LocalRunReport[];
  exitCode: number;
}

/**
 * Runs a declared chain of jobs locally with the contract of `npm run job -- pipeline` and the JobChain workflow:
 * every step gets the same `RUN_ID` and `STAGING_PREFIX=gs://<staging bucket>/<run id>/` (plus `env`), as env
 * overrides; the first step that fails stops the run.
 * @throws BadInput for an unknown pipeline or a bad `env` entry.
 * @example
 * const report = await runLocalPipeline(plan, "etl", ["SOURCE_URI=node_modules/vega-datasets/data/flights-10k.json"], { endpoints: defaultEndpoints(), log: console.error });
 */
export async function runLocalPipeline(
  plan: LocalPlan,
  name: string,
  env: readonly string[],
  options: Omit<LocalRunOptions, "project"> & { runId?: string; from?: string; allowEnvOverride?: boolean },
): Promise<LocalPipelineReport> {
  const pipeline = pipelineByName(runnerOutputs.parse(plan.outputs), name);
  const first = firstStep(pipeline.steps, options);
  const { runId, stagingPrefix, overrides } = pipelineRun(pipeline.stagingBucket, env, options);
  options.log(`pipeline ${name}: run ${runId}, staging ${stagingPrefix} (${path.join(options.endpoints.storeDir, pipeline.stagingBucket, runId)})`);
  const steps: LocalRunReport[] = [];
  for (const [i, step] of pipeline.steps.entries()) {
    if (i < first) {
      options.log(`step ${i + 1}/${pipeline.steps.length}: ${step} skipped (resuming at ${options.from})`);
      continue;
    }
    options.log(`step ${i + 1}/${pipeline.steps.length}: ${step}`);
    const report = await runLocalJob(plannedJob(plan, step), overrides, { ...options, project: plan, executionId: runId });
    steps.push(report);
    if (report.exitCode !== EXIT.done) {
      options.log(`pipeline ${name} stopped at ${step}; ${pipeline.steps.length - i - 1} steps not run`);
      return { pipeline: name, runId, stagingPrefix, steps, exitCode: report.exitCode };
    }
  }
  return { pipeline: name, runId, stagingPrefix, steps, exitCode: EXIT.done };
}

/**
 * The stack's plan, loaded only for `--local` (it runs the program under Pulumi's mock runtime, in this process).
 * `require`, not `import()`: in this CommonJS file TypeScript (`module: nodenext`) types `import()` as an ES module
 * import, which Node loads through its ES module loader, outside the require hook that runs TypeScript
 * (tools/register-ts.js).
 */
async function planOf(stack: string): Promise<LocalPlan> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (see above)
  const { readLocalPlan } = require("../local/plan") as typeof import("../local/plan");
  return readLocalPlan(stack);
}

/** `npm run job -- --local run <job>`: the stack's plan, then {@link runLocalJob}. */
export async function runLocalFromCli(stack: string, key: string, overrides: Overrides | undefined, log: (line: string) => void): Promise<LocalRunReport> {
  const plan = await planOf(stack);
  return runLocalJob(plannedJob(plan, key), overrides, { endpoints: defaultEndpoints(), log, project: plan });
}
