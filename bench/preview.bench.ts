// `npm run preview` of the dev stack, cold (no type-check cache) and warm (nothing changed since the last run),
// side by side with a bare `node` start, in alternating rounds. Wall seconds are what a user waits; CPU seconds
// (user + sys, the preview's child processes included) are the figure to compare on a shared, busy machine.
import * as fs from "fs";
import * as path from "path";
import { load, measure, Measured, median, rounds } from "./measure";
import { RUN_TS } from "../tools/run-ts";

const ROOT = path.resolve(__dirname, "..");
/** The preview's type-check cache (tsconfig.preview.json `tsBuildInfoFile`); removing it makes the next run cold. */
const BUILD_INFO = path.join(ROOT, "node_modules", ".cache", "preview.tsbuildinfo");
const GOALS = { cold: 10, warm: 5 };

/** `npm run preview`'s command, without npm's own start-up. */
function preview(): Measured {
  const run = measure(process.execPath, [...RUN_TS, "cli/src/bin.ts", "preview", "--no-docs"], { cwd: ROOT });
  if (run.status !== 0) throw new Error(`the preview failed:\n${run.stderr}`);
  return run;
}

function main(): void {
  const n = rounds(3);
  const runs: Record<"node" | "cold" | "warm", Measured[]> = { node: [], cold: [], warm: [] };
  for (let round = 0; round < n; round++) {
    runs.node.push(measure(process.execPath, ["-e", "0"]));
    fs.rmSync(BUILD_INFO, { force: true });
    runs.cold.push(preview());
    runs.warm.push(preview());
  }
  const node = median(runs.node.map((r) => r.wallS));
  console.log(`preview of the dev stack (${n} rounds, alternating; median wall / CPU seconds; ${load()})`);
  console.log(`  bare node start        ${node.toFixed(2)} s wall / ${median(runs.node.map((r) => r.cpuS)).toFixed(2)} s CPU`);
  for (const kind of ["cold", "warm"] as const) {
    const wall = median(runs[kind].map((r) => r.wallS));
    const cpu = median(runs[kind].map((r) => r.cpuS));
    const verdict = wall <= GOALS[kind] ? "met" : "MISSED";
    console.log(
      `  preview ${kind.padEnd(14)} ${wall.toFixed(2)} s wall / ${cpu.toFixed(2)} s CPU, ${(wall / node).toFixed(1)}x a bare node start (goal <= ${GOALS[kind]} s wall: ${verdict})`,
    );
  }
}

main();
