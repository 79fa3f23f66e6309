import { expect } from "chai";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePort } from "../../cli/src/local/emulator";
import { FakeCloudRun } from "../../tools/fake-cloud-run";
import { RUN_TS } from "../../tools/run-ts";
import { CHILD_TEST_TIMEOUT_MS } from "../helpers/child";
import { planOf } from "../helpers/plan";

const ROOT = path.join(__dirname, "..", "..");

/** Every entry point, as its npm script runs it (etl: the image's own CLI, whose lines are Cloud Logging's JSON). */
const ENTRIES: Record<string, string[]> = {
  "cloudrun-pipelines": ["cli/src/bin.ts"],
  preview: ["cli/src/bin.ts", "preview"],
  job: ["cli/src/bin.ts", "job"],
  local: ["cli/src/bin.ts", "local"],
  promote: ["cli/src/bin.ts", "promote"],
  stream: ["cli/src/bin.ts", "stream"],
  bench: ["bench/run.ts"],
  etl: ["images/etl/src/main.ts"],
};

interface Ended {
  code: number | null;
  out: string;
  err: string;
}

/**
 * Runs an entry point as a real process from the repository's root, with only `env` (and PATH; no credentials, no
 * metadata server). `closeStdout` closes the reader's end at once, as `| head -1` does once it has its line: every
 * write the process makes then fails with EPIPE. `signal` is sent once stderr holds `when`.
 */
/** Real data (vega-datasets): 10,000 flights, which the local ETL extracts, loads and transforms in a few seconds. */
const FLIGHTS = path.join(ROOT, "node_modules", "vega-datasets", "data", "flights-10k.json");

function run(
  entry: string,
  args: readonly string[],
  options: { env?: Record<string, string>; closeStdout?: boolean; signal?: { name: NodeJS.Signals; when: string } } = {},
): Promise<Ended> {
  const child = spawn(process.execPath, [...RUN_TS, ...ENTRIES[entry], ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: os.tmpdir(), METADATA_SERVER_DETECTION: "none", ...options.env },
  });
  if (options.closeStdout) child.stdout.destroy();
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
    if (options.signal && err.includes(options.signal.when) && !child.killed) child.kill(options.signal.name); // once: a second signal exits at once
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, out, err })));
}

/** The last line of a process's stderr. */
const lastLine = (err: string) => err.trimEnd().split("\n").pop() ?? "";

