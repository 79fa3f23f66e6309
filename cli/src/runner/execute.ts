import * as grpc from "@grpc/grpc-js";
import { protos } from "@google-cloud/run";
import { backOff } from "exponential-backoff";
import { OperationsWaiter, RunClients } from "./client";
import { ApiError } from "./errors";

export type Execution = protos.google.cloud.run.v2.IExecution;
type RunJobRequest = protos.google.cloud.run.v2.IRunJobRequest;

/** Errors after which a read is retried (RESOURCE_EXHAUSTED with a longer wait). */
const TRANSIENT = new Set<number>([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.RESOURCE_EXHAUSTED]);
/** Errors after which RunJob may or may not have created the execution. */
const AMBIGUOUS = new Set<number>([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.CANCELLED]);

const codeOf = (err: unknown) => (err as { code?: number }).code;

/** How the runner waits: the poll delays, the clock and the sleep (tests and the benchmark use fast or fake ones). */
export interface Timing {
  /**
   * Poll delays in ms: the first, the factor, the most, and the delay once the expected end has passed (it then
   * grows again by the factor). @default 2000, 1.5, 15000, 1000 (gcloud's 1 s ceiling: runner-anchors.md §1)
   */
  readonly pollMs: { readonly first: number; readonly factor: number; readonly max: number; readonly near?: number };
  /** Wait before retrying a read; RESOURCE_EXHAUSTED waits 4 times as long. @default 1000 */
  readonly retryMs: number;
  sleep(ms: number): Promise<void>;
  /** The clock, ms since the epoch. @default Date.now */
  now?: () => number;
  /**
   * The timeout of one WaitOperation, in ms: the longest the progress shown and a Ctrl-C check wait. The server
   * caps it at its own RPC timeout and may answer earlier (https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.operations/wait).
   * @default 30000
   */
  waitOperationMs?: number;
}

export const DEFAULT_TIMING: Timing = {
  pollMs: { first: 2000, factor: 1.5, max: 15000, near: 1000 },
  retryMs: 1000,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  now: () => Date.now(),
  waitOperationMs: 30_000,
};

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

