import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXIT, main } from "../../images/etl/src/main";
import { dateRange } from "../../images/etl/src/params";
import { CHILD_TEST_TIMEOUT_MS, runNode } from "../helpers/child";
import { logLine } from "../helpers/image-output";
import { RUN_TS } from "../../tools/run-ts";

const PLATFORM_ENV = { GOOGLE_CLOUD_PROJECT: "p", RAW_BUCKET: "p-dev-raw", WAREHOUSE_DATASET: "dev_warehouse" };

/** Runs the entrypoint in-process; returns the exit code and the parsed log lines. */
async function etl(argv: string[], env: Record<string, string> = PLATFORM_ENV) {
  const lines: string[] = [];
  const io = { stdout: (l: string) => lines.push(l), stderr: (l: string) => lines.push(l) };
  const code = await main(argv, env, io);
  const logs = lines.join("").trim().split("\n").filter(Boolean).map(logLine);
  return { code, logs, last: logs[logs.length - 1] };
}

describe("images/etl entrypoint", () => {
  it("extract: flags parse into the exact parameters, one NOTICE line on a dry run, exit 0", async () => {
    const { code, logs } = await etl(
      ["extract", "--dry-run", "--source", "gs://in/flights/", "--dataset", "flights", "--from", "2021-03-01", "--to", "2021-03-31"],
      {
        ...PLATFORM_ENV,
        STAGING_PREFIX: "gs://p-dev-staging/20261123t053000z-a1b2/",
        RUN_ID: "20261123t053000z-a1b2",
        CLOUD_RUN_TASK_INDEX: "2",
        CLOUD_RUN_TASK_COUNT: "4",
      },
    );
    expect(code).to.equal(EXIT.ok);
    expect(logs).to.have.length(1);
    expect(logs[0].severity).to.equal("NOTICE");
    expect(logs[0].params).to.deep.equal({
      project: "p",
      runId: "20261123t053000z-a1b2",
      range: { from: "2021-03-01", to: "2021-03-31" },
      source: "gs://in/flights/",
      dataset: "flights",
      destination: "gs://p-dev-staging/20261123t053000z-a1b2/",
      dateColumn: "date",
      task: { index: 2, count: 4 },
    });
  });

  it("every parameter falls back to its env var, and a flag beats the env var (a run's env override merges, its args replace)", async () => {
    const env = { ...PLATFORM_ENV, SOURCE_URI: "https://example.com/a.csv", DATASET_NAME: "weather", YEAR: "2020", DRY_RUN: "1" };
    expect((await etl(["extract"], env)).last.params).to.deep.include({
      source: "https://example.com/a.csv",
      dataset: "weather",
      range: { from: "2020-01-01", to: "2020-12-31" },
      task: { index: 0, count: 1 },
    });
    expect((await etl(["extract", "--dataset", "flights"], env)).last.params).to.deep.include({ dataset: "flights" });
  });

  it("load: the table defaults to the dataset name; transform lists its SQL files in name order", async () => {
    expect((await etl(["load", "--dry-run", "--dataset", "flights"])).last.params).to.deep.equal({
      project: "p",
      dataset: "flights",
      table: "flights",
      rawBucket: "p-dev-raw",
      warehouse: "dev_warehouse",
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sql-"));
    for (const f of ["020_b.sql", "010_a.sql", "notes.txt"]) fs.writeFileSync(path.join(dir, f), "SELECT 1");
    expect((await etl(["transform", "--dry-run", "--sql-dir", dir, "--year", "2024", "--month", "2"])).last.params).to.deep.equal({
      project: "p",
      range: { from: "2024-02-01", to: "2024-02-29" },
      warehouse: "dev_warehouse",
      sqlDir: dir,
      sqlFiles: ["010_a.sql", "020_b.sql"],
    });
  });

  const badInputs: [string, string[], Record<string, string>, string][] = [
    [
      "missing source",
      ["extract", "--dataset", "flights"],
      PLATFORM_ENV,
      "missing --source (or SOURCE_URI): the input to extract: an https:// URL, a gs:// URI or a local path",
    ],
    ["missing dataset", ["extract", "--source", "a.csv"], PLATFORM_ENV, "missing --dataset (or DATASET_NAME): lowercase letters"],
    [
      "missing raw bucket",
      ["extract", "--source", "a.csv", "--dataset", "f"],
      { GOOGLE_CLOUD_PROJECT: "p" },
      "missing RAW_BUCKET: the raw bucket's name (the platform sets it; locally, pass --dest)",
    ],
    ["missing project", ["load", "--dataset", "f"], { RAW_BUCKET: "b", WAREHOUSE_DATASET: "w" }, "missing GOOGLE_CLOUD_PROJECT: the project id"],
    ["missing warehouse", ["transform"], { GOOGLE_CLOUD_PROJECT: "p" }, "missing WAREHOUSE_DATASET: the warehouse dataset id"],
    ["bad dataset name", ["load", "--dataset", "Flights-2021"], PLATFORM_ENV, 'invalid --dataset (or DATASET_NAME) "Flights-2021": expected lowercase letters'],
    ["bad source scheme", ["extract", "--source", "ftp://x/y", "--dataset", "f"], PLATFORM_ENV, 'invalid --source (or SOURCE_URI) "ftp://x/y"'],
    [
      "impossible date",
      ["load", "--dataset", "f", "--from", "2021-02-30"],
      PLATFORM_ENV,
      'invalid --from (or DATE_FROM) "2021-02-30": expected a date YYYY-MM-DD',
    ],
    ["no such month", ["load", "--dataset", "f", "--to", "2021-13-45"], PLATFORM_ENV, 'invalid --to (or DATE_TO) "2021-13-45": expected a date YYYY-MM-DD'],
    [
      "from after to",
      ["load", "--dataset", "f", "--from", "2021-03-02", "--to", "2021-03-01"],
      PLATFORM_ENV,
      "--from (or DATE_FROM) 2021-03-02 is after --to (or DATE_TO) 2021-03-01",
    ],
    [
      "year with from",
      ["load", "--dataset", "f", "--year", "2021", "--from", "2021-03-01"],
      PLATFORM_ENV,
      "--year (or YEAR) and --from (or DATE_FROM)/--to (or DATE_TO) exclude each other",
    ],
    ["month without year", ["load", "--dataset", "f", "--month", "3"], PLATFORM_ENV, 'invalid --month (or MONTH) "3": expected a month 1-12 (with --year)'],
    [
      "task index out of range",
      ["extract", "--source", "a.csv", "--dataset", "f"],
      { ...PLATFORM_ENV, CLOUD_RUN_TASK_INDEX: "4", CLOUD_RUN_TASK_COUNT: "4" },
      'invalid CLOUD_RUN_TASK_INDEX "4"',
    ],
    [
      "staging prefix form",
      ["load", "--dataset", "f"],
      { ...PLATFORM_ENV, STAGING_PREFIX: "p-dev-staging/run" },
      'invalid STAGING_PREFIX "p-dev-staging/run": expected gs://<bucket>/<path>/',
    ],
    ["empty SQL folder", ["transform", "--sql-dir", "/nonexistent"], PLATFORM_ENV, 'no .sql files in --sql-dir (or SQL_DIR) "/nonexistent"'],
    ["unknown job", ["unload"], PLATFORM_ENV, 'unknown job "unload": give one of extract, load, transform'],
    ["no job", [], PLATFORM_ENV, "missing job: give one of extract, load, transform"],
    ["unknown flag", ["load", "--datset", "f"], PLATFORM_ENV, "unknown option '--datset'"],
  ];
  for (const [what, argv, env, message] of badInputs) {
    it(`bad input (${what}): one ERROR line naming the flag and env var, exit 2`, async () => {
      const { code, logs, last } = await etl(argv, env);
      expect(code).to.equal(EXIT.badInput);
      expect(logs).to.have.length(1);
      expect(last.severity).to.equal("ERROR");
      expect(last.message).to.include(message);
    });
  }

  it("a single --from or --to is that one day; a month range ends on the month's last day", async () => {
    expect(dateRange({ to: "2021-03-05" }, {})).to.deep.equal({ from: "2021-03-05", to: "2021-03-05" });
    expect(dateRange({ year: "2023", month: "02" }, {})).to.deep.equal({ from: "2023-02-01", to: "2023-02-28" });
    expect(dateRange({}, {})).to.equal(undefined);
  });

  it("runs as a real process: exit code and structured stdout", function () {
    this.timeout(CHILD_TEST_TIMEOUT_MS);
    const result = runNode([...RUN_TS, "images/etl/src/main.ts", "extract", "--dry-run", "--source", "data.csv", "--dataset", "flights"], {
      cwd: path.join(__dirname, "..", ".."),
      env: { PATH: process.env.PATH, ...PLATFORM_ENV },
    });
    expect(result.status, result.stderr).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.include({ severity: "NOTICE", message: "extract: parameters are valid (dry run, nothing read or written)" });
    const failed = runNode([...RUN_TS, "images/etl/src/main.ts", "extract"], {
      cwd: path.join(__dirname, "..", ".."),
      env: { PATH: process.env.PATH },
    });
    expect(failed.status).to.equal(2);
    expect(logLine(failed.stderr).severity).to.equal("ERROR");
  });
});