describe("the command-line convention, every entry point as a real process (README, Command-line convention)", function () {
  this.timeout(CHILD_TEST_TIMEOUT_MS);
  let fake: FakeCloudRun;
  // Named here, since the table below names it; written once the plan is read.
  const outputsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "convention-")), "outputs.json");
  before(async () => {
    fs.writeFileSync(outputsFile, JSON.stringify((await planOf("dev")).outputs));
    fake = new FakeCloudRun();
    await fake.start();
  });
  after(() => fake.stop());
  const cloudRun = () => ({ CLOUD_RUN_EMULATOR_HOST: fake.host, RUNNER_POLL_SECONDS: "0.02" });

  it("etl (the image's own CLI): --help into a closed reader is quiet; an unknown flag exits 2 with one ERROR line, structured for Cloud Logging", async () => {
    expect(await run("etl", ["--help"], { closeStdout: true })).to.deep.equal({ code: 0, out: "", err: "" });
    const bad = await run("etl", ["extract", "--nope"]);
    expect({ code: bad.code, out: bad.out }).to.deep.equal({ code: 2, out: "" });
    expect(JSON.parse(bad.err)).to.deep.include({ severity: "ERROR", message: "unknown option '--nope'" });
  });

  for (const entry of Object.keys(ENTRIES).filter((name) => name !== "etl")) {
    it(`${entry}: --help into a reader that closed early (EPIPE) is quiet and exits 0`, async () => {
      expect(await run(entry, ["--help"], { closeStdout: true })).to.deep.equal({ code: 0, out: "", err: "" });
    });

    it(`${entry}: an unknown flag is one error line on stderr, nothing on stdout, exit 2`, async () => {
      // promote's required --to is checked before unknown options (commander's order), so it is given.
      const args = entry === "promote" ? ["--to", "prod", "--nope"] : ["--nope"];
      expect(await run(entry, args)).to.deep.equal({ code: 2, out: "", err: "error: unknown option '--nope' (see --help)\n" });
    });
  }

  const badInput: [string, string, string[], string][] = [
    ["a misspelt command", "cloudrun-pipelines", ["prevew"], "error: unknown command 'prevew', did you mean preview? (see --help)\n"],
    ["a misspelt flag", "job", ["--outptus", outputsFile], "error: unknown option '--outptus', did you mean --outputs? (see --help)\n"],
    ["a misspelt subcommand", "job", ["rn", "extract"], "error: unknown command 'rn', did you mean run? (see --help)\n"],
    [
      "a duration out of the grammar",
      "job",
      ["--outputs", outputsFile, "run", "extract", "--task-timeout", "5x"],
      'error: --task-timeout "5x": expected a duration from 1s to 168h in whole seconds, such as 90s, 30m, 1h30m or 600 (seconds)\n',
    ],
    [
      "promote without a deployed stack's outputs",
      "promote",
      ["--from", "dev", "--to", "prod", "--outputs", path.join(os.tmpdir(), "no-such-outputs.json")],
      `error: --outputs ${path.join(os.tmpdir(), "no-such-outputs.json")}: no such file; promote reads a deployed stack's outputs: \`pulumi stack output --json --stack dev > dev-outputs.json\`, then \`cloudrun-pipelines promote --from dev --to prod --outputs dev-outputs.json\`\n`,
    ],
    ["an unknown benchmark", "bench", ["nope"], 'error: unknown benchmark "nope": choose from components, extract, preview, runner, scorer, suite\n'],
  ];
  for (const [what, entry, args, line] of badInput)
    it(`${entry}: bad input (${what}) is one error line naming the value and the fix, exit 2`, async () => {
      expect(await run(entry, args)).to.deep.equal({ code: 2, out: "", err: line });
    });

  it("job: no Google credentials is the environment: exit 3, and the error line names the fix, no role", async () => {
    const ended = await run("job", ["--outputs", outputsFile, "run", "extract"]);
    expect({ code: ended.code, out: ended.out }).to.deep.equal({ code: 3, out: "" });
    expect(ended.err).to.match(
      /^error: RunJob \S+ failed: ERROR: no Google credentials found: run gcloud auth application-default login \(or set GOOGLE_APPLICATION_CREDENTIALS to a key file\)\n$/,
    );
  });

  it("stream: a PUBSUB_EMULATOR_HOST where nothing listens is the environment: exit 3, naming the variable", async () => {
    const host = `127.0.0.1:${await freePort()}`;
    const args = ["--outputs", outputsFile, "send", "--file", "images/stream/sample/request.json", "--wait"];
    expect(await run("stream", args, { env: { PUBSUB_EMULATOR_HOST: host } })).to.deep.equal({
      code: 3,
      out: "",
      err: `error: PUBSUB_EMULATOR_HOST "${host}": nothing listens there (ECONNREFUSED); start the emulator (npm run local -- up streaming prints its host) or unset PUBSUB_EMULATOR_HOST to use Pub/Sub\n`,
    });
  });

  it("job run: stdout empty without --json, the one JSON document with it (and into a closed reader, quiet); the summary line last on stderr", async () => {
    const plain = await run("job", ["--outputs", outputsFile, "run", "extract", "--async"], { env: cloudRun() });
    expect({ code: plain.code, out: plain.out }).to.deep.equal({ code: 0, out: "" });
    expect(lastLine(plain.err)).to.match(
      /^job extract: STARTED in \S+; execution (dev-etl-extract-\d+); logs https:\/\/\S+; follow: cloudrun-pipelines job --outputs \S+ status \1$/,
    );
    const json = await run("job", ["--outputs", outputsFile, "--json", "run", "extract"], { env: cloudRun() });
    expect(json.code).to.equal(0);
    expect(JSON.parse(json.out)).to.deep.include({ state: "SUCCEEDED", exitCode: 0, taskCount: 1, succeeded: 1 });
    expect(lastLine(json.err)).to.match(/^job extract: SUCCEEDED in \S+; execution dev-etl-extract-\d+; logs https:\/\/\S+$/);
    const closed = await run("job", ["--outputs", outputsFile, "--json", "run", "extract"], { env: cloudRun(), closeStdout: true });
    expect({ code: closed.code, stack: /\n\s+at /.test(closed.err) }).to.deep.equal({ code: 0, stack: false });
  });

  it("job pipeline: a failed step ends with the summary line and the exact command that resumes it", async () => {
    fake.scripts.set("dev-etl-load", { failedTasks: { 0: 3 } });
    try {
      const ended = await run("job", ["--outputs", outputsFile, "pipeline", "etl"], { env: cloudRun() });
      expect({ code: ended.code, out: ended.out }).to.deep.equal({ code: 1, out: "" });
      const runId = /run (\S+),/.exec(ended.err)?.[1];
      expect(lastLine(ended.err)).to.equal(
        `pipeline etl: FAILED at load in ${/ in (\S+);/.exec(lastLine(ended.err))?.[1]}; run ${runId}; staging gs://my-pipelines-dev-dev-staging/${runId}/; resume: cloudrun-pipelines job --outputs ${outputsFile} pipeline etl --from load --run-id ${runId}`,
      );
    } finally {
      fake.scripts.delete("dev-etl-load");
    }
  });

  it("job run: SIGTERM cancels the execution and exits 143 (SIGINT: 130, runner.test.ts)", async () => {
    fake.scripts.set("dev-etl-transform", { ticks: 100000 });
    try {
      const ended = await run("job", ["--outputs", outputsFile, "run", "transform"], {
        env: cloudRun(),
        signal: { name: "SIGTERM", when: "started execution" },
      });
      expect({ code: ended.code, out: ended.out }).to.deep.equal({ code: 143, out: "" });
      expect(ended.err).to.match(/interrupted: cancelling \S+dev-etl-transform-\d+\n/);
    } finally {
      fake.scripts.delete("dev-etl-transform");
    }
  });

  it("local up: SIGTERM stops what it started (the emulator, the service) and exits 143, with the summary line", async () => {
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "convention-up-"));
    const ended = await run("local", ["--dir", state, "up", "streaming"], { signal: { name: "SIGTERM", when: "streaming is up: " } });
    expect({ code: ended.code, out: ended.out }).to.deep.equal({ code: 143, out: "" });
    expect(lastLine(ended.err)).to.match(new RegExp(`^local up streaming: STOPPED in \\S+; state ${state}/$`));
  });

  it("local pipeline: stdout empty without --json; the summary line says where the results are and how to resume (in the same state folder)", async () => {
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "convention-local-"));
    const ended = await run("local", ["--dir", state, "pipeline", "etl", "--env", "SOURCE_URI=/no/such/file.csv"]);
    expect({ code: ended.code, out: ended.out }).to.deep.equal({ code: 1, out: "" });
    const runId = /run (\S+),/.exec(ended.err)?.[1];
    expect(lastLine(ended.err)).to.equal(
      `pipeline etl: FAILED at extract in ${/ in (\S+);/.exec(lastLine(ended.err))?.[1]}; run ${runId}; staging gs://my-pipelines-dev-dev-staging/${runId}/; resume: cloudrun-pipelines local --dir ${state} pipeline etl --from extract --run-id ${runId}; buckets ${state}/gcs/, warehouse ${state}/warehouse.duckdb`,
    );
    // The resume command as printed (with the input fixed) runs the same run id in the same state folder.
    const resume = /resume: cloudrun-pipelines local (.*?);/.exec(lastLine(ended.err))?.[1].split(" ") ?? [];
    const resumed = await run("local", [...resume, "--env", `SOURCE_URI=${FLIGHTS}`]);
    expect({ code: resumed.code, out: resumed.out }).to.deep.equal({ code: 0, out: "" });
    expect(lastLine(resumed.err)).to.match(
      new RegExp(
        `^pipeline etl: SUCCEEDED in \\S+; run ${runId}; staging gs://my-pipelines-dev-dev-staging/${runId}/; buckets ${state}/gcs/, warehouse ${state}/warehouse.duckdb$`,
      ),
    );
    expect(fs.readdirSync(path.join(state, "gcs", "my-pipelines-dev-dev-staging"))).to.deep.equal([runId]);
  });

  it("preview --json -: the plan as JSON on stdout, the text on stderr; into a closed reader, quiet with the preview's own exit code", async () => {
    const closed = await run("preview", ["--no-docs", "--json", "-"], { closeStdout: true });
    expect({ code: closed.code, stack: /\n\s+at /.test(closed.err) }).to.deep.equal({ code: 0, stack: false });
    expect(lastLine(closed.err)).to.match(/^preview dev: PASSED in \S+; \d+ resources, 0 violations, 0 rehearsal problems$/);
  });
});
