import { expect } from "chai";
import { log, withRunLabels } from "../../images/etl/src/log";

/** Captures what a run writes to stdout and stderr, line by line. */
function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) }, out, err, parsed: (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("images' structured logger (pino, Cloud Logging fields)", () => {
  it("one JSON line per call: severity and message, the fields, and the run id as a Cloud Logging label on every line", () => {
    const c = capture();
    const io = withRunLabels(c.io, { RUN_ID: "20261123t053000z-a1b2" });
    log(io, "NOTICE", "extract: wrote 3 rows", { job: "extract", rows: 3 });
    log(io, "DEBUG", "detail");
    log(io, "WARNING", "slow");
    expect(c.parsed(c.out)).to.deep.equal([
      { severity: "NOTICE", "logging.googleapis.com/labels": { run_id: "20261123t053000z-a1b2" }, job: "extract", rows: 3, message: "extract: wrote 3 rows" },
      { severity: "DEBUG", "logging.googleapis.com/labels": { run_id: "20261123t053000z-a1b2" }, message: "detail" },
    ]);
    expect(c.parsed(c.err)).to.deep.equal([{ severity: "WARNING", "logging.googleapis.com/labels": { run_id: "20261123t053000z-a1b2" }, message: "slow" }]);
    expect(c.out.every((l) => l.endsWith("}\n") && l.split("\n").length === 2)).to.equal(true);
  });

  it("without a run id, no labels; INFO to stdout, ERROR to stderr, each on one stream only", () => {
    const c = capture();
    const io = withRunLabels(c.io, {});
    log(io, "INFO", "a");
    log(io, "ERROR", "b");
    expect(c.parsed(c.out)).to.deep.equal([{ severity: "INFO", message: "a" }]);
    expect(c.parsed(c.err)).to.deep.equal([{ severity: "ERROR", message: "b" }]);
  });

  it("an Error goes out in Error Reporting's shape: @type ReportedErrorEvent and its V8 stack", () => {
    const c = capture();
    const error = new Error("boom");
    log(c.io, "ERROR", "load failed: boom", { error });
    const [line] = c.parsed(c.err);
    expect(line).to.deep.equal({ severity: "ERROR", "@type": "type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent", stack_trace: error.stack, message: "load failed: boom" });
    expect(String(line.stack_trace)).to.match(/^Error: boom\n {4}at /);
  });
});
