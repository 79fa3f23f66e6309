import { Command, CommanderError } from "commander";
import * as fs from "fs";
import * as path from "path";
import { cloudStorage, Gcs } from "./gcs";
import { extract } from "./jobs/extract";
import { load } from "./jobs/load";
import { transform } from "./jobs/transform";
import { createLogger, exitWhenWritten, Io, Logger, processIo, STOP_SIGNALS, stopOnSignal } from "@cloudrun-pipelines/images-shared";
import { Env, extractParams, Flags, loadParams, ParamError, transformParams } from "./params";
import { Stopped } from "./safe-point";
import { bigQuery, Warehouse } from "./warehouse";

/** The clients a run uses; tests pass fakes. Created on first use, so a dry run needs no credentials. */
export interface Clients {
  gcs: () => Gcs;
  warehouse(project: string): Warehouse;
}

let storage: Gcs | undefined;
const defaultClients: Clients = { gcs: () => (storage ??= cloudStorage()), warehouse: (project) => bigQuery(project) };

/** Exit codes: 0 done, 1 the workload failed, 2 bad input (a missing or invalid parameter); 143 and 130 stopped by SIGTERM and SIGINT ({@link STOP_SIGNALS}). */
export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;

export const JOBS = ["extract", "load", "transform"] as const;
type Job = (typeof JOBS)[number];

/** Where transform's SQL files are: `sql/` next to `dist/` (or `src/`). */
const DEFAULT_SQL_DIR = path.join(__dirname, "..", "sql");

const RANGE_OPTIONS: [string, string][] = [
  ["--from <date>", "first day, YYYY-MM-DD (env DATE_FROM)"],
  ["--to <date>", "last day, YYYY-MM-DD (env DATE_TO)"],
  ["--year <yyyy>", "a whole year (env YEAR)"],
  ["--month <m>", "a month of --year, 1-12 (env MONTH)"],
];

/** The SQL files transform runs, in name order. @throws ParamError when the folder has none. */
export function sqlFiles(dir: string): string[] {
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".sql"))
        .sort()
    : [];
  if (files.length === 0) throw new ParamError(`no .sql files in --sql-dir (or SQL_DIR) "${dir}": expected a folder of .sql files, run in name order`);
  return files;
}

async function run(job: Job, flags: Flags, env: Env, log: Logger, clients: Clients, stop?: AbortSignal): Promise<number> {
  const dryRun = Boolean(flags.dryRun) || env.DRY_RUN === "1" || env.DRY_RUN === "true";
  const dry = (params: object) => {
    log("NOTICE", `${job}: parameters are valid (dry run, nothing read or written)`, { job, params });
    return EXIT.ok;
  };
  switch (job) {
    case "extract": {
      const p = extractParams(flags, env);
      if (dryRun) return dry(p);
      const result = await extract(p, p.destination, clients.gcs, p.dateColumn, env.SOURCE_TOKEN || undefined, stop);
      log(
        "NOTICE",
        `extract: wrote ${result.rowsWritten} rows in ${result.partitions.length} daily partitions to ${result.destination} (task ${p.task.index} of ${p.task.count}); dropped ${result.rowsRejected} of ${result.rowsRead} rows without a valid date${result.removed.length > 0 ? `; deleted ${result.removed.length} days it owns that the source no longer has (${result.removed.join(", ")})` : ""}`,
        {
          job,
          ...result,
          partitions: result.partitions.length,
        },
      );
      return EXIT.ok;
    }
    case "load": {
      const p = loadParams(flags, env);
      if (dryRun) return dry(p);
      const result = await load(p, clients.gcs, clients.warehouse(p.project), stop);
      log(
        "NOTICE",
        `load: loaded ${result.rowsLoaded} rows into ${Object.keys(result.partitions).length} daily partitions of ${result.table} from ${result.source}`,
        { job, ...result },
      );
      return EXIT.ok;
    }
    case "transform": {
      const p = transformParams(flags, env, DEFAULT_SQL_DIR);
      const files = sqlFiles(p.sqlDir);
      if (dryRun) return dry({ ...p, sqlFiles: files });
      await transform(p, files, clients.warehouse(p.project), stop);
      log("NOTICE", `transform: ran ${files.length} SQL files in ${p.project}.${p.warehouse}`, { job, sqlFiles: files, range: p.range ?? null });
      return EXIT.ok;
    }
  }
}

