import { expect } from "chai";
import { Command, CommanderError } from "commander";
import { durationSeconds } from "../../../cli/src/commands/shared/duration";
import { parseAndRun, reportError, withGoogleFix } from "../../../cli/src/commands/shared/error-line";
import { exitCodeOf } from "../../../cli/src/commands/shared/exit";
import { humanDuration, invocation, summaryLine } from "../../../cli/src/commands/shared/output";
import { pipelineSummary } from "../../../cli/src/commands/shared/summary";
import { SettingsError } from "../../../cli/src/project/settings";
import { StackConfigError } from "../../../cli/src/preview/config-check";
import { ProgramError } from "../../../cli/src/preview/program-failure";
import { PulumiSdkError } from "../../../cli/src/preview/pulumi-sdk";
import { ApiError, BadInput, EXIT } from "../../../cli/src/errors";

describe("commands/shared: the command-line convention's pieces", () => {
  it("one duration grammar: units, combinations and bare seconds; out of range or unreadable is bad input naming the flag", () => {
    const week = 168 * 3600;
    expect(["90s", "30m", "1h30m", "1h 30m", "1.5h", "600", "2d"].map((text) => durationSeconds("--timeout", text, week))).to.deep.equal([
      90, 1800, 5400, 5400, 5400, 600, 172800,
    ]);
    expect(durationSeconds("--timeout", "2.5", 3600, false)).to.equal(2.5);
    for (const bad of ["5x", "", "0", "-5s", "169h", "1.5", "500ms"])
      expect(() => durationSeconds("--timeout", bad, week), bad).to.throw(
        BadInput,
        `--timeout "${bad}": expected a duration from 1s to 168h in whole seconds, such as 90s, 30m, 1h30m or 600 (seconds)`,
      );
  });

  it("the exit-code table: bad input and settings 2, the cloud and anything unexpected 3, --help 0", () => {
    // A bad stack file, Pulumi.yaml config, @pulumi/pulumi copy or program is the preview's and local's bad input too.
    const preview = [new StackConfigError(["Pulumi.dev.yaml: x"]), new PulumiSdkError("x"), new ProgramError("index.ts", "dev", new Error("x"))];
    expect(preview.map(exitCodeOf)).to.deep.equal([2, 2, 2]);
    expect(EXIT).to.deep.equal({ done: 0, failed: 1, badInput: 2, environment: 3, sigint: 130, sigterm: 143 });
    expect(
      [
        new BadInput("x"),
        new SettingsError("x"),
        new ApiError("x"),
        new Error("x"),
        new CommanderError(0, "commander.helpDisplayed", ""),
        new CommanderError(1, "commander.unknownOption", ""),
      ].map(exitCodeOf),
    ).to.deep.equal([2, 2, 3, 3, 0, 2]);
  });

  it("the error line: one line, Google's missing-credentials error with its fix, a stack only when verbose", () => {
    const lines: string[] = [];
    const err = new Error(
      "RunJob j failed: ERROR: Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication/getting-started for more information.",
    );
    expect(reportError(err, (t) => void lines.push(t), false)).to.equal(3);
    expect(lines).to.deep.equal([
      "error: RunJob j failed: ERROR: no Google credentials found: run gcloud auth application-default login (or set GOOGLE_APPLICATION_CREDENTIALS to a key file)\n",
    ]);
    lines.length = 0;
    expect(reportError(new BadInput("two\n  lines"), (t) => void lines.push(t), true)).to.equal(2);
    expect(lines[0]).to.equal("error: two lines\n");
    expect(lines[1]).to.match(/^Error: two\n {2}lines\n {4}at /);
    expect(withGoogleFix("other")).to.equal("other");
  });

  it("parseAndRun: the action's code, or the error's; commander's own errors are not written twice", async () => {
    const lines: string[] = [];
    const program = () =>
      new Command("x")
        .exitOverride()
        .configureOutput({ writeErr: () => undefined })
        .option("--fail")
        .action((flags: { fail?: boolean }) => {
          if (flags.fail) throw new BadInput("--fail: failed");
        });
    expect(
      await parseAndRun(
        program(),
        [],
        (t) => void lines.push(t),
        () => 7,
      ),
    ).to.equal(7);
    expect(
      await parseAndRun(
        program(),
        ["--fail"],
        (t) => void lines.push(t),
        () => 7,
      ),
    ).to.equal(2);
    expect(
      await parseAndRun(
        program(),
        ["--nope"],
        (t) => void lines.push(t),
        () => 7,
      ),
    ).to.equal(2);
    expect(lines).to.deep.equal(["error: --fail: failed\n"]);
  });

  it("the summary line: durations for people, the command as it was run, the resume command at the failed step", () => {
    expect([850, 42_000, 185_000, 3_720_000].map(humanDuration)).to.deep.equal(["850ms", "42s", "3m05s", "1h02m"]);
    expect([invocation("job", { npm_lifecycle_event: "job" }), invocation("job", {})]).to.deep.equal(["npm run job --", "cloudrun-pipelines job"]);
    expect(summaryLine({ what: "job extract", state: "SUCCEEDED", ms: 65_000, results: ["logs L"] })).to.equal("job extract: SUCCEEDED in 1m05s; logs L\n");
    const steps = ["extract", "load", "transform"];
    expect(
      pipelineSummary(
        { pipeline: "etl", runId: "r1", stagingPrefix: "gs://s/r1/", ran: 1, exitCode: 1 },
        { steps, from: "load", ms: 4000, env: {}, flags: ["--stack", "prod"] },
      ),
    ).to.equal(
      "pipeline etl: FAILED at load in 4s; run r1; staging gs://s/r1/; resume: cloudrun-pipelines job --stack prod pipeline etl --from load --run-id r1\n",
    );
    expect(
      pipelineSummary({ pipeline: "etl", runId: "r1", ran: 3, exitCode: 130 }, { steps, ms: 4000, env: { npm_lifecycle_event: "job" }, flags: [] }),
    ).to.equal("pipeline etl: INTERRUPTED at transform in 4s; run r1; resume: npm run job -- pipeline etl --from transform --run-id r1\n");
    expect(pipelineSummary({ pipeline: "etl", runId: "r1", ran: 3, exitCode: 0 }, { steps, ms: 4000, env: {}, flags: [] })).to.equal(
      "pipeline etl: SUCCEEDED in 4s; run r1\n",
    );
  });
});
