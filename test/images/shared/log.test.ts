import { expect } from "chai";
import { createLogger } from "../../../images/shared/src/log";

const NOW_MS = 1764640800123; // 2025-12-02T02:00:00.123Z: Date.now is fixed so each line's timestamp is exact
const TIMESTAMP = { seconds: 1764640800, nanos: 123000000 };
const LABELS = { "logging.googleapis.com/labels": { run_id: "20261123t053000z-a1b2" } };

/** What a logger writes to stdout and stderr, line by line, and all its lines' insertIds, sorted. */
function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const ids = () => [...out, ...err].map((l) => (JSON.parse(l) as Record<string, string>)["logging.googleapis.com/insertId"]).sort();
  return { io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) }, out, err, ids };
}

/** The exact line: these keys in this order, the insertId the library gave it. */
const line = (fields: Record<string, unknown>, insertId: string, message: string) =>
  `${JSON.stringify({ ...fields, "logging.googleapis.com/insertId": insertId, message })}\n`;
const idOf = (l: string) => (JSON.parse(l) as Record<string, string>)["logging.googleapis.com/insertId"];

describe("images' structured logger (pino with @google-cloud/pino-logging-gcp-config)", () => {
  const realNow = Date.now;
  beforeEach(() => (Date.now = () => NOW_MS));
  afterEach(() => (Date.now = realNow));

  it("INFO and NOTICE on stdout, WARNING on stderr, each once: severity, timestamp, the run_id label on every line, the fields, message", () => {
    const c = capture();
    const log = createLogger(c.io, { RUN_ID: "20261123t053000z-a1b2", CLOUD_RUN_JOB: "extract" });
    log("INFO", "extract: wrote 3 rows", { job: "extract", rows: 3 });
    log("NOTICE", "done");
    log("DEBUG", "detail");
    log("WARNING", "slow", { seconds: 12 });
    const service = { serviceContext: { service: "extract" } };
    expect(c.out).to.deep.equal([
      line({ severity: "INFO", level: 30, timestamp: TIMESTAMP, ...LABELS, job: "extract", rows: 3, ...service }, idOf(c.out[0]), "extract: wrote 3 rows"),
      line({ severity: "NOTICE", level: 35, timestamp: TIMESTAMP, ...LABELS, ...service }, idOf(c.out[1]), "done"),
      line({ severity: "DEBUG", level: 20, timestamp: TIMESTAMP, ...LABELS, ...service }, idOf(c.out[2]), "detail"),
    ]);
    expect(c.err).to.deep.equal([line({ severity: "WARNING", level: 40, timestamp: TIMESTAMP, ...LABELS, seconds: 12, ...service }, idOf(c.err[0]), "slow")]);
    // insertId orders lines of the same millisecond (src: https://cloud.google.com/logging/docs/structured-logging#special-payload-fields)
    expect(c.ids()).to.deep.equal([idOf(c.out[0]), idOf(c.out[1]), idOf(c.out[2]), idOf(c.err[0])]);
    expect(new Set(c.ids()).size).to.equal(4);
  });

  it("an ERROR with an Error goes to stderr only, as err and stack_trace (Error Reporting's shape), with the service's name", () => {
    const c = capture();
    const log = createLogger(c.io, { RUN_ID: "20261123t053000z-a1b2", K_SERVICE: "scorer" });
    const error = new Error("boom");
    log("ERROR", "failed: boom", { error, source: "gs://b/o#1" });
    expect(c.out).to.deep.equal([]);
    const reported = { serviceContext: { service: "scorer" }, stack_trace: error.stack };
    expect(c.err).to.deep.equal([
      line(
        {
          severity: "ERROR",
          level: 50,
          timestamp: TIMESTAMP,
          ...LABELS,
          source: "gs://b/o#1",
          err: { type: "Error", message: "boom", stack: error.stack },
          ...reported,
        },
        idOf(c.err[0]),
        "failed: boom",
      ),
    ]);
    expect(String(error.stack)).to.match(/^Error: boom\n {4}at /);
  });

  it("without RUN_ID no labels, without Cloud Run's names the service is local; an error that is not an Error stays as it is", () => {
    const c = capture();
    const log = createLogger(c.io, {});
    log("ERROR", "b", { error: "a string was thrown" });
    expect(c.err).to.deep.equal([
      line({ severity: "ERROR", level: 50, timestamp: TIMESTAMP, error: "a string was thrown", serviceContext: { service: "local" } }, idOf(c.err[0]), "b"),
    ]);
  });
});
