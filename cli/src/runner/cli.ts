import { Command, CommanderError, Option } from "commander";
import { CHAIN_ENV } from "@cloudrun-pipelines/components/chain-env";
import { ApiError, BadInput, EXIT } from "../errors";
import { jobByKey, readOutputs, RunnerOutputs } from "../project/outputs";
import { outcome, runApi, RunApi } from "./api";
import { createClients, RunClients } from "./client";
import { RunIo } from "./io";
import { runLocalFromCli, runLocalPipelineFromCli } from "./local";
import { LogsOption } from "./logs";
import { buildOverrides } from "./overrides";
import { runPipeline } from "./pipeline";
import { runRemote } from "./remote";
import { report, runJob } from "./run";
import { DEFAULT_TIMING, Timing } from "./timing";

/** What the CLI talks to; tests and the benchmark pass their own. */
export interface CliIo extends RunIo {
  out(text: string): void;
  env: NodeJS.ProcessEnv;
  clients?: RunClients;
  timing?: Timing;
}

const HELP = `
Runs existing Cloud Run jobs of a stack with per-execution overrides; never changes the jobs.
Overrides: --args/--arg replace the job's args entirely, --env merges into its env, --tasks and --timeout
replace its task count and per-task timeout. With none of them, no overrides are sent.

Exit codes: 0 succeeded, 1 execution failed (or was cancelled), 2 bad input, 3 API or permission error,
130 interrupted (the execution is cancelled).

Stack outputs come from \`pulumi stack output --json --stack <stack>\`, or from --outputs FILE
(\`npm run preview -- --stack <stack> --outputs FILE\` writes one).
CLOUD_RUN_EMULATOR_HOST=host:port points the client at a plaintext endpoint without credentials.
The identity needs roles/run.jobsExecutorWithOverrides (or roles/run.invoker without overrides) and
roles/run.viewer on the job; --logs needs roles/logging.viewAccessor on the stack's log view (output logView);
pipeline --remote needs roles/workflows.invoker and roles/workflows.viewer (not granted by the stack).
CLOUD_LOGGING_EMULATOR_HOST and WORKFLOWS_EMULATOR_HOST do for Logging and Workflows what CLOUD_RUN_EMULATOR_HOST does.`;

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Reads an execution name: a full resource name, or a short one resolved through the stack's jobs. */
function executionName(outputs: RunnerOutputs, name: string): string {
  if (name.startsWith("projects/")) return name;
  const job = Object.values(outputs.jobs).find((j) => name.startsWith(`${j.jobName}-`));
  if (!job)
    throw new BadInput(
      `execution "${name}": give its full name (projects/.../executions/...) or a name starting with a job of the stack: ${Object.values(outputs.jobs)
        .map((j) => j.jobName)
        .join(", ")}`,
    );
  return `${job.name}/executions/${name}`;
}

/**
 * Where `--logs` reads: the stack's log view when its outputs name one (the runners' grant is on that view, not
 * on the project), else the project.
 */
function logsOption(outputs: RunnerOutputs, project: string): LogsOption {
  return { resourceNames: [outputs.logView ?? `projects/${project}`] };
}

