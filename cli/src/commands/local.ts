import { CHAIN_ENV } from "@cloudrun-pipelines/components/chain-env";
import { runnerOutputs } from "../contract/outputs";
import { readLocalPlan } from "../local/plan";
import { NO_METADATA_SERVER, readableLine } from "../local/process";
import { up, UP_PIPELINES } from "../local/up";
import { BadInput, EXIT } from "../errors";
import { defaultEndpoints, runLocalPipeline } from "../runner/local";
import { parseAndRun } from "./shared/error-line";
import type { CommandIo } from "./shared/io";
import { printJson, summaryLine } from "./shared/output";
import { commandProgram } from "./shared/program";
import { pipelineSummary } from "./shared/summary";

const HELP = `
Runs a stack's pipelines on this machine, configured from the stack's plan (the offline preview's, no cloud), each
workload started as the project's cloudrun-pipelines.yaml declares (local.images):
  up scoring      the Pub/Sub emulator with the stack's topics and subscriptions, the scorer as a local process, and
                  a watched input folder: a CSV written there is published as GCS's OBJECT_FINALIZE notification,
                  pushed to the scorer, and scored into the output folder
  up streaming    the emulator and the stream service; then, in another shell:
                  PUBSUB_EMULATOR_HOST=<printed> npm run stream -- send --file images/stream/sample/request.json --wait --outputs .local/outputs.json
  pipeline etl    extract, load and transform as local processes with the runner's ${CHAIN_ENV.runId} and ${CHAIN_ENV.stagingPrefix},
                  buckets as folders under .local/gcs, BigQuery as the file LOCAL_WAREHOUSE_FILE (.local/warehouse.duckdb);
                  --json prints its report on stdout

PUBSUB_EMULATOR_HOST=127.0.0.1:PORT uses that emulator instead of starting one (loopback only). Starting one needs
the Google Cloud CLI with the Pub/Sub emulator (gcloud beta emulators pubsub start) and Java.`;

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** A local pipeline run as `local pipeline` and `job --local pipeline` start it. */
export interface LocalPipelineRequest {
  readonly stack: string;
  readonly name: string;
  readonly env: readonly string[];
  /** The folder of the local state (`.local`). */
  readonly dir?: string;
  readonly runId?: string;
  readonly from?: string;
  readonly allowEnvOverride?: boolean;
  readonly json: boolean;
  /** The flags that name the stack and state, for the command that resumes a failed run. */
  readonly flags: readonly string[];
  /** The command that resumes a failed run: `job` (`job --local`, the default) or `local`. */
  readonly command?: "job" | "local";
}

/**
 * Runs a job pipeline of the stack's plan as local processes (runner/local.ts), its JSON report on `io.out` only
 * with `json`, its log lines on `io.err` (readable when `io.isTTY`), and the summary line: where the results are
 * (the bucket folders and the warehouse file) and, on a failure, the command that resumes it.
 * @returns the exit code: 0 done, 1 a step failed.
 */
export async function runLocalPipelineCommand(request: LocalPipelineRequest, io: CommandIo): Promise<number> {
  const started = Date.now();
  const plan = await readLocalPlan(request.stack);
  const endpoints = defaultEndpoints(request.dir);
  const report = await runLocalPipeline(plan, request.name, request.env, {
    endpoints,
    log: (line) => io.err(`${io.isTTY ? readableLine(line) : line}\n`),
    runId: request.runId,
    from: request.from,
    allowEnvOverride: request.allowEnvOverride,
  });
  if (request.json) printJson(io, report);
  const steps = runnerOutputs.parse(plan.outputs).pipelines[request.name]?.steps ?? [];
  const summary = pipelineSummary(
    { ...report, ran: report.steps.length },
    {
      steps,
      from: request.from,
      ms: Date.now() - started,
      env: io.env,
      command: request.command ?? "job",
      flags: request.command === "local" ? request.flags : [...request.flags, "--local"],
    },
  );
  io.err(`${summary.trimEnd()}; buckets ${endpoints.storeDir}/, warehouse ${endpoints.warehouseFile}\n`);
  return report.exitCode;
}

/**
 * `npm run local -- <command>`: `up <pipeline>` until SIGINT or SIGTERM (then it stops what it started), or
 * `pipeline <name>`. The processes' JSON log lines reach `io.err` readable when `io.isTTY`, as they are otherwise.
 * @returns the exit code (commands/shared/exit.ts).
 */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  // Nothing local asks Google's metadata server (gcp-metadata reads this when it would probe, not when it loads).
  process.env.METADATA_SERVER_DETECTION ??= NO_METADATA_SERVER.METADATA_SERVER_DETECTION;
  let code: number = EXIT.done;
  const log = (line: string) => io.err(`${io.isTTY ? readableLine(line) : line}\n`);
  const program = commandProgram("local", "Run the stack's pipelines locally, on Google's Pub/Sub emulator.", io, HELP)
    .option("--stack <name>", "stack whose plan is run", "dev")
    .option("--dir <dir>", "folder for the local state (buckets, warehouse, outputs)", ".local")
    .option("--json", "pipeline: print its report as JSON on stdout");
  const globals = () => program.opts<{ stack: string; dir: string; json?: boolean }>();
  program
    .command("up <pipeline>")
    .description(`run an event-driven pipeline until Ctrl-C: ${UP_PIPELINES.join(", ")}`)
    .action(async (pipeline: string) => {
      if (!(UP_PIPELINES as readonly string[]).includes(pipeline))
        throw new BadInput(`unknown pipeline "${pipeline}": up runs ${UP_PIPELINES.join(", ")}; the ETL runs with: npm run local -- pipeline etl`);
      const started = Date.now();
      const local = await up(pipeline, { stack: globals().stack, dir: globals().dir, log });
      await new Promise<void>((resolve) => io.onInterrupt(resolve));
      log("stopping");
      await local.stop();
      io.err(summaryLine({ what: `local up ${pipeline}`, state: "STOPPED", ms: Date.now() - started, results: [`state ${globals().dir}/`] }));
    });
  program
    .command("pipeline <name>")
    .description("run a job pipeline (etl) as local processes")
    .option("--env <KEY=VALUE>", "an env var for every step, repeatable, e.g. SOURCE_URI=node_modules/vega-datasets/data/seattle-weather.csv", collect)
    .option("--allow-env-override", `let --env set ${CHAIN_ENV.runId} and ${CHAIN_ENV.stagingPrefix}`)
    .option("--from <step>", "resume a failed run at this step (with --run-id)")
    .option("--run-id <id>", "the run id (to resume a run: the failed run's)")
    .action(async (name: string, flags: { env?: string[]; allowEnvOverride?: boolean; from?: string; runId?: string }) => {
      const { stack, dir, json } = globals();
      // Where it ran, for the command that resumes it: the stack and, when not the default, the state folder.
      const placement = [...(stack !== "dev" ? ["--stack", stack] : []), ...(dir !== ".local" ? ["--dir", dir] : [])];
      code = await runLocalPipelineCommand(
        {
          stack,
          name,
          env: flags.env ?? [],
          dir,
          runId: flags.runId,
          from: flags.from,
          allowEnvOverride: Boolean(flags.allowEnvOverride),
          json: Boolean(json),
          flags: placement,
          command: "local",
        },
        io,
      );
    });
  return parseAndRun(program, argv, io.err, () => code);
}