const millis = (t: protos.google.protobuf.ITimestamp | null | undefined) => (t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : undefined);

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
export async function start(clients: RunClients, request: RunJobRequest, timing: Timing, now = Date.now): Promise<Started> {
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

/**
 * The delay before the next GetExecution: growing by `factor` from `first` to `max`, but never past the
 * expected end (when one is known), and once that has passed, starting again from `near`. With the defaults, a
 * 60 s execution expected at 60 s is read at 0, 2, 5, 9.5, 16.3, 26.4, 41.4, 56.4 and 60 s (9 reads, then 1 s
 * later, 2.5 s later ... if it runs late) instead of at 0 ... 56.4 and 71.4 s (11.4 s late).
 * @param elapsedMs since the execution was created; `previousMs` the last delay (undefined before the first).
 */
export function nextPollDelay(pollMs: Timing["pollMs"], elapsedMs: number, previousMs: number | undefined, expectedMs?: number): number {
  const near = pollMs.near ?? pollMs.first;
  const grown = previousMs === undefined ? pollMs.first : Math.min(pollMs.max, previousMs * pollMs.factor);
  if (expectedMs === undefined) return grown;
  const left = expectedMs - elapsedMs;
  if (left > 0) return Math.min(grown, left);
  // Past the expected end: poll at `near` right after it, then grow again (a much longer run costs few reads).
  return previousMs !== undefined && elapsedMs - previousMs < expectedMs ? near : grown;
}

/**
 * How long the job's recent successful executions took, creation to completion (the median of the newest
 * ten), in ms; undefined when there is none or they cannot be read (one ListExecutions on the job, which
 * `roles/run.viewer` on the job allows, like GetExecution).
 */
export async function expectedDuration(clients: RunClients, job: string, timing: Timing): Promise<number | undefined> {
  let executions: Execution[];
  try {
    [executions] = await read(`ListExecutions ${job}`, () => clients.executions.listExecutions({ parent: job, pageSize: 10 }, { autoPaginate: false }), timing);
  } catch {
    return undefined;
  }
  const durations = executions
    .filter((e) => finished(e) && outcome(e) === "SUCCEEDED")
    .map((e) => (millis(e.completionTime) ?? 0) - (millis(e.createTime) ?? 0))
    .filter((d) => d > 0)
    .sort((a, b) => a - b);
  return durations.length === 0 ? undefined : durations[Math.floor((durations.length - 1) / 2)];
}

/**
 * Polls the execution itself (GetExecution; where WaitOperation on the LRO is not usable, and for adopted
 * executions: pitfalls 17 and 19) until it finishes, with the delays
 * of {@link nextPollDelay} counted from `startedMs`, calling `onProgress` with every state read. No client-side
 * deadline: Cloud Run enforces the task timeout. `stopped()` ends the wait early (after Ctrl-C). With
 * `expected.known` (the execution as just read and shown), the first read comes after the first delay.
 */
export async function wait(
  clients: RunClients,
  name: string,
  timing: Timing,
  onProgress: (execution: Execution) => void,
  stopped: () => boolean = () => false,
  expected: { startedMs: number; durationMs?: number; known?: Execution } = { startedMs: (timing.now ?? Date.now)() },
): Promise<Execution> {
  const now = timing.now ?? Date.now;
  let delay: number | undefined;
  let known = expected.known;
  for (;;) {
    const execution = known ?? (await read(`GetExecution ${name}`, () => clients.executions.getExecution({ name }), timing))[0];
    if (!known) onProgress(execution);
    known = undefined;
    if (finished(execution) || stopped()) return execution;
    delay = nextPollDelay(timing.pollMs, now() - expected.startedMs, delay, expected.durationMs);
    await timing.sleep(delay);
  }
}

/**
 * WaitOperation answers that mean the runner cannot wait this way: it polls the execution instead. PERMISSION_DENIED
 * without `run.operations.get` on the project (operations are `projects/*\/locations/*\/operations/*`, not under the
 * job; the permission is in roles/run.viewer: https://cloud.google.com/iam/docs/roles-permissions/run; that wait
 * checks it is an inference, not documented); UNIMPLEMENTED where the server does not offer it
 * (https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.operations/wait).
 */
const UNUSABLE = new Set<number>([grpc.status.PERMISSION_DENIED, grpc.status.UNIMPLEMENTED]);

/** How {@link waitOperation} ended. */
export type OperationWaitEnd = { end: "done" } | { end: "stopped" } | { end: "unusable"; reason: string };

/**
 * Waits on RunJob's operation with WaitOperation, `timing.waitOperationMs` at a time, until it is done: the
 * operation is done when the execution is (its metadata is the Execution: gcp-pulumi-facts.md §4.2), and the
 * server answers as soon as it is, so the runner exits promptly with one read per timeout (and none in between).
 * Each answer's metadata (the Execution) goes to `onProgress`. A Ctrl-C (`stop.woken`) ends the wait at once.
 * Transient errors are retried like every read. PERMISSION_DENIED (operations are project-level resources; the
 * stack grants runners only job-level roles) and UNIMPLEMENTED end it as `unusable`, for the caller to poll.
 * @throws ApiError on any other error.
 * @example
 * const clients = createClients();
 * const started = await start(clients, { name: "projects/p/locations/europe-west1/jobs/extract" }, DEFAULT_TIMING);
 * const ended = await waitOperation(clients.operations!, started.operation!, DEFAULT_TIMING, (e) => console.log(e.succeededCount), { stopped: () => false, woken: new Promise(() => undefined) });
 * if (ended.end === "unusable") console.error(ended.reason); // then poll with wait()
 */
export async function waitOperation(
  waiter: OperationsWaiter,
  operation: string,
  timing: Timing,
  onProgress: (execution: Execution) => void,
  stop: { stopped(): boolean; woken: Promise<void> },
): Promise<OperationWaitEnd> {
  const timeoutMs = timing.waitOperationMs ?? 30_000;
  for (;;) {
    if (stop.stopped()) return { end: "stopped" };
    const answer = await read(
      `WaitOperation ${operation}`,
      async () => {
        const call = waiter.waitOperation(operation, timeoutMs);
        try {
          return await Promise.race([call.result, stop.woken.then(() => "stopped" as const)]);
        } catch (err) {
          if (UNUSABLE.has(codeOf(err) ?? -1)) return { unusable: `${grpc.status[codeOf(err)!]}: ${(err as { details?: string }).details ?? ""}` };
          throw err;
        } finally {
          call.cancel(); // no-op once answered; after Ctrl-C, it ends the call
        }
      },
      timing,
    );
    if (answer === "stopped") return { end: "stopped" };
    if ("unusable" in answer) return { end: "unusable", reason: answer.unusable };
    const execution = metadataExecution(answer);
    if (execution) onProgress(execution);
    if (answer.done) return { end: "done" };
  }
}

/**
 * The Execution in an operation's metadata (an Any), as unary reads answer it (enums and int64 as strings). The
 * Any's type field is `type_url`: gax loads the operations proto with proto-loader, which takes
 * google.protobuf.Any from protobufjs's bundled well-known types, whose field names stay snake_case whatever
 * `keepCase` says (seen locally with google-gax 5.0.8 against the fake Admin API).
 */
function metadataExecution(operation: protos.google.longrunning.IOperation): Execution | undefined {
  const any = operation.metadata;
  if (!(any?.value instanceof Uint8Array) || any.type_url !== "type.googleapis.com/google.cloud.run.v2.Execution") return undefined;
  const { Execution: Message } = protos.google.cloud.run.v2;
  return Message.toObject(Message.decode(any.value), { longs: String, enums: String });
}

/** Cancels an execution (needs `run.executions.cancel`). */
export async function cancel(clients: RunClients, name: string, timing: Timing): Promise<void> {
  await read(`CancelExecution ${name}`, () => clients.executions.cancelExecution({ name }), timing);
}

/** A failed task with its last exit code or termination signal. */
export interface FailedTask {
  readonly index: number;
  readonly exitCode?: number;
  readonly signal?: number;
  readonly message?: string;
}

/** The tasks of an execution whose last attempt failed. */
export async function failedTasks(clients: RunClients, name: string, timing: Timing): Promise<FailedTask[]> {
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
