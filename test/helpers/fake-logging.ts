import * as grpc from "@grpc/grpc-js";
import * as path from "path";
import { loadProtos, LoopbackFake } from "../../tools/loopback-fake";

// The Cloud Logging API v2 (LoggingServiceV2: TailLogEntries, ListLogEntries), served on loopback from the protos
// that ship with @google-cloud/logging (in @google-cloud/logging-api) and google-gax, so the real client speaks
// the real wire format.
const LOGGING_DIR = path.dirname(require.resolve("@google-cloud/logging/package.json"));
const LOGGING_PROTOS = path.join(path.dirname(require.resolve("@google-cloud/logging-api/package.json", { paths: [LOGGING_DIR] })), "build", "protos");

/** A stored entry, as the API sends it. */
export interface FakeEntry {
  insertId: string;
  timestamp: { seconds: string; nanos: number };
  severity: string;
  labels: Record<string, string>;
  resource: { type: string; labels: Record<string, string> };
  textPayload?: string;
  jsonPayload?: { fields: Record<string, unknown> };
}

const toValue = (v: unknown): unknown =>
  typeof v === "string"
    ? { stringValue: v }
    : typeof v === "number"
      ? { numberValue: v }
      : typeof v === "boolean"
        ? { boolValue: v }
        : v === null
          ? { nullValue: 0 }
          : { structValue: { fields: Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, toValue(x)])) } };

type TailCall = grpc.ServerDuplexStream<Record<string, unknown>, unknown>;

/** The fake: start it, write entries (delivered to open tails whose filter names their execution), read `requests`. */
export class FakeLogging extends LoopbackFake {
  readonly entries: FakeEntry[] = [];
  /** gRPC status codes with which the next tail sessions are refused, in order. */
  tailErrors: grpc.status[] = [];
  /** Every call is refused with PERMISSION_DENIED (the caller may not read these logs). */
  denied = false;
  /** After this many entries delivered, the open tail session ends with UNAVAILABLE (once). */
  dropAfter?: number;
  private delivered = 0;
  private readonly tails = new Map<TailCall, string>();
  private tailWaiters: { count: number; resolve: () => void }[] = [];
  private opened = 0;
  private clock = Date.UTC(2026, 11, 2, 1, 0, 0);

  async start(): Promise<string> {
    const loaded = loadProtos(["google/logging/v2/logging.proto"], LOGGING_PROTOS) as unknown as {
      google: { logging: { v2: { LoggingServiceV2: { service: grpc.ServiceDefinition } } } };
    };
    this.server.addService(loaded.google.logging.v2.LoggingServiceV2.service, {
      tailLogEntries: (call: TailCall) => this.tail(call),
      listLogEntries: (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        this.requests.push({ method: "ListLogEntries", request: call.request });
        if (this.denied)
          return callback(Object.assign(new Error("denied"), { code: grpc.status.PERMISSION_DENIED, details: "Permission 'logging.views.access' denied" }));
        callback(null, { entries: this.matching(String(call.request.filter)) });
      },
    });
    return this.listen();
  }

  /** Ends the open tails first: a graceful shutdown would wait for them. */
  stop(): Promise<void> {
    for (const call of this.tails.keys()) call.end();
    this.server.forceShutdown();
    return Promise.resolve();
  }

  /** Resolves once `count` tail sessions have been opened (and not refused). */
  tailOpened(count = 1): Promise<void> {
    return this.opened >= count ? Promise.resolve() : new Promise((resolve) => this.tailWaiters.push({ count, resolve }));
  }

  /**
   * Writes a container log line of task `task` of `execution` (short name), a second after the previous one:
   * text, or a JSON object (a structured line). `tail: false` stores it without delivering it to open tails
   * (a line that reaches the index but not the live tail).
   */
  write(execution: string, task: number, payload: string | Record<string, unknown>, options: { severity?: string; tail?: boolean } = {}): FakeEntry {
    this.clock += 1000;
    const entry: FakeEntry = {
      insertId: `i${String(this.entries.length + 1).padStart(4, "0")}`,
      timestamp: { seconds: String(Math.floor(this.clock / 1000)), nanos: 0 },
      severity: options.severity ?? "DEFAULT",
      labels: { "run.googleapis.com/execution_name": execution, "run.googleapis.com/task_index": String(task), "run.googleapis.com/task_attempt": "0" },
      resource: { type: "cloud_run_job", labels: { job_name: execution.replace(/-[^-]+$/, ""), location: "europe-west1", project_id: "my-pipelines-dev" } },
      ...(typeof payload === "string"
        ? { textPayload: payload }
        : { jsonPayload: (toValue(payload) as { structValue: { fields: Record<string, unknown> } }).structValue }),
    };
    this.entries.push(entry);
    if (options.tail === false) return entry;
    for (const [call, execFilter] of this.tails) {
      if (execFilter !== execution) continue;
      call.write({ entries: [entry] });
      if (this.dropAfter !== undefined && ++this.delivered >= this.dropAfter) {
        this.dropAfter = undefined;
        this.tails.delete(call);
        call.emit("error", Object.assign(new Error("tail dropped"), { code: grpc.status.UNAVAILABLE, details: "scripted drop" }));
      }
    }
    return entry;
  }

  private tail(call: TailCall): void {
    call.once("data", (request: Record<string, unknown>) => {
      this.requests.push({ method: "TailLogEntries", request });
      const refused = this.denied ? grpc.status.PERMISSION_DENIED : this.tailErrors.shift();
      if (refused !== undefined) {
        const details = this.denied ? "Permission 'logging.views.access' denied" : `scripted ${grpc.status[refused]}`;
        call.emit("error", Object.assign(new Error(details), { code: refused, details }));
        return;
      }
      this.tails.set(call, executionOf(String(request.filter)));
      this.opened++;
      for (const w of this.tailWaiters.filter((w) => this.opened >= w.count)) w.resolve();
      this.tailWaiters = this.tailWaiters.filter((w) => this.opened < w.count);
    });
    const close = () => {
      if (this.tails.delete(call)) call.end();
    };
    call.on("end", close);
    call.on("cancelled", close);
  }

  private matching(filter: string): FakeEntry[] {
    const execution = executionOf(filter);
    const since = /timestamp >= "([^"]+)"/.exec(filter)?.[1];
    const ms = (e: FakeEntry) => Number(e.timestamp.seconds) * 1000;
    return this.entries
      .filter((e) => e.labels["run.googleapis.com/execution_name"] === execution && (since === undefined || ms(e) >= Date.parse(since)))
      .sort((a, b) => ms(a) - ms(b));
  }
}

const executionOf = (filter: string) => /labels\."run\.googleapis\.com\/execution_name" = "([^"]+)"/.exec(filter)?.[1] ?? "";
