import * as grpc from "@grpc/grpc-js";
import { v2 as logging } from "@google-cloud/logging";
import { protos, v2 } from "@google-cloud/run";
import { ExecutionsClient as WorkflowExecutionsClient } from "@google-cloud/workflows";
import type { Duplex } from "stream";

/** A log entry as the Logging API v2 sends it (the fields the runner reads). */
export interface ApiLogEntry {
  insertId?: string | null;
  timestamp?: { seconds?: string | number | null; nanos?: number | null } | null;
  severity?: string | number | null;
  labels?: Record<string, string> | null;
  textPayload?: string | null;
  jsonPayload?: unknown;
  payload?: string | null;
}

/** The two Logging API v2 methods the runner calls (`v2.LoggingServiceV2Client` of `@google-cloud/logging`). */
export interface LogClient {
  /** TailLogEntries: a bidirectional stream; write one request, read `{entries}` until it ends. */
  tailLogEntries(): Duplex & { cancel?(): void };
  listLogEntries(
    request: { resourceNames: string[]; filter: string; orderBy: string },
    options?: { autoPaginate?: boolean },
  ): Promise<[ApiLogEntry[], ...unknown[]]>;
}

/** The Admin API clients the runner uses, and the Logging client of `--logs`. */
export interface RunClients {
  jobs: Pick<v2.JobsClient, "runJob">;
  executions: Pick<v2.ExecutionsClient, "getExecution" | "listExecutions" | "cancelExecution">;
  tasks: Pick<v2.TasksClient, "listTasks">;
  logging: LogClient;
  /** WaitOperation on the Admin API's operations (RunJob's); absent, the runner polls the execution. */
  operations?: OperationsWaiter;
  /** Workflow Executions API v1, for `pipeline --remote`. */
  workflows: Pick<WorkflowExecutionsClient, "createExecution" | "getExecution" | "cancelExecution">;
}

/** A WaitOperation call in flight: its answer, and its cancellation (after Ctrl-C). */
export interface OperationWait {
  result: Promise<protos.google.longrunning.IOperation>;
  cancel(): void;
}

/** `google.longrunning.Operations/WaitOperation` of the Cloud Run Admin API v2. */
export interface OperationsWaiter {
  /**
   * Waits until the operation `name` (`projects/<p>/locations/<l>/operations/<id>`) is done or `timeoutMs` has
   * passed, and answers its latest state. Best effort: it may answer earlier, even at once, and not done
   * (https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.operations/wait).
   * @throws the gRPC error (PERMISSION_DENIED without a grant on the project's operations, UNIMPLEMENTED ...).
   */
  waitOperation(name: string, timeoutMs: number): OperationWait;
}

/**
 * WaitOperation on the JobsClient's own operations channel (same endpoint and credentials). gax's
 * OperationsClient exposes only get, list, cancel and delete (google-gax 5.0.8 `operationsClient.js`), but its
 * stub is built from google/longrunning/operations.proto and has `waitOperation`, called here with grpc-js's
 * `(request, metadata, options, callback)`. The request names the operation in `x-goog-request-params`, as the
 * Operations calls of other Google client libraries do for APIs that route by it
 * (https://github.com/googleapis/gax-java/pull/1281, https://github.com/googleapis/gapic-generator-python/issues/732);
 * without it, gax's GetOperation has been answered UNIMPLEMENTED by Cloud Run
 * (https://github.com/googleapis/google-cloud-node/issues/7706). UNVERIFIED against the real API: no account here.
 * @example
 * const jobs = new v2.JobsClient();
 * const [operation] = await jobs.runJob({ name: "projects/p/locations/europe-west1/jobs/extract" });
 * const answer = await operationsWaiter(jobs).waitOperation(operation.name!, 30_000).result;
 * console.log(answer.done ? "done" : "still running");
 */
export function operationsWaiter(jobs: v2.JobsClient): OperationsWaiter {
  type Callback = (err: grpc.ServiceError | null, operation?: protos.google.longrunning.IOperation) => void;
  type Stub = { waitOperation(request: object, metadata: grpc.Metadata, options: grpc.CallOptions, callback: Callback): grpc.ClientUnaryCall };
  return {
    waitOperation(name, timeoutMs) {
      let call: grpc.ClientUnaryCall | undefined;
      let cancelled = false;
      const metadata = new grpc.Metadata();
      metadata.set("x-goog-request-params", `name=${encodeURIComponent(name)}`);
      const request = { name, timeout: { seconds: Math.floor(timeoutMs / 1000), nanos: (timeoutMs % 1000) * 1e6 } };
      // The call's own deadline is later than the wait's timeout, so a server that keeps it answers first.
      const options = { deadline: Date.now() + timeoutMs + 10_000 };
      const result = (jobs.operationsClient.operationsStub as unknown as Promise<Stub>).then(
        (stub) =>
          new Promise<protos.google.longrunning.IOperation>((resolve, reject) => {
            call = stub.waitOperation(request, metadata, options, (err, operation) => (err ? reject(err) : resolve(operation ?? {})));
            if (cancelled) call.cancel();
          }),
      );
      const cancel = () => {
        cancelled = true;
        call?.cancel();
      };
      return { result, cancel };
    },
  };
}

/** Client options for a plaintext gRPC endpoint `host:port` with no credentials (an emulator or a test fake). */
export function emulatorOptions(hostPort: string | undefined): {
  apiEndpoint?: string;
  port?: number;
  sslCreds?: grpc.ChannelCredentials;
  universeDomain?: string;
} {
  if (!hostPort) return {};
  const at = hostPort.lastIndexOf(":");
  return {
    apiEndpoint: hostPort.slice(0, at),
    port: Number(hostPort.slice(at + 1)),
    sslCreds: grpc.credentials.createInsecure(),
    universeDomain: "googleapis.com",
  };
}

/**
 * Clients for the Cloud Run Admin API v2, the Cloud Logging API v2 and the Workflow Executions API v1 with
 * Application Default Credentials; or, when `CLOUD_RUN_EMULATOR_HOST=host:port` (resp.
 * `CLOUD_LOGGING_EMULATOR_HOST`, `WORKFLOWS_EMULATOR_HOST`) is set (like the emulator
 * variables of other Google client libraries), a plaintext gRPC endpoint with no credentials.
 */
export function createClients(env: NodeJS.ProcessEnv = process.env): RunClients {
  const options = emulatorOptions(env.CLOUD_RUN_EMULATOR_HOST);
  // `v2` is typed `any` by @google-cloud/logging; LogClient names the two methods the runner calls.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- `v2` is typed `any` (above)
  const logClient = new logging.LoggingServiceV2Client(emulatorOptions(env.CLOUD_LOGGING_EMULATOR_HOST)) as LogClient;
  const jobs = new v2.JobsClient(options);
  return {
    jobs,
    operations: operationsWaiter(jobs),
    executions: new v2.ExecutionsClient(options),
    tasks: new v2.TasksClient(options),
    logging: logClient,
    workflows: new WorkflowExecutionsClient(emulatorOptions(env.WORKFLOWS_EMULATOR_HOST)),
  };
}
