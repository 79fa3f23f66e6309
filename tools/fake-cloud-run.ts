import * as grpc from "@grpc/grpc-js";
import * as path from "path";
import { loadProtos, LoopbackFake } from "./loopback-fake";

// The Cloud Run Admin API v2 (Jobs, Executions, Tasks) and google.longrunning.Operations, served on loopback
// from the protos that ship in @google-cloud/run and google-gax, so the real client speaks the real wire format.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { google } = require("@google-cloud/run/build/protos/protos") as {
  google: { cloud: { run: { v2: { Execution: { fromObject(o: object): object; encode(m: object): { finish(): Uint8Array } } } } } };
};

const RUN_PROTOS = path.join(path.dirname(require.resolve("@google-cloud/run/package.json")), "build", "protos");

/** How one execution plays out, tick by tick (a tick is one GetExecution answered while it runs). */
export interface Script {
  /** Tasks of the execution. @default the override's task count, else 1 */
  tasks?: number;
  /** GetExecution calls answered as running before the execution ends. @default 1 */
  ticks?: number;
  /** Task indexes that fail, with their last exit code. */
  failedTasks?: Record<number, number>;
  /** The execution ends cancelled (CancelExecution also cancels it). */
  cancelled?: boolean;
  /** gRPC status codes RunJob answers first, in order, before it works. */
  runJobErrors?: grpc.status[];
  /** RunJob creates the execution but then answers with this error (an ambiguous failure). */
  runJobFailsAfterCreate?: grpc.status;
  /** gRPC status codes GetExecution answers first, in order. */
  getExecutionErrors?: grpc.status[];
  /** Milliseconds the execution runs (instead of ticks), for benchmarks. */
  durationMs?: number;
  /** gRPC status code WaitOperation always answers (e.g. PERMISSION_DENIED: no grant on the project's operations). */
  waitOperationError?: grpc.status;
}

interface Exec {
  name: string;
  job: string;
  taskCount: number;
  createdMs: number;
  polls: number;
  cancelled: boolean;
  completedMs?: number;
  script: Script;
}

/** A recorded request: the method and the request message as the server decoded it. */
export interface Recorded {
  method: string;
  request: Record<string, unknown>;
  metadata: Record<string, string>;
}

