// The Google API calls of the runner, over the clients of client.ts: RunJob (never retried blindly), the reads
// (retried on transient errors), the cancellations, and the Workflow Executions calls of `pipeline --remote`.
import * as grpc from "@grpc/grpc-js";
import { protos } from "@google-cloud/run";
import { backOff } from "exponential-backoff";
import type { protos as workflowsProtos } from "@google-cloud/workflows";
import { ApiError } from "../errors";
import { LogClient, OperationsWaiter, RunClients } from "./client";
import { Timing } from "./timing";

export type Execution = protos.google.cloud.run.v2.IExecution;
export type WorkflowExecution = workflowsProtos.google.cloud.workflows.executions.v1.IExecution;
type RunJobRequest = protos.google.cloud.run.v2.IRunJobRequest;

/** Errors after which a read is retried (RESOURCE_EXHAUSTED with a longer wait). */
const TRANSIENT = new Set<number>([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.RESOURCE_EXHAUSTED]);
/** Errors after which RunJob may or may not have created the execution. */
const AMBIGUOUS = new Set<number>([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.CANCELLED]);

/** The gRPC status code of a client library's error, if it has one. */
export const codeOf = (err: unknown) => (err as { code?: number }).code;

/** A read of the Admin API, retried with backoff on transient errors (5 attempts). @throws ApiError otherwise. */
export async function read<T>(what: string, call: () => Promise<T>, timing: Timing): Promise<T> {
  try {
    return await backOff(call, {
      numOfAttempts: 5,
      startingDelay: timing.retryMs,
      timeMultiple: 2,
      jitter: "full",
      retry: async (err) => {
        if (!TRANSIENT.has(codeOf(err) ?? -1)) return false;
        if (codeOf(err) === grpc.status.RESOURCE_EXHAUSTED) await timing.sleep(timing.retryMs * 3);
        return true;
      },
    });
  } catch (err) {
    throw apiError(what, err);
  }
}

function apiError(what: string, err: unknown, hint = ""): ApiError {
  const code = codeOf(err);
  const name = code !== undefined ? grpc.status[code] : "ERROR";
  const details = (err as { details?: string }).details ?? (err instanceof Error ? err.message : String(err));
  return new ApiError(`${what} failed: ${name}: ${details}${hint}`);
}

/** A timestamp of the Admin API in ms since the epoch. */
export const millis = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : undefined;

/** A started execution: its name, whether it was adopted, and RunJob's operation (not known when adopted). */
export interface Started {
  name: string;
  adopted: boolean;
  /** `projects/<p>/locations/<l>/operations/<id>`: done when the execution is (gcp-pulumi-facts.md §4.2). */
  operation?: string;
}

/**
 * Starts an execution of `request.name` and returns its name as soon as it exists. RunJob is never retried
 * blindly (every Jobs method is non-idempotent): after an ambiguous error (UNAVAILABLE, DEADLINE_EXCEEDED,
 * INTERNAL, UNKNOWN, CANCELLED) the runner looks for an execution of the job created since just before the call
 * and adopts it (without its operation, whose name the failed call did not return).
 * @throws ApiError with the role to ask for on PERMISSION_DENIED, or when no execution was created.
 */
async function start(clients: RunClients, request: RunJobRequest, timing: Timing, now = Date.now): Promise<Started> {
  const before = now() - 5000; // tolerate clock skew between this machine and Cloud Run
  try {
    const [operation] = await clients.jobs.runJob(request);
    // The operation's metadata is the Execution; gax types it loosely (googleapis/google-cloud-node#4449).
    const execution = operation.metadata as unknown as Execution | undefined;
    if (!execution?.name) throw new ApiError("RunJob returned no execution name");
    return { name: execution.name, adopted: false, ...(operation.name && { operation: operation.name }) };
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (!AMBIGUOUS.has(codeOf(err) ?? -1)) {
      const hint =
        codeOf(err) === grpc.status.PERMISSION_DENIED
          ? `; ask for ${request.overrides ? "roles/run.jobsExecutorWithOverrides (overrides need run.jobs.runWithOverrides)" : "roles/run.invoker"} and roles/run.viewer on the job`
          : "";
      throw apiError(`RunJob ${request.name}`, err, hint);
    }
    const [executions] = await read(
      `ListExecutions ${request.name}`,
      () => clients.executions.listExecutions({ parent: request.name, pageSize: 10 }, { autoPaginate: false }),
      timing,
    );
    const created = executions
      .filter((e) => (millis(e.createTime) ?? 0) >= before)
      .sort((a, b) => (millis(b.createTime) ?? 0) - (millis(a.createTime) ?? 0))[0];
    if (!created?.name) throw apiError(`RunJob ${request.name}`, err, "; no execution was created, so it is safe to run again");
    return { name: created.name, adopted: true };
  }
}

/** Whether the execution has finished: Cloud Run sets `completionTime` when every task is done. */
export function finished(execution: Execution): boolean {
  return execution.completionTime !== null && execution.completionTime !== undefined;
}

/** The outcome: succeeded only when every task succeeded; a cancelled execution is a failure. */
export function outcome(execution: Execution): "SUCCEEDED" | "FAILED" | "CANCELLED" {
  if ((execution.cancelledCount ?? 0) > 0) return "CANCELLED";
  const succeeded = (execution.succeededCount ?? 0) === (execution.taskCount ?? 0) && (execution.failedCount ?? 0) === 0;
  return succeeded ? "SUCCEEDED" : "FAILED";
}