/**
 * Runs one ETL job: `main(["extract", "--source", "...", ...], process.env)`. Every parameter is a flag or, when
 * the flag is absent, an env var (a Cloud Run execution's `args` override replaces the job's args, its `env`
 * override merges), so the job's defaults live in env and each run passes what differs as args. Aborting `stop`
 * (with the signal's name as its reason, as {@link runProcess} does) stops the job at its next safe point.
 * @returns the exit code (see {@link EXIT}); the reason of a failure, or where a stop left the job, is in the last log line.
 */
export async function main(
  argv: readonly string[],
  env: Env,
  processStreams: Io = processIo,
  clients: Clients = defaultClients,
  stop?: AbortSignal,
): Promise<number> {
  const log = createLogger(processStreams, env);
  let code: number = EXIT.ok;
  const program = new Command("etl")
    .description("Batch ETL jobs of cloudrun-pipelines. Exit codes: 0 done, 1 failed, 2 bad input.")
    .exitOverride()
    .configureOutput({ writeOut: (text) => processStreams.stdout(text), writeErr: () => undefined });
  const job = (name: Job, description: string, options: [string, string][]) => {
    const command = program.command(name).description(description).option("--dry-run", "validate the parameters, print them, and stop (env DRY_RUN=1)");
    for (const [flags, help] of [...options, ...RANGE_OPTIONS]) command.option(flags, help);
    command.action(async (flags: Flags) => {
      code = await run(name, flags, env, log, clients, stop);
    });
  };
  job("extract", "Source (CSV, Parquet, JSON) -> Parquet in the raw bucket, partitioned by date.", [
    ["--source <uri>", "https:// URL, gs:// URI or local path (env SOURCE_URI)"],
    ["--dataset <name>", "dataset name, e.g. flights (env DATASET_NAME)"],
    ["--date-column <name>", "column with each row's date, default date (env DATE_COLUMN)"],
    ["--dest <uri>", "gs:// URI or local folder instead of the raw bucket (env DEST)"],
  ]);
  job("load", "Parquet from the raw bucket or the run's staging prefix -> a partitioned BigQuery table.", [
    ["--dataset <name>", "dataset name (env DATASET_NAME)"],
    ["--table <name>", "table, default: the dataset name (env TABLE_NAME)"],
  ]);
  job("transform", "The SQL files of sql/, in name order -> curated tables.", [["--sql-dir <dir>", "folder of .sql files (env SQL_DIR)"]]);

  if (argv.length === 0) {
    log("ERROR", `missing job: give one of ${JOBS.join(", ")}`);
    return EXIT.badInput;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return EXIT.ok; // --help
      const message =
        err.code === "commander.unknownCommand" ? `unknown job "${argv[0]}": give one of ${JOBS.join(", ")}` : err.message.replace(/^error: /, "");
      log("ERROR", message);
      return EXIT.badInput;
    }
    if (err instanceof ParamError) {
      log("ERROR", err.message);
      return EXIT.badInput;
    }
    if (err instanceof Stopped) {
      log("NOTICE", `${argv[0]}: ${err.message}; re-run with the same parameters to finish`, { job: argv[0], signal: err.signal });
      return STOP_SIGNALS[err.signal];
    }
    log("ERROR", `${argv[0]} failed: ${err instanceof Error ? err.message : String(err)}`, { error: err });
    return EXIT.failed;
  }
  return code;
}

/**
 * The image's entry point (`node /app/dist/main.js <job> [args]`; `images/etl/local/main.ts` with local clients): runs
 * {@link main} on this process's arguments and env, and exits with its code once the log lines are written out.
 * SIGTERM (Cloud Run cancelling the task, or its timeout) or SIGINT stops the job at its next safe point, within
 * the stop deadline, and the process exits 143 or 130 (@cloudrun-pipelines/images-shared).
 */
export function runProcess(clients: Clients = defaultClients): void {
  const controller = new AbortController();
  const job = `the ${process.argv[2] ?? "etl"} job`;
  const ran = main(process.argv.slice(2), process.env, processIo, clients, controller.signal);
  stopOnSignal(createLogger(processIo, process.env), {
    inFlight: () => job,
    async stop(signal) {
      controller.abort(signal);
      const code = await ran;
      return code === STOP_SIGNALS[signal] ? `${job} stopped at a safe point` : `${job} had ended with exit code ${code}`;
    },
  });
  // A stop exits on its own (stopOnSignal); otherwise the job's code, without waiting for idle sockets to close.
  void ran.then((code) => (controller.signal.aborted ? undefined : exitWhenWritten(code)));
}

if (require.main === module) runProcess();