/** RunJob's operation of an execution: `projects/<p>/locations/<l>/operations/<execution id>`. */
const operationName = (exec: Exec) => exec.name.replace(/\/jobs\/[^/]+\/executions\//, "/operations/");
const ts = (ms: number) => ({ seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 });

/** The fake: start it, point the runner at `host`, script executions, read `requests`. */
export class FakeCloudRun extends LoopbackFake<Recorded> {
  /** The script of the next executions, per job short name (`*` for any). */
  readonly scripts = new Map<string, Script>();
  /** Jobs that exist (short names); GetJob and RunJob answer NOT_FOUND for others. */
  jobs = new Set(["dev-etl-extract", "dev-etl-load", "dev-etl-transform"]);
  /** Awaited before a WaitOperation on a ticking execution is answered: a test's step of time, like a poll's sleep. */
  onWaitOperation?: () => Promise<void>;
  private readonly executions = new Map<string, Exec>();
  private count = 0;

  async start(): Promise<string> {
    const loaded = loadProtos(
      ["google/cloud/run/v2/job.proto", "google/cloud/run/v2/execution.proto", "google/cloud/run/v2/task.proto", "google/longrunning/operations.proto"],
      RUN_PROTOS,
    ) as unknown as {
      google: { cloud: { run: { v2: Record<string, { service: grpc.ServiceDefinition }> } }; longrunning: { Operations: { service: grpc.ServiceDefinition } } };
    };
    const v2 = loaded.google.cloud.run.v2;
    const unary =
      (method: string, handler: (request: Record<string, unknown>) => unknown) =>
      (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        this.requests.push({
          method,
          request: call.request,
          metadata: Object.fromEntries(Object.entries(call.metadata.getMap()).map(([k, v]) => [k, String(v)])),
        });
        try {
          callback(null, handler(call.request));
        } catch (err) {
          callback(err as grpc.ServiceError);
        }
      };
    this.server.addService(v2.Jobs.service, {
      runJob: unary("RunJob", (r) => this.runJob(r)),
      getJob: unary("GetJob", (r) => this.getJob(String(r.name))),
    });
    this.server.addService(v2.Executions.service, {
      getExecution: unary("GetExecution", (r) => this.getExecution(String(r.name))),
      listExecutions: unary("ListExecutions", (r) => this.listExecutions(String(r.parent))),
      cancelExecution: unary("CancelExecution", (r) => this.cancel(String(r.name))),
    });
    this.server.addService(v2.Tasks.service, { listTasks: unary("ListTasks", (r) => this.listTasks(String(r.parent))) });
    this.server.addService(loaded.google.longrunning.Operations.service, {
      getOperation: unary("GetOperation", (r) => this.operation(this.byOperation(String(r.name)))),
      waitOperation: (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        this.requests.push({
          method: "WaitOperation",
          request: call.request,
          metadata: Object.fromEntries(Object.entries(call.metadata.getMap()).map(([k, v]) => [k, String(v)])),
        });
        this.waitOperation(call.request).then(
          (operation) => callback(null, operation),
          (err) => callback(err as grpc.ServiceError),
        );
      },
    });
    return this.listen();
  }

  /**
   * Adds finished, successful executions of `job` (full name) that ran `durationsMs` each, created an hour
   * ago: the history from which the runner expects an execution's end.
   */
  seedHistory(job: string, durationsMs: number[]): void {
    for (const [i, durationMs] of durationsMs.entries()) {
      const name = `${job}/executions/${job.split("/").pop()}-h${String(i).padStart(4, "0")}`;
      this.executions.set(name, {
        name,
        job,
        taskCount: 1,
        createdMs: Date.now() - 3_600_000 + i * 60_000,
        polls: 0,
        cancelled: false,
        script: { durationMs },
      });
    }
  }

  /**
   * Starts an execution of `job` with `env` as the deployed workflow's `run_job` does (`POST <job>:run`), recorded
   * as a RunJob request; returns its name.
   */
  runForWorkflow(job: string, env: { name: string; value: string }[]): string {
    const request = { name: job, overrides: { containerOverrides: [{ env }] } };
    this.requests.push({ method: "RunJob", request, metadata: { via: "workflow" } });
    this.runJob(request);
    return [...this.executions.keys()].pop()!;
  }

  /** Reads an execution as the workflow's poll does (one tick), not recorded: whether it is done, and how. */
  pollForWorkflow(name: string): { done: boolean; succeeded: boolean; failedCount: number; cancelledCount: number } {
    const e = this.getExecution(name) as { completionTime?: unknown; taskCount: number; succeededCount: number; failedCount: number; cancelledCount: number };
    return { done: e.completionTime !== undefined, succeeded: e.succeededCount === e.taskCount, failedCount: e.failedCount, cancelledCount: e.cancelledCount };
  }

  /** When the execution became terminal (ms since epoch), for the benchmark. */
  completedAt(name: string): number | undefined {
    return this.executions.get(name)?.completedMs;
  }

  private script(job: string): Script {
    return this.scripts.get(job.split("/").pop()!) ?? this.scripts.get("*") ?? {};
  }

  private fail(code: grpc.status, details: string): never {
    throw Object.assign(new Error(details), { code, details });
  }

  private runJob(request: Record<string, unknown>): unknown {
    const job = String(request.name);
    const short = job.split("/").pop()!;
    if (!this.jobs.has(short)) this.fail(grpc.status.NOT_FOUND, `Resource '${short}' of kind 'JOB' in region was not found.`);
    const script = this.script(job);
    const next = script.runJobErrors?.shift();
    if (next !== undefined) this.fail(next, `scripted RunJob error ${grpc.status[next]}`);
    const overrides = request.overrides as { taskCount?: number } | undefined;
    const exec: Exec = {
      name: `${job}/executions/${short}-${String(++this.count).padStart(5, "0")}`,
      job,
      taskCount: script.tasks ?? overrides?.taskCount ?? 1,
      createdMs: Date.now(),
      polls: 0,
      cancelled: false,
      script,
    };
    this.executions.set(exec.name, exec);
    if (script.runJobFailsAfterCreate !== undefined) this.fail(script.runJobFailsAfterCreate, "scripted failure after the execution was created");
    return this.operation(exec);
  }

  private getJob(name: string): unknown {
    const short = name.split("/").pop()!;
    if (!this.jobs.has(short)) this.fail(grpc.status.NOT_FOUND, `Resource '${short}' of kind 'JOB' was not found.`);
    return { name, uid: short };
  }

  private byName(name: string): Exec {
    return this.executions.get(name) ?? this.fail(grpc.status.NOT_FOUND, `execution ${name} not found`);
  }

  private byOperation(name: string): Exec {
    return [...this.executions.values()].find((e) => operationName(e) === name) ?? this.fail(grpc.status.NOT_FOUND, `operation ${name} not found`);
  }

  /**
   * WaitOperation: a ticking execution advances one tick per call (the wait "lasts" one tick) and the operation is
   * answered at once; a timed one (`durationMs`) is answered when it completes, or at the request's timeout.
   */
  private async waitOperation(request: Record<string, unknown>): Promise<unknown> {
    const exec = this.byOperation(String(request.name));
    if (exec.script.waitOperationError !== undefined)
      this.fail(exec.script.waitOperationError, `scripted WaitOperation error ${grpc.status[exec.script.waitOperationError]}`);
    if (exec.script.durationMs === undefined) {
      await this.onWaitOperation?.();
      if (!this.done(exec)) exec.polls++;
      return this.operation(exec);
    }
    const timeout = request.timeout as { seconds?: string; nanos?: number } | undefined;
    const timeoutMs = Number(timeout?.seconds ?? 0) * 1000 + (timeout?.nanos ?? 0) / 1e6;
    const leftMs = Math.max(0, exec.createdMs + exec.script.durationMs - Date.now());
    await new Promise((resolve) => setTimeout(resolve, Math.min(leftMs, timeoutMs || leftMs)));
    return this.operation(exec);
  }

  private done(exec: Exec): boolean {
    if (exec.cancelled) return true;
    return exec.script.durationMs !== undefined ? Date.now() - exec.createdMs >= exec.script.durationMs : exec.polls > (exec.script.ticks ?? 1);
  }

  private getExecution(name: string): unknown {
    const exec = this.byName(name);
    const next = exec.script.getExecutionErrors?.shift();
    if (next !== undefined) this.fail(next, `scripted GetExecution error ${grpc.status[next]}`);
    exec.polls++;
    return this.execution(exec);
  }

  private execution(exec: Exec): Record<string, unknown> {
    const done = this.done(exec);
    if (done && exec.completedMs === undefined)
      exec.completedMs = exec.script.durationMs !== undefined && !exec.cancelled ? exec.createdMs + exec.script.durationMs : Date.now();
    const failed = Object.keys(exec.script.failedTasks ?? {}).length;
    const cancelled = exec.cancelled || exec.script.cancelled === true;
    const counts = !done
      ? { runningCount: exec.taskCount, succeededCount: 0, failedCount: 0, cancelledCount: 0 }
      : cancelled
        ? { runningCount: 0, succeededCount: 0, failedCount: 0, cancelledCount: exec.taskCount }
        : { runningCount: 0, succeededCount: exec.taskCount - failed, failedCount: failed, cancelledCount: 0 };
    const state = !done ? "CONDITION_RECONCILING" : cancelled || failed > 0 ? "CONDITION_FAILED" : "CONDITION_SUCCEEDED";
    return {
      name: exec.name,
      job: exec.job.split("/").pop(),
      taskCount: exec.taskCount,
      ...counts,
      createTime: ts(exec.createdMs),
      startTime: ts(exec.createdMs),
      ...(done && { completionTime: ts(exec.completedMs!) }),
      logUri: `https://console.cloud.google.com/logs/viewer?execution=${exec.name.split("/").pop()}`,
      conditions: [
        {
          type: "Completed",
          state,
          ...(done && cancelled && { executionReason: "CANCELLED" }),
          ...(done && !cancelled && failed > 0 && { executionReason: "NON_ZERO_EXIT_CODE" }),
        },
      ],
    };
  }

  private operation(exec: Exec): unknown {
    const { Execution } = google.cloud.run.v2;
    const value = Buffer.from(Execution.encode(Execution.fromObject(this.execution(exec))).finish());
    const any = { type_url: "type.googleapis.com/google.cloud.run.v2.Execution", value };
    return { name: operationName(exec), done: this.done(exec), metadata: any, ...(this.done(exec) && { response: any }) };
  }

  private listExecutions(parent: string): unknown {
    const executions = [...this.executions.values()].filter((e) => e.job === parent).sort((a, b) => b.createdMs - a.createdMs || (a.name < b.name ? 1 : -1));
    return { executions: executions.map((e) => this.execution(e)) };
  }

  private cancel(name: string): unknown {
    const exec = this.byName(name);
    exec.cancelled = true;
    return this.operation(exec);
  }

  private listTasks(parent: string): unknown {
    const exec = this.byName(parent);
    const failed = exec.script.failedTasks ?? {};
    return {
      tasks: Array.from({ length: exec.taskCount }, (_, index) => ({
        name: `${exec.name}/tasks/${exec.name.split("/").pop()}-task${index}`,
        index,
        retried: index in failed ? 1 : 0,
        ...(index in failed && { lastAttemptResult: { exitCode: failed[index], status: { code: 2, message: "The container exited with an error." } } }),
      })),
    };
  }
}
