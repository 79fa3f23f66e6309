// `npm test` as CI runs it (the project's .mocharc.json), once: wall and CPU seconds, the count, and the five
// slowest test files. A file's time is the sum of its tests' durations as mocha reports them (its hooks, e.g. a
// `before` that runs the program, are not in it), so the five are a guide to where the time goes, not a split.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { load, measure } from "./measure";

const ROOT = path.resolve(__dirname, "..");
const GOAL_S = 60;

interface MochaJson {
  stats: { tests: number; passes: number; failures: number };
  tests: { file: string; duration?: number }[];
}

function main(): void {
  const output = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "suite-bench-")), "suite.json");
  const run = measure(process.execPath, [require.resolve("mocha/bin/mocha.js"), "--reporter", "json", "--reporter-option", `output=${output}`], { cwd: ROOT });
  const report = JSON.parse(fs.readFileSync(output, "utf8")) as MochaJson;
  const byFile = new Map<string, { ms: number; tests: number }>();
  for (const test of report.tests) {
    const file = byFile.get(test.file) ?? { ms: 0, tests: 0 };
    byFile.set(test.file, { ms: file.ms + (test.duration ?? 0), tests: file.tests + 1 });
  }
  const { passes, failures } = report.stats;
  console.log(
    `npm test: ${passes} passed, ${failures} failed in ${run.wallS.toFixed(1)} s wall / ${run.cpuS.toFixed(1)} s CPU (goal <= ${GOAL_S} s wall: ${run.wallS <= GOAL_S ? "met" : "MISSED"}; ${load()})`,
  );
  console.log("  five slowest test files (sum of their tests' durations):");
  for (const [file, { ms, tests }] of [...byFile].sort((a, b) => b[1].ms - a[1].ms).slice(0, 5)) {
    console.log(`  ${(ms / 1000).toFixed(1).padStart(6)} s  ${String(tests).padStart(3)} tests  ${path.relative(ROOT, file)}`);
  }
}

main();
