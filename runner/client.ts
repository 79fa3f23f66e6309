import * as grpc from "@grpc/grpc-js";
import { v2 } from "@google-cloud/run";

/** The three Admin API clients the runner uses. */
export interface RunClients {
  jobs: Pick<v2.JobsClient, "runJob">;
  executions: Pick<v2.ExecutionsClient, "getExecution" | "listExecutions" | "cancelExecution">;
  tasks: Pick<v2.TasksClient, "listTasks">;
}

/**
 * Clients for the Cloud Run Admin API v2 with Application Default Credentials; or, when
 * `CLOUD_RUN_EMULATOR_HOST=host:port` is set (like the emulator variables of other Google client libraries), a
 * plaintext gRPC endpoint with no credentials.
 */
export function createClients(env: NodeJS.ProcessEnv = process.env): RunClients {
  const emulator = env.CLOUD_RUN_EMULATOR_HOST;
  let options: ConstructorParameters<typeof v2.JobsClient>[0] = {};
  if (emulator) {
    const at = emulator.lastIndexOf(":");
    options = { apiEndpoint: emulator.slice(0, at), port: Number(emulator.slice(at + 1)), sslCreds: grpc.credentials.createInsecure(), universeDomain: "googleapis.com" };
  }
  return { jobs: new v2.JobsClient(options), executions: new v2.ExecutionsClient(options), tasks: new v2.TasksClient(options) };
}
