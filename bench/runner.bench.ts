// The runner against the local Admin API with an execution of a known length: API calls per execution and the
// delay between the execution finishing and the runner returning, for the runner's polling (2 s growing by 1.5x
// to 15 s) side by side with gcloud's (`gcloud run jobs execute --wait` polls every second: runner-anchors.md §1),
// in one run. Time runs at 1/10 scale (a 60 s execution takes 6 s); the numbers are scaled back.
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

async function measure(label: string, pollMs: Timing["pollMs"]): Promise<{ label: string; calls: number; delaySeconds: number }> {
  const fake = new FakeCloudRun();
  await fake.start();
  fake.scripts.set("*", { durationMs: EXECUTION_SECONDS * 1000 * SCALE });
  const outputs = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-")), "outputs.json");
  fs.writeFileSync(outputs, JSON.stringify({ jobs: { extract: { name: JOB, jobName: "dev-etl-extract", region: "europe-west1", project: "p" } } }));
  const env = { CLOUD_RUN_EMULATOR_HOST: fake.host };
  const scaled = { first: pollMs.first * SCALE, factor: pollMs.factor, max: pollMs.max * SCALE };
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
  const calls = fake.requests.length;
  await fake.stop();
  return { label, calls, delaySeconds };
}

async function run(): Promise<void> {
  process.env.METADATA_SERVER_DETECTION = "none";
  const ours = await measure("runner (2 s x1.5 up to 15 s)", DEFAULT_TIMING.pollMs);
  const gcloud = await measure("gcloud --wait (every 1 s)", { first: 1000, factor: 1, max: 1000 });
  console.log(`runner on a ${EXECUTION_SECONDS} s execution (simulated at 1/${1 / SCALE} time)`);
  for (const m of [ours, gcloud]) console.log(`  ${m.label.padEnd(30)} ${String(m.calls).padStart(3)} API calls, returned ${m.delaySeconds.toFixed(1)} s after the execution finished`);
  console.log(`  ratio runner/gcloud: ${(ours.calls / gcloud.calls).toFixed(2)}x the API calls, +${(ours.delaySeconds - gcloud.delaySeconds).toFixed(1)} s later`);
}

run();
