// Component overhead: N CloudRunJob components (each with its own ServiceAccount, reading one Bucket and writing
// another) against the same custom resources, same names and inputs, declared raw, under the project's mock
// runtime as the preview runs it. Each measurement is its own process; the modes alternate in every round, so both
// see the same machine load. Figures are CPU (user + sys) of declare + settle, per custom resource.
import * as path from "path";
import { load, measure, median, rounds } from "./measure";
import { RUN_TS } from "../tools/run-ts";

const SIZES = [10, 100, 500];
const GOAL_RATIO = 1.5;
/** A size's ms per resource may exceed the previous size's by this much and still count as linear (noise). */
const LINEAR_SLACK = 1.25;

/** One measurement: the worker's JSON line. */
export interface Sample {
  readonly mode: string;
  readonly custom: number;
  readonly registrations: number;
  readonly cpuMs: number;
  readonly digest: string;
}

/** Runs bench/components-worker.ts once in its own process (`jobs` jobs, `mode`) and returns its measurement. */
export function sample(mode: "components" | "raw", jobs: number): Sample {
  const run = measure(process.execPath, [...RUN_TS, path.join(__dirname, "components-worker.ts"), mode, String(jobs)]);
  if (run.status !== 0) throw new Error(`components-worker ${mode} ${jobs} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").pop()!) as Sample;
}

function main(): void {
  const n = rounds(3);
  console.log(`components vs raw resources under the mock runtime (${n} rounds, alternating; CPU ms per custom resource, median [min-max]; ${load()})`);
  console.log("  jobs  resources (+components)   raw ms/res   components ms/res   ratio components/raw");
  let previous: number | undefined;
  let linear = true;
  let worst = 0;
  const totals: { jobs: number; custom: number; raw: number; components: number }[] = [];
  for (const jobs of SIZES) {
    const pairs: [Sample, Sample][] = [];
    for (let round = 0; round < n; round++) pairs.push([sample("raw", jobs), sample("components", jobs)]);
    for (const [raw, components] of pairs) {
      if (raw.digest !== components.digest || raw.custom !== components.custom)
        throw new Error(`at ${jobs} jobs the two modes declare different resources (${raw.digest} vs ${components.digest})`);
    }
    const custom = pairs[0][0].custom;
    const perResource = (s: Sample) => s.cpuMs / custom;
    const ratios = pairs.map(([raw, components]) => components.cpuMs / raw.cpuMs);
    const raw = median(pairs.map(([r]) => perResource(r)));
    const components = median(pairs.map(([, c]) => perResource(c)));
    const ratio = median(ratios);
    worst = Math.max(worst, ratio);
    if (previous !== undefined && components > previous * LINEAR_SLACK) linear = false;
    previous = components;
    totals.push({ jobs, custom, raw: median(pairs.map(([r]) => r.cpuMs)), components: median(pairs.map(([, c]) => c.cpuMs)) });
    const extra = pairs[0][1].registrations - custom;
    console.log(
      `  ${String(jobs).padStart(4)}  ${`${custom} (+${extra})`.padEnd(24)}  ${raw.toFixed(2).padStart(9)}   ${components.toFixed(2).padStart(17)}   ${ratio.toFixed(2)}x [${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}]`,
    );
  }
  // The marginal cost of one more resource between two sizes leaves out what the first resources cost (JIT warm-up).
  for (let i = 1; i < totals.length; i++) {
    const [a, b] = [totals[i - 1], totals[i]];
    const [raw, components] = [(b.raw - a.raw) / (b.custom - a.custom), (b.components - a.components) / (b.custom - a.custom)];
    console.log(
      `  marginal ${a.jobs} -> ${b.jobs} jobs: raw ${raw.toFixed(2)} ms/res, components ${components.toFixed(2)} ms/res, ratio ${(components / raw).toFixed(2)}x`,
    );
  }
  console.log(
    `  components cost at most ${worst.toFixed(2)}x per resource (goal <= ${GOAL_RATIO}x: ${worst <= GOAL_RATIO ? "met" : "MISSED"}); per-resource cost ${linear ? "does not rise" : "RISES"} from ${SIZES[0]} to ${SIZES[SIZES.length - 1]} jobs (linear: ${linear ? "met" : "MISSED"})`,
  );
}

// Run by `npm run bench`; test/bench imports `sample` to check that both modes declare the same resources.
if (require.main === module) main();
