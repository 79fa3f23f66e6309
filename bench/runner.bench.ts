// The runner against the local Admin API with an execution of a known length: API reads per execution and the
// delay between the execution finishing and the runner returning, for the runner's polling (2 s growing by 1.5x
// to 15 s, landing on the end the job's history predicts) side by side with gcloud's (`gcloud run jobs execute
// --wait` polls every second: runner-anchors.md §1), in one run. Time runs at 1/10 scale on the fake server (a
// 60 s execution takes 6 s); the numbers are scaled back.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../runner/cli";
import { createClients } from "../runner/client";
import { DEFAULT_TIMING, Timing } from "../runner/execute";
import { FakeCloudRun } from "../test/helpers/fake-cloud-run";

const SCALE = 0.1;
const EXECUTION_SECONDS = 60;
const JOB = "projects/p/locations/europe-west1/jobs/dev-etl-extract";

async function measure(label: string, pollMs: Timing["pollMs"], history: boolean): Promise<{ label: string; reads: number; delaySeconds: number }> {
  const fake = new FakeCloudRun();
  await fake.start();
  fake.scripts.set("*", { durationMs: EXECUTION_SECONDS * 1000 * SCALE });
  // gcloud does not read the history; the runner does (one ListExecutions) and finds these earlier runs.
  if (history) fake.seedHistory(JOB, [58, 60, 61].map((s) => s * 1000 * SCALE));
  const outputs = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-")), "outputs.json");
  fs.writeFileSync(outputs, JSON.stringify({ jobs: { extract: { name: JOB, jobName: "dev-etl-extract", region: "europe-west1", project: "p" } } }));
  const env = { CLOUD_RUN_EMULATOR_HOST: fake.host };
  const scaled = { first: pollMs.first * SCALE, factor: pollMs.factor, max: pollMs.max * SCALE, near: (pollMs.near ?? pollMs.first) * SCALE };
  let execution = "";
  await main(["--outputs", outputs, "run", "extract"], {
    out: () => undefined,
    err: (t) => (execution ||= /started execution (\S+)/.exec(t)?.[1] ?? ""),
    isTTY: false,
    env,
    clients: createClients(env),
    timing: { ...DEFAULT_TIMING, pollMs: scaled },
    onInterrupt: () => () => undefined,
  });
  const returned = Date.now();
  const delaySeconds = (returned - fake.completedAt(execution)!) / 1000 / SCALE;
  const reads = fake.requests.filter((r) => r.method !== "RunJob").length;
  await fake.stop();
  return { label, reads, delaySeconds };
}

async function run(): Promise<void> {
  process.env.METADATA_SERVER_DETECTION = "none";
  const results = [
    await measure("runner, job with history", DEFAULT_TIMING.pollMs, true),
    await measure("runner, first run of the job", DEFAULT_TIMING.pollMs, false),
    await measure("gcloud --wait (every 1 s)", { first: 1000, factor: 1, max: 1000, near: 1000 }, false),
  ];
  console.log(`runner on a ${EXECUTION_SECONDS} s execution (simulated at 1/${1 / SCALE} time; target: exit <= 3 s after the end, <= 12 reads)`);
  for (const m of results) console.log(`  ${m.label.padEnd(30)} ${String(m.reads).padStart(3)} API reads, returned ${m.delaySeconds.toFixed(1)} s after the execution finished`);
}

void run();