/** A failed task with its last exit code or termination signal. */
export interface FailedTask {
  readonly index: number;
  readonly exitCode?: number;
  readonly signal?: number;
  readonly message?: string;
}

/** The tasks of an execution whose last attempt failed. */
async function failedTasks(clients: RunClients, name: string, timing: Timing): Promise<FailedTask[]> {
  const [tasks] = await read(`ListTasks ${name}`, () => clients.tasks.listTasks({ parent: name }), timing);
  return tasks
    .filter((t) => t.lastAttemptResult && (t.lastAttemptResult.exitCode || t.lastAttemptResult.termSignal || (t.lastAttemptResult.status?.code ?? 0) !== 0))
    .map((t) => ({
      index: t.index ?? 0,
      ...(t.lastAttemptResult?.exitCode ? { exitCode: t.lastAttemptResult.exitCode } : {}),
      ...(t.lastAttemptResult?.termSignal ? { signal: t.lastAttemptResult.termSignal } : {}),
      ...(t.lastAttemptResult?.status?.message ? { message: t.lastAttemptResult.status.message } : {}),
    }));
}

/** Seconds between two timestamps of an execution. */
export function seconds(
  from: protos.google.protobuf.ITimestamp | null | undefined,
  to: protos.google.protobuf.ITimestamp | null | undefined,
): number | undefined {
  const a = millis(from);
  const b = millis(to);
  return a === undefined || b === undefined ? undefined : (b - a) / 1000;
}

/**
 * The Google API calls of one runner process (Cloud Run Admin API v2, Workflow Executions API v1), bound once to its
 * clients and timing: every read retried on transient errors ({@link read}), every error an {@link ApiError} naming
 * the call. The use cases (run, pipeline, remote) take this one object instead of passing the clients around.
 */
export interface RunApi {
  readonly timing: Timing;
  /** The Logging API client `--logs` reads through (logs.ts). */
  readonly logging: LogClient;
  /** WaitOperation on RunJob's operations; absent, the runner polls the execution. */
  readonly operations?: OperationsWaiter;
  /**
   * RunJob, never retried blindly: after an ambiguous error, the execution created since just before the call is
   * adopted (see {@link Started}). @throws ApiError with the role to ask for on PERMISSION_DENIED, or when no
   * execution was created.
   */
  start(request: RunJobRequest): Promise<Started>;
  /** GetExecution of `projects/<p>/locations/<l>/jobs/<j>/executions/<e>`. @throws ApiError */
  getExecution(name: string): Promise<Execution>;
  /** ListExecutions of a job (full name), newest first, at most `pageSize` (one page). @throws ApiError */
  listExecutions(job: string, pageSize: number): Promise<Execution[]>;
  /** CancelExecution (needs `run.executions.cancel`). @throws ApiError */
  cancel(name: string): Promise<void>;
  /** The tasks of an execution whose last attempt failed, with their exit codes or signals. @throws ApiError */
  failedTasks(name: string): Promise<FailedTask[]>;
  /**
   * CreateExecution of a workflow (`projects/<p>/locations/<l>/workflows/<w>`) with `argument` (JSON text).
   * @throws ApiError naming roles/workflows.invoker.
   */
  createWorkflowExecution(workflow: string, argument: string): Promise<WorkflowExecution>;
  /** GetExecution of a workflow execution. @throws ApiError */
  getWorkflowExecution(name: string): Promise<WorkflowExecution>;
  /** CancelExecution of a workflow execution. @throws ApiError */
  cancelWorkflowExecution(name: string): Promise<void>;
}

/**
 * The runner's {@link RunApi} over `clients` (createClients, or a test's) with `timing`.
 * @example
 * const api = runApi(createClients(), DEFAULT_TIMING);
 * const started = await api.start({ name: "projects/p/locations/europe-west1/jobs/extract" });
 * console.log((await api.getExecution(started.name)).runningCount);
 */
export function runApi(clients: RunClients, timing: Timing): RunApi {
  return {
    timing,
    logging: clients.logging,
    ...(clients.operations && { operations: clients.operations }),
    start: (request) => start(clients, request, timing),
    getExecution: async (name) => (await read(`GetExecution ${name}`, () => clients.executions.getExecution({ name }), timing))[0],
    listExecutions: async (job, pageSize) =>
      (await read(`ListExecutions ${job}`, () => clients.executions.listExecutions({ parent: job, pageSize }, { autoPaginate: false }), timing))[0],
    cancel: async (name) => void (await read(`CancelExecution ${name}`, () => clients.executions.cancelExecution({ name }), timing)),
    failedTasks: (name) => failedTasks(clients, name, timing),
    async createWorkflowExecution(workflow, argument) {
      try {
        return (await clients.workflows.createExecution({ parent: workflow, execution: { argument } }))[0];
      } catch (err) {
        throw new ApiError(
          `CreateExecution ${workflow} failed: ${(err as { details?: string }).details ?? String(err)} (starting a workflow needs roles/workflows.invoker)`,
        );
      }
    },
    getWorkflowExecution: async (name) => (await read(`GetExecution ${name}`, () => clients.workflows.getExecution({ name }), timing))[0],
    cancelWorkflowExecution: async (name) => void (await read(`CancelExecution ${name}`, () => clients.workflows.cancelExecution({ name }), timing)),
  };
}