/**
 * The runner: `main(["run", "extract", "--args", "--year 2021"], io)`.
 * @returns the exit code (see the help text).
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const timing = io.timing ?? fromEnv(io.env);
  // The clients and the API calls over them, built once, when a command first calls the API.
  let connected: RunApi | undefined;
  const api = () => (connected ??= runApi(io.clients ?? createClients(io.env), timing));
  let code: number = EXIT.succeeded;
  const json = (value: unknown) => io.out(`${JSON.stringify(value, null, 2)}\n`);

  const program = new Command("job")
    .description("Run Cloud Run jobs from a stack's outputs, with runtime parameters.")
    .addHelpText("after", HELP)
    .option("--stack <name>", "stack whose outputs name the jobs", "dev")
    .option("--outputs <file>", "stack outputs as JSON instead of the Pulumi CLI")
    .option("--json", "print one JSON document on stdout; everything else goes to stderr")
    .option("--local", "run and pipeline: run the jobs as local processes from the stack's plan (runner/local.ts)")
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t) });
  const globals = () => program.opts<{ stack: string; outputs?: string; json?: boolean; local?: boolean }>();
  const logLine = (line: string) => io.err(`${line}\n`);
  const outputs = () => readOutputs(globals().stack, globals().outputs);

  program
    .command("run <job>")
    .description("execute a job and wait for it")
    .option("--args <args>", 'the argument list, split like a shell but never expanded ($X stays $X), e.g. "--year 2021 --month 3" (replaces the job\'s args)')
    .option("--arg <arg>", "one argument, repeatable (replaces the job's args)", collect)
    .option("--env <KEY=VALUE>", "an env var, repeatable (merges into the job's env)", collect)
    .option("--tasks <n>", "task count, 1-10000")
    .option("--timeout <duration>", "per-task timeout, e.g. 30m, 1h30m, 90s (at most 168h)")
    .option("--detach", "return as soon as the execution has started")
    .option("--logs", "stream the execution's log lines to stderr while waiting")
    .action(
      async (key: string, flags: { args?: string; arg?: string[]; env?: string[]; tasks?: string; timeout?: string; detach?: boolean; logs?: boolean }) => {
        const overrides = buildOverrides(flags);
        if (globals().local) {
          const local = await runLocalFromCli(globals().stack, key, overrides, logLine);
          if (globals().json) json(local);
          code = local.exitCode;
          return;
        }
        const job = jobByKey(outputs(), key);
        const result = await runJob(api(), job, overrides, {
          detach: Boolean(flags.detach),
          io,
          logs: flags.logs ? logsOption(outputs(), job.project) : undefined,
        });
        if (globals().json) json(result);
        code = result.exitCode;
      },
    );
  program
    .command("pipeline <name>")
    .description("run a declared chain of jobs (e.g. etl: extract, load, transform) with one run id and staging prefix")
    .option("--env <KEY=VALUE>", `an env var for every step, repeatable (${CHAIN_ENV.runId} and ${CHAIN_ENV.stagingPrefix} are the pipeline's own)`, collect)
    .option("--allow-env-override", `let --env set ${CHAIN_ENV.runId} and ${CHAIN_ENV.stagingPrefix}`)
    .option("--logs", "stream each step's log lines to stderr while waiting")
    .option("--from <step>", "resume a failed run at this step (with --run-id)")
    .option("--run-id <id>", "the run id (to resume a run: the failed run's)")
    .option("--remote", "start the deployed workflow (Workflows) instead of running the steps from here, and follow it")
    .action(async (name: string, flags: { env?: string[]; allowEnvOverride?: boolean; logs?: boolean; from?: string; runId?: string; remote?: boolean }) => {
      const env = flags.env ?? [];
      const allowEnvOverride = Boolean(flags.allowEnvOverride);
      if (globals().local) {
        const local = await runLocalPipelineFromCli(globals().stack, name, env, logLine, { allowEnvOverride, runId: flags.runId, from: flags.from });
        if (globals().json) json(local);
        code = local.exitCode;
        return;
      }
      const stack = outputs();
      const project = Object.values(stack.jobs)[0]?.project ?? "";
      if (flags.remote) {
        if (env.length)
          throw new BadInput(
            "--env with --remote: the deployed workflow takes only a run id and a step to resume from; set env on the jobs, or run without --remote",
          );
        const remote = await runRemote(api(), stack, name, {
          io,
          runId: flags.runId,
          from: flags.from,
          logs: flags.logs ? logsOption(stack, project) : undefined,
        });
        if (globals().json) json(remote);
        code = remote.exitCode;
        return;
      }
      const result = await runPipeline(api(), stack, name, env, {
        io,
        runId: flags.runId,
        from: flags.from,
        allowEnvOverride,
        logs: flags.logs ? logsOption(stack, project) : undefined,
      });
      if (globals().json) json(result);
      code = result.exitCode;
    });
  program
    .command("status <execution>")
    .description("state, task counts, times and log link of an execution")
    .action(async (name: string) => {
      const stack = outputs();
      const full = executionName(stack, name);
      const job = Object.values(stack.jobs).find((j) => full.startsWith(`${j.name}/`));
      if (!job)
        throw new BadInput(
          `execution "${name}" belongs to no job of the stack: ${Object.values(stack.jobs)
            .map((j) => j.jobName)
            .join(", ")}`,
        );
      const execution = await api().getExecution(full);
      const state = execution.completionTime ? outcome(execution) : "STARTED";
      const result = report(job, execution, false, [], EXIT.succeeded, state);
      if (globals().json) json(result);
      else
        io.out(
          `${result.execution}\n  state: ${state}, tasks: ${result.succeeded} succeeded, ${result.failed} failed, ${result.cancelled} cancelled of ${result.taskCount}\n  started: ${result.startTime ?? "-"}, completed: ${result.completionTime ?? "-"}\n  logs: ${result.logUri ?? "-"}\n`,
        );
    });
  program
    .command("list <job>")
    .description("recent executions of a job, newest first")
    .addOption(new Option("--limit <n>", "how many").default("10"))
    .action(async (key: string, flags: { limit: string }) => {
      const limit = Number(flags.limit);
      if (!/^\d+$/.test(flags.limit) || limit < 1 || limit > 1000) throw new BadInput(`--limit "${flags.limit}": expected a whole number from 1 to 1000`);
      const job = jobByKey(outputs(), key);
      const executions = await api().listExecutions(job.name, limit);
      const rows = executions.slice(0, limit).map((e) => report(job, e, false, [], EXIT.succeeded, e.completionTime ? outcome(e) : "STARTED"));
      if (globals().json) return json(rows);
      // A header row, and gcloud's labels where the column means the same: EXECUTION, and COMPLETE as "<succeeded> / <tasks>"
      // (google-cloud-sdk lib/surface/run/jobs/executions/list.py, Google Cloud CLI 528).
      const table = [
        ["EXECUTION", "STATE", "COMPLETE", "STARTED", "COMPLETED", "LOGS"],
        ...rows.map((r) => [
          r.execution.split("/").pop() ?? "",
          r.state,
          `${r.succeeded} / ${r.taskCount}`,
          r.startTime ?? "-",
          r.completionTime ?? "-",
          r.logUri ?? "-",
        ]),
      ];
      const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
      const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i])).join("  ");
      io.out(table.map((row) => `${line(row).trimEnd()}\n`).join(""));
    });
  program
    .command("cancel <execution>")
    .description("cancel an execution")
    .action(async (name: string) => {
      const full = executionName(outputs(), name);
      await api().cancel(full);
      io.err(`cancelled ${full}\n`);
      if (globals().json) json({ execution: full, cancelled: true });
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.succeeded : EXIT.badInput;
    if (err instanceof BadInput) {
      io.err(`error: ${err.message}\n`);
      return EXIT.badInput;
    }
    io.err(`error: ${err instanceof ApiError ? err.message : err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.apiError;
  }
}

/** `RUNNER_POLL_SECONDS=0.05` polls at that fixed interval (tests and benchmarks); otherwise 2 s growing to 15 s. */
function fromEnv(env: NodeJS.ProcessEnv): Timing {
  const fixed = Number(env.RUNNER_POLL_SECONDS);
  return fixed > 0 ? { ...DEFAULT_TIMING, pollMs: { first: fixed * 1000, factor: 1, max: fixed * 1000 }, retryMs: fixed * 1000 } : DEFAULT_TIMING;
}

/** Runs the CLI on `argv` (this process's arguments by default) with its streams and signals, and exits with its code. */
export function runFromProcess(argv: readonly string[] = process.argv.slice(2)): void {
  const io: CliIo = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
    env: process.env,
    onInterrupt(handler) {
      process.on("SIGINT", handler);
      process.on("SIGTERM", handler);
      return () => {
        process.off("SIGINT", handler);
        process.off("SIGTERM", handler);
      };
    },
  };
  void main(argv, io).then((code) => process.exit(code));
}
