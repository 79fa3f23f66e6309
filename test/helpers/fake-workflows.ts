import * as grpc from "@grpc/grpc-js";
import * as path from "path";
import { CHAIN_ENV } from "../../components/shared/chain-env";
import { FakeCloudRun } from "../../tools/fake-cloud-run";
import { loadProtos, LoopbackFake } from "../../tools/loopback-fake";

// The Workflow Executions API v1 (CreateExecution, GetExecution, CancelExecution), served on loopback from the
// protos that ship in @google-cloud/workflows and google-gax, so the real client speaks the real wire format.
// Each execution plays the ETL chain the way components/shared/chain-definition.ts defines it, one move per
// GetExecution: start the step's job on the fake Admin API, poll it, move on, raise on a failed step.
const WORKFLOWS_PROTOS = path.join(path.dirname(require.resolve("@google-cloud/workflows/package.json")), "build", "protos");

/** The chain the fake runs. */
export interface FakeChain {
  workflow: string;
  stagingBucket: string;
  steps: { name: string; job: string }[];
}

interface Run {
  name: string;
  argument: string;
  runId: string;
  state: "ACTIVE" | "SUCCEEDED" | "FAILED" | "CANCELLED";
  step: number;
  job?: string;
  executions: Record<string, string>;
  result?: string;
  error?: string;
  startMs: number;
}

const ts = (ms: number) => ({ seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 });

export class FakeWorkflows extends LoopbackFake {
  private readonly runs = new Map<string, Run>();
  private count = 0;

  constructor(
    private readonly cloudRun: FakeCloudRun,
    private readonly chain: FakeChain,
  ) {
    super();
  }

  async start(): Promise<string> {
    const loaded = loadProtos(["google/cloud/workflows/executions/v1/executions.proto"], WORKFLOWS_PROTOS) as unknown as {
      google: { cloud: { workflows: { executions: { v1: { Executions: { service: grpc.ServiceDefinition } } } } } };
    };
    const unary =
      (method: string, handler: (request: Record<string, unknown>) => unknown) =>
      (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        this.requests.push({ method, request: call.request });
        try {
          callback(null, handler(call.request));
        } catch (err) {
          callback(err as grpc.ServiceError);
        }
      };
    this.server.addService(loaded.google.cloud.workflows.executions.v1.Executions.service, {
      createExecution: unary("CreateExecution", (r) => this.create(String(r.parent), String((r.execution as { argument?: string }).argument ?? "{}"))),
      getExecution: unary("GetExecution", (r) => this.view(this.advance(this.byName(String(r.name))))),
      cancelExecution: unary("CancelExecution", (r) => {
        const run = this.byName(String(r.name));
        if (run.state === "ACTIVE") run.state = "CANCELLED";
        return this.view(run);
      }),
    });
    return this.listen();
  }

  private byName(name: string): Run {
    const run = this.runs.get(name);
    if (!run) throw Object.assign(new Error("not found"), { code: grpc.status.NOT_FOUND, details: `execution ${name} not found` });
    return run;
  }

  private create(parent: string, argument: string): unknown {
    if (parent !== this.chain.workflow) throw Object.assign(new Error("not found"), { code: grpc.status.NOT_FOUND, details: `workflow ${parent} not found` });
    const id = `0000000${++this.count}-aaaa-4bbb-8ccc-dddddddddddd`;
    const input = JSON.parse(argument) as { runId?: string; from?: string };
    const run: Run = { name: `${parent}/executions/${id}`, argument, runId: input.runId ?? id, state: "ACTIVE", step: 0, executions: {}, startMs: Date.now() };
    if (input.from !== undefined) {
      run.step = this.chain.steps.findIndex((s) => s.name === input.from);
      if (run.step < 0) Object.assign(run, { state: "FAILED", error: JSON.stringify(`no step ${input.from} in this chain`) });
    }
    this.runs.set(run.name, run);
    return this.view(run);
  }

  /** One move of the chain: start the step's job, or poll it and move on or raise. */
  private advance(run: Run): Run {
    if (run.state !== "ACTIVE") return run;
    const step = this.chain.steps[run.step];
    if (run.job === undefined) {
      const prefix = `gs://${this.chain.stagingBucket}/${run.runId}/`;
      run.job = this.cloudRun.runForWorkflow(step.job, [
        { name: CHAIN_ENV.runId, value: run.runId },
        { name: CHAIN_ENV.stagingPrefix, value: prefix },
      ]);
      return run;
    }
    const polled = this.cloudRun.pollForWorkflow(run.job);
    if (!polled.done) return run;
    if (!polled.succeeded) {
      const message = `step ${step.name} failed: execution ${run.job} did not succeed in every task`;
      Object.assign(run, {
        state: "FAILED",
        error: JSON.stringify({ message, step: step.name, execution: run.job, failedCount: polled.failedCount, cancelledCount: polled.cancelledCount }),
      });
      return run;
    }
    run.executions[step.name] = run.job;
    run.job = undefined;
    if (++run.step === this.chain.steps.length) {
      run.state = "SUCCEEDED";
      run.result = JSON.stringify({ runId: run.runId, stagingPrefix: `gs://${this.chain.stagingBucket}/${run.runId}/`, executions: run.executions });
    }
    return run;
  }

  private view(run: Run): unknown {
    const step = this.chain.steps[run.step];
    return {
      name: run.name,
      argument: run.argument,
      state: run.state,
      startTime: ts(run.startMs),
      ...(run.state === "ACTIVE" &&
        step && {
          status: {
            currentSteps: [
              { routine: "main", step: step.name },
              { routine: "run_job", step: run.job ? "poll" : "start" },
            ],
          },
        }),
      ...(run.result !== undefined && { result: run.result }),
      ...(run.error !== undefined && { error: { payload: run.error, context: "" } }),
    };
  }
}
