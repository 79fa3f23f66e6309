import * as grpc from "@grpc/grpc-js";
import { protos } from "@google-cloud/run";
import { codeOf, Execution, finished, millis, outcome, read, RunApi, Started } from "./api";
import { OperationsWaiter } from "./client";
import { Timing } from "./timing";

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
async function expectedDuration(api: RunApi, job: string): Promise<number | undefined> {
  let executions: Execution[];
  try {
    executions = await api.listExecutions(job, 10);
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
 * of {@link nextPollDelay} counted from `startedMs` (slept with `sleep`), calling `onProgress` with every state read.
 * No client-side deadline: Cloud Run enforces the task timeout. `stopped()` ends the wait early (after Ctrl-C). With
 * `expected.known` (the execution as just read and shown), the first read comes after the first delay.
 */
async function pollExecution(
  api: RunApi,
  name: string,
  sleep: (ms: number) => Promise<unknown>,
  onProgress: (execution: Execution) => void,
  stopped: () => boolean,
  expected: { startedMs: number; durationMs?: number; known?: Execution },
): Promise<Execution> {
  const now = api.timing.now ?? Date.now;
  let delay: number | undefined;
  let known = expected.known;
  for (;;) {
    const execution = known ?? (await api.getExecution(name));
    if (!known) onProgress(execution);
    known = undefined;
    if (finished(execution) || stopped()) return execution;
    delay = nextPollDelay(api.timing.pollMs, now() - expected.startedMs, delay, expected.durationMs);
    await sleep(delay);
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
 * const api = runApi(createClients(), DEFAULT_TIMING);
 * const started = await api.start({ name: "projects/p/locations/europe-west1/jobs/extract" });
 * const ended = await waitOperation(api.operations!, started.operation!, DEFAULT_TIMING, (e) => console.log(e.succeededCount), { stopped: () => false, woken: new Promise(() => undefined) });
 * if (ended.end === "unusable") console.error(ended.reason); // then poll the execution (waitForExecution does both)
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

/** How {@link waitForExecution} waits and shows. */
export interface ExecutionWait {
  /** Every state read of the execution (the first as soon as it is read): the progress. */
  show: (execution: Execution) => void;
  /** A Ctrl-C: whether it came, and a promise that resolves when it does; either ends the wait at once. */
  stop: { stopped(): boolean; woken: Promise<void> };
  /** When the execution started, on `api.timing`'s clock, in ms. */
  startedMs: number;
  /** Return after the first read (`--detach`). */
  detach: boolean;
  /** The job (full name) whose recent executions predict when this one ends ({@link expectedDuration}). */
  job: string;
  /** Where a note goes (stderr): that WaitOperation is not usable and the runner polls instead. */
  note: (text: string) => void;
}

/** Waiters whose WaitOperation was found unusable (denied or unimplemented) in this process. */
const unusable = new WeakSet<OperationsWaiter>();

/**
 * Waits until the started execution finishes (or a Ctrl-C, or at once with `detach`) and returns its last state read:
 * on RunJob's operation with WaitOperation where it is known and usable ({@link waitForOperation}), else by polling
 * the execution with the delays the job's history predicts ({@link pollExecution}; `detach`: one read).
 */
export async function waitForExecution(api: RunApi, started: Started, options: ExecutionWait): Promise<Execution> {
  const { stop, detach } = options;
  // A Ctrl-C ends the wait between two reads at once.
  const sleep = (ms: number) => Promise.race([api.timing.sleep(ms), stop.woken]);
  if (detach || !started.operation || !api.operations || unusable.has(api.operations)) {
    const durationMs = detach ? undefined : await expectedDuration(api, options.job);
    return pollExecution(api, started.name, sleep, options.show, () => detach || stop.stopped(), { startedMs: options.startedMs, durationMs });
  }
  return waitForOperation(api, api.operations, { ...started, operation: started.operation }, sleep, options);
}

/**
 * Reads the execution once (its log link and first progress), then waits on RunJob's operation with
 * WaitOperation until it is done and reads the execution once more for the final counts: a prompt exit on a
 * job's first run too, with one read per `timing.waitOperationMs`. Where WaitOperation is not usable (no
 * `run.operations.get` on the project, or not implemented), says so in one line and polls instead.
 */
async function waitForOperation(
  api: RunApi,
  waiter: OperationsWaiter,
  started: Started & { operation: string },
  sleep: (ms: number) => Promise<unknown>,
  options: ExecutionWait,
): Promise<Execution> {
  const { show, stop } = options;
  let latest = await api.getExecution(started.name);
  show(latest);
  if (finished(latest) || stop.stopped()) return latest;
  const ended = await waitOperation(waiter, started.operation, api.timing, (e) => show((latest = e)), stop);
  if (ended.end === "stopped") return latest;
  if (ended.end === "unusable") {
    unusable.add(waiter); // the later steps of a pipeline poll at once, without a second note
    options.note(`note: cannot wait on the operation (WaitOperation ${ended.reason}); polling the execution instead (see "Prompt exit" in docs/runner.md)\n`);
    const durationMs = await expectedDuration(api, options.job);
    return pollExecution(api, started.name, sleep, show, () => stop.stopped(), { startedMs: options.startedMs, durationMs, known: latest });
  }
  latest = await api.getExecution(started.name);
  show(latest);
  return latest;
}
