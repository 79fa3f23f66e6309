import * as grpc from "@grpc/grpc-js";
import { v2 as logging } from "@google-cloud/logging";
import { v2 } from "@google-cloud/run";
import { ExecutionsClient as WorkflowExecutionsClient } from "@google-cloud/workflows";
import { LogClient } from "./logs";

/** The Admin API clients the runner uses, and the Logging client of `--logs`. */
export interface RunClients {
  jobs: Pick<v2.JobsClient, "runJob">;
  executions: Pick<v2.ExecutionsClient, "getExecution" | "listExecutions" | "cancelExecution">;
  tasks: Pick<v2.TasksClient, "listTasks">;
  logging: LogClient;
  /** Workflow Executions API v1, for `pipeline --remote`. */
  workflows: Pick<WorkflowExecutionsClient, "createExecution" | "getExecution" | "cancelExecution">;
}

/** Client options for a plaintext gRPC endpoint `host:port` with no credentials (an emulator or a test fake). */
export function emulatorOptions(hostPort: string | undefined): { apiEndpoint?: string; port?: number; sslCreds?: grpc.ChannelCredentials; universeDomain?: string } {
  if (!hostPort) return {};
  const at = hostPort.lastIndexOf(":");
  return { apiEndpoint: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)), sslCreds: grpc.credentials.createInsecure(), universeDomain: "googleapis.com" };
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
  return { jobs: new v2.JobsClient(options), executions: new v2.ExecutionsClient(options), tasks: new v2.TasksClient(options), logging: logClient, workflows: new WorkflowExecutionsClient(emulatorOptions(env.WORKFLOWS_EMULATOR_HOST)) };
}
