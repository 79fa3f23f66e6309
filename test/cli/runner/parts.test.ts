import { expect } from "chai";
import { mock } from "node:test";
import { PassThrough } from "stream";
import { readOutputs } from "../../../cli/src/project/outputs";
import { createProgress } from "../../../cli/src/runner/progress";
import { newRunId } from "../../../cli/src/runner/chain";
import { DEFAULT_TIMING } from "../../../cli/src/runner/timing";
import { nextPollDelay } from "../../../cli/src/runner/wait";

const outputs = JSON.stringify({ jobs: { extract: { name: "projects/p/locations/r/jobs/j", jobName: "j", region: "r", project: "p" } }, pipelines: {} });

describe("runner parts", () => {
  it("progress: one plain line whenever the task counts change, with the elapsed time", () => {
    const lines: string[] = [];
    let t = 0;
    const progress = createProgress(
      (l) => lines.push(l),
      false,
      () => t,
    );
    progress.update({ taskCount: 4, runningCount: 4, succeededCount: 0, failedCount: 0 });
    t = 5000;
    progress.update({ taskCount: 4, runningCount: 4, succeededCount: 0, failedCount: 0 });
    t = 12000;
    progress.update({ taskCount: 4, runningCount: 2, succeededCount: 1, failedCount: 1 });
    expect(lines).to.deep.equal(["[0s] tasks: 4 running, 0 succeeded, 0 failed, 4 total\n", "[12s] tasks: 2 running, 1 succeeded, 1 failed, 4 total\n"]);
  });

  it("progress: a bar on a terminal, not plain lines", () => {
    const lines: string[] = [];
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    let drawn = "";
    stream.on("data", (d: Buffer) => (drawn += d.toString()));
    const progress = createProgress(
      (l) => lines.push(l),
      true,
      () => 0,
      stream,
    );
    progress.update({ taskCount: 4, runningCount: 2, succeededCount: 2, failedCount: 0 });
    progress.stop();
    expect(lines).to.deep.equal([]);
    expect(drawn).to.include("2/4 succeeded, 2 running, 0 failed");
  });

  it("progress: the bar's elapsed time advances on its own timer between two updates (a fake clock and fake timers, no sleep)", () => {
    // Node's fake timers stand in for cli-progress's redraw timer; `t` is the clock the progress reads.
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
      let drawn = "";
      stream.on("data", (d: Buffer) => (drawn += d.toString()));
      let t = 1_000;
      const progress = createProgress(
        () => undefined,
        true,
        () => t,
        stream,
      );
      progress.update({ taskCount: 4, runningCount: 4, succeededCount: 0, failedCount: 0 });
      expect(drawn).to.include("0/4 succeeded, 4 running, 0 failed | 0s");
      t = 8_000;
      mock.timers.tick(100);
      expect(drawn).to.include("0/4 succeeded, 4 running, 0 failed | 7s");
      t = 66_000;
      mock.timers.tick(100);
      expect(drawn).to.include("| 65s");
      progress.stop();
    } finally {
      mock.timers.reset();
    }
  });

  it("outputs: from the Pulumi CLI when no file is given, with a clear message when the CLI is missing or the JSON does not fit", () => {
    const calls: string[][] = [];
    const ok = ((cmd: string, args: string[]) => (calls.push([cmd, ...args]), { status: 0, stdout: outputs, stderr: "" })) as never;
    expect(readOutputs("prod", undefined, ok).jobs.extract.name).to.equal("projects/p/locations/r/jobs/j");
    expect(calls).to.deep.equal([["pulumi", "stack", "output", "--json", "--show-secrets=false", "--stack", "prod"]]);
    const missing = (() => ({ error: new Error("spawnSync pulumi ENOENT") })) as never;
    expect(() => readOutputs("dev", undefined, missing)).to.throw("the Pulumi CLI is not available (spawnSync pulumi ENOENT): pass --outputs FILE");
    const wrong = (() => ({ status: 0, stdout: JSON.stringify({ jobs: { extract: { name: "j" } } }) })) as never;
    expect(() => readOutputs("dev", undefined, wrong)).to.throw(
      /does not look like this project's stack outputs: jobs\.extract\.name: expected projects\/<project>\/locations\/<region>\/jobs\/<job>/,
    );
  });

  it("outputs: the job pipelines are those with steps; event-driven ones are left out, and a job pipeline that does not fit is an error", () => {
    const job = { name: "projects/p/locations/r/jobs/j", jobName: "j", region: "r", project: "p" };
    const stack = (pipelines: object) => (() => ({ status: 0, stdout: JSON.stringify({ jobs: { extract: job }, pipelines }) })) as never;
    const workflow = "projects/p/locations/r/workflows/w";
    const read = readOutputs(
      "dev",
      undefined,
      stack({ etl: { steps: ["extract"], stagingBucket: "p-dev-staging", workflow }, scoring: { inputBucket: "in", service: "https://s" } }),
    );
    expect(read.pipelines).to.deep.equal({ etl: { steps: ["extract"], stagingBucket: "p-dev-staging", workflow } });
    expect(() => readOutputs("dev", undefined, stack({ etl: { steps: ["extract"] } }))).to.throw(
      /does not look like this project's stack outputs: pipelines\.etl\.stagingBucket: /,
    );
  });

  it("poll delays: growing without an expected end; landing on it, then 1 s, growing again, when one is known", () => {
    const schedule = (expectedMs: number | undefined, untilMs: number) => {
      const at: number[] = [];
      let elapsed = 0;
      let delay: number | undefined;
      while (elapsed < untilMs) at.push((elapsed += delay = nextPollDelay(DEFAULT_TIMING.pollMs, elapsed, delay, expectedMs)));
      return at;
    };
    expect(schedule(undefined, 60_000)).to.deep.equal([2000, 5000, 9500, 16250, 26375, 41375, 56375, 71375]);
    expect(schedule(60_000, 60_000)).to.deep.equal([2000, 5000, 9500, 16250, 26375, 41375, 56375, 60000]);
    expect(schedule(60_000, 70_000)).to.deep.equal([2000, 5000, 9500, 16250, 26375, 41375, 56375, 60000, 61000, 62500, 64750, 68125, 73187.5]);
    expect(schedule(3000, 3000)).to.deep.equal([2000, 3000]);
  });

  it("run ids: UTC time and 4 hex digits, lowercase, path-safe", () => {
    expect(newRunId(new Date("2026-11-23T05:30:00.123Z"))).to.match(/^20261123t053000z-[0-9a-f]{4}$/);
  });
});
