import { Command, CommanderError } from "commander";
import { CHAIN_ENV } from "@cloudrun-pipelines/components/chain-env";
import { BadInput, EXIT } from "../errors";
import { defaultEndpoints, runLocalPipeline } from "../runner/local";
import { readLocalPlan } from "../local/plan";
import { readableLine } from "../local/process";
import { up, UP_PIPELINES } from "../local/up";
import { SettingsError } from "../project/settings";

const HELP = `
Runs a stack's pipelines on this machine, configured from the stack's plan (the offline preview's, no cloud), each
workload started as the project's cloudrun-pipelines.yaml declares (local.images):
  up scoring      the Pub/Sub emulator with the stack's topics and subscriptions, the scorer as a local process, and
                  a watched input folder: a CSV written there is published as GCS's OBJECT_FINALIZE notification,
                  pushed to the scorer, and scored into the output folder
  up streaming    the emulator and the stream service; then, in another shell:
                  PUBSUB_EMULATOR_HOST=<printed> npm run stream -- send --file images/stream/sample/request.json --wait --outputs .local/outputs.json
  pipeline etl    extract, load and transform as local processes with the runner's ${CHAIN_ENV.runId} and ${CHAIN_ENV.stagingPrefix},
                  buckets as folders under .local/gcs, BigQuery as the file LOCAL_WAREHOUSE_FILE (.local/warehouse.duckdb)

PUBSUB_EMULATOR_HOST=127.0.0.1:PORT uses that emulator instead of starting one (loopback only). Starting one needs
the Google Cloud CLI with the Pub/Sub emulator (gcloud beta emulators pubsub start) and Java.
Exit codes: 0 done, 1 a job failed, 2 bad input, 3 the emulator or a service failed.`;

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * `npm run local -- <command>`. The processes' JSON log lines reach `io.err` readable when `io.isTTY` (stderr is a
 * terminal), as they are otherwise.
 * @returns the exit code; `up` resolves only after Ctrl-C (SIGINT/SIGTERM), having stopped what it started.
 */
export async function main(
  argv: readonly string[],
  io: { err(text: string): void; out(text: string): void; isTTY?: boolean; signals?: NodeJS.Process },
): Promise<number> {
  let code: number = EXIT.succeeded;
  const log = (line: string) => io.err(`${io.isTTY ? readableLine(line) : line}\n`);
  const program = new Command("local")
    .description("Run the stack's pipelines locally, on Google's Pub/Sub emulator.")
    .addHelpText("after", HELP)
    .option("--stack <name>", "stack whose plan is run", "dev")
    .option("--dir <dir>", "folder for the local state (buckets, warehouse, outputs)", ".local")
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t) });
  const globals = () => program.opts<{ stack: string; dir: string }>();
  program
    .command("up <pipeline>")
    .description(`run an event-driven pipeline until Ctrl-C: ${UP_PIPELINES.join(", ")}`)
    .action(async (pipeline: string) => {
      if (!(UP_PIPELINES as readonly string[]).includes(pipeline))
        throw new BadInput(`unknown pipeline "${pipeline}": up runs ${UP_PIPELINES.join(", ")}; the ETL runs with: npm run local -- pipeline etl`);
      const local = await up(pipeline, { stack: globals().stack, dir: globals().dir, log });
      const signals = io.signals ?? process;
      await new Promise<void>((resolve) => {
        signals.once("SIGINT", () => resolve());
        signals.once("SIGTERM", () => resolve());
      });
      log("stopping");
      await local.stop();
    });
  program
    .command("pipeline <name>")
    .description("run a job pipeline (etl) as local processes")
    .option("--env <KEY=VALUE>", "an env var for every step, repeatable, e.g. SOURCE_URI=node_modules/vega-datasets/data/seattle-weather.csv", collect)
    .action(async (name: string, flags: { env?: string[] }) => {
      const plan = await readLocalPlan(globals().stack);
      const report = await runLocalPipeline(plan, name, flags.env ?? [], { endpoints: defaultEndpoints(globals().dir), log });
      io.out(`${JSON.stringify(report, null, 2)}\n`);
      code = report.exitCode;
    });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.succeeded : EXIT.badInput;
    io.err(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof BadInput || err instanceof SettingsError ? EXIT.badInput : EXIT.apiError;
  }
}
