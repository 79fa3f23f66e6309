// The runner against the local Admin API with an execution of a known length: API reads per execution and the
// delay between the execution finishing and the runner returning, in one run, for
//  - a first run with WaitOperation on RunJob's operation (answered when the execution ends; 30 s per wait),
//  - a first run where WaitOperation is denied (no grant on the project's operations): one note, then polling
//    2 s growing by 1.5x to 15 s,
//  - a job with history, WaitOperation denied: polling that lands a read on the end its history predicts,
//  - gcloud (`gcloud run jobs execute --wait` polls GetExecution every second: runner-anchors.md §1),
// with each one's reads and lag beside gcloud's. Time runs at 1/10 scale on the fake server (a 60 s execution
// takes 6 s); the numbers are scaled back.
import * as grpc from "@grpc/grpc-js";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../cli/src/commands/job";
import { createClients, RunClients } from "../cli/src/runner/client";
import { DEFAULT_TIMING, Timing } from "../cli/src/runner/timing";
import { FakeCloudRun } from "../tools/fake-cloud-run";

const SCALE = 0.1;
const EXECUTION_SECONDS = 60;
const JOB = "projects/p/locations/europe-west1/jobs/dev-etl-extract";

interface Case {
  label: string;
  pollMs: Timing["pollMs"];
  /** Earlier runs of the job (seconds each) the runner finds with its one ListExecutions. */
  history?: number[];
  /** WaitOperation is answered PERMISSION_DENIED, as without a grant on the project's operations. */
  denied?: boolean;
  /** gcloud: no WaitOperation and no history read; only its GetExecution polls count. */
  gcloud?: boolean;
}

async function measure(c: Case): Promise<{ label: string; reads: number; lagSeconds: number }> {
  const fake = new FakeCloudRun();
  await fake.start();
  fake.scripts.set("*", { durationMs: EXECUTION_SECONDS * 1000 * SCALE, ...(c.denied && { waitOperationError: grpc.status.PERMISSION_DENIED }) });
  if (c.history)
    fake.seedHistory(
      JOB,
      c.history.map((s) => s * 1000 * SCALE),
    );
  const outputs = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-")), "outputs.json");
  fs.writeFileSync(outputs, JSON.stringify({ jobs: { extract: { name: JOB, jobName: "dev-etl-extract", region: "europe-west1", project: "p" } } }));
  const env = { CLOUD_RUN_EMULATOR_HOST: fake.host };
  const { pollMs } = c;
  const scaled = { first: pollMs.first * SCALE, factor: pollMs.factor, max: pollMs.max * SCALE, near: (pollMs.near ?? pollMs.first) * SCALE };
  const clients: RunClients = c.gcloud ? { ...createClients(env), operations: undefined } : createClients(env);
  let execution = "";
  await main(["--outputs", outputs, "run", "extract"], {
    out: () => undefined,
    err: (t) => (execution ||= /started execution (\S+)/.exec(t)?.[1] ?? ""),
    isTTY: false,
    env,
    clients,
    timing: { ...DEFAULT_TIMING, pollMs: scaled, waitOperationMs: (DEFAULT_TIMING.waitOperationMs ?? 30_000) * SCALE },
    onInterrupt: () => () => undefined,
  });
  const returned = Date.now();
  const lagSeconds = (returned - fake.completedAt(execution)!) / 1000 / SCALE;
  const reads = fake.requests.filter((r) => (c.gcloud ? r.method === "GetExecution" : r.method !== "RunJob")).length;
  await fake.stop();
  return { label: c.label, reads, lagSeconds };
}

async function run(): Promise<void> {
  process.env.METADATA_SERVER_DETECTION = "none";
  const results = [];
  for (const c of [
    { label: "runner, first run, WaitOperation", pollMs: DEFAULT_TIMING.pollMs },
    { label: "runner, first run, denied", pollMs: DEFAULT_TIMING.pollMs, denied: true },
    { label: "runner, history, denied", pollMs: DEFAULT_TIMING.pollMs, denied: true, history: [58, 60, 61] },
    { label: "gcloud --wait (every 1 s)", pollMs: { first: 1000, factor: 1, max: 1000, near: 1000 }, gcloud: true },
  ] satisfies Case[])
    results.push(await measure(c));
  const gcloud = results[results.length - 1];
  console.log(`runner on a ${EXECUTION_SECONDS} s execution (simulated at 1/${1 / SCALE} time; target: exit <= 3 s after the end, <= 12 reads)`);
  for (const m of results) {
    const ratio = m === gcloud ? "" : `  (${(m.reads / gcloud.reads).toFixed(2)}x gcloud's reads, ${(m.lagSeconds / gcloud.lagSeconds).toFixed(1)}x its lag)`;
    console.log(`  ${m.label.padEnd(34)} ${String(m.reads).padStart(3)} API reads, returned ${m.lagSeconds.toFixed(1)} s after the execution finished${ratio}`);
  }
}

void run();
