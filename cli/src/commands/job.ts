import { Option } from "commander";
import { CHAIN_ENV } from "@cloudrun-pipelines/components/chain-env";
import { MAX_TASK_TIMEOUT_SECONDS } from "@cloudrun-pipelines/components/limits";
import { durationSeconds } from "./shared/duration";
import { parseAndRun } from "./shared/error-line";
import type { CommandIo } from "./shared/io";
import { invocation, printJson, summaryLine } from "./shared/output";
import { commandProgram } from "./shared/program";
import { pipelineSummary } from "./shared/summary";
import { readableLine } from "../local/process";
import { BadInput, EXIT } from "../errors";
import { jobByKey, readOutputs, RunnerOutputs } from "../project/outputs";
import { outcome, runApi, RunApi } from "../runner/api";
import { createClients, RunClients } from "../runner/client";
import { runLocalFromCli } from "../runner/local";
import { LogsOption } from "../runner/logs";
import { buildOverrides } from "../runner/overrides";
import { runPipeline } from "../runner/pipeline";
import { runRemote } from "../runner/remote";
import { report, runJob } from "../runner/run";
import { DEFAULT_TIMING, Timing } from "../runner/timing";

/** What the CLI talks to (commands/shared/io.ts); tests and the benchmark pass their own clients and timing. */
export interface CliIo extends CommandIo {
  clients?: RunClients;
  timing?: Timing;
}

const HELP = `
Runs existing Cloud Run jobs of a stack with per-execution overrides; never changes the jobs.
Overrides: --args/--arg replace the job's args entirely, --env merges into its env, --tasks and --timeout
replace its task count and per-task timeout. With none of them, no overrides are sent.
gcloud's spellings (gcloud run jobs execute) are accepted: --async for --detach, --task-timeout for --timeout,
--update-env-vars KEY=VALUE,... for --env; --tasks and --wait are the same. Durations: 90s, 30m, 1h30m, or seconds.
On SIGINT or SIGTERM the execution is cancelled (exit 130 or 143). A failed pipeline prints the command that resumes it.

Stack outputs come from \`pulumi stack output --json --stack <stack>\`, or from --outputs FILE
(\`npm run preview -- --stack <stack> --outputs FILE\` writes one).
CLOUD_RUN_EMULATOR_HOST=host:port points the client at a plaintext endpoint without credentials.
The identity needs roles/run.jobsExecutorWithOverrides (or roles/run.invoker without overrides) and
roles/run.viewer on the job; --logs needs roles/logging.viewAccessor on the stack's log view (output logView);
pipeline --remote needs roles/workflows.invoker and roles/workflows.viewer (not granted by the stack).
CLOUD_LOGGING_EMULATOR_HOST and WORKFLOWS_EMULATOR_HOST do for Logging and Workflows what CLOUD_RUN_EMULATOR_HOST does.`;

const collect = (value: string, previous: string[] = []) => [...previous, value];
/** gcloud's `--update-env-vars=[KEY=VALUE,…]`: a comma-separated list (src: https://cloud.google.com/sdk/gcloud/reference/run/jobs/execute). */
const collectList = (value: string, previous: string[] = []) => [...previous, ...value.split(",")];

/** The `run` flags, with gcloud's spellings beside ours (see the help text). */
interface RunFlags {
  args?: string;
  arg?: string[];
  env?: string[];
  updateEnvVars?: string[];
  tasks?: string;
  timeout?: string;
  taskTimeout?: string;
  detach?: boolean;
  async?: boolean;
  wait?: boolean;
  logs?: boolean;
}

/** The override flags of `run` as `buildOverrides` takes them: gcloud's spellings merged into ours, the timeout read by the one duration grammar. */
function overrideFlags(flags: RunFlags): Parameters<typeof buildOverrides>[0] {
  if (flags.timeout !== undefined && flags.taskTimeout !== undefined) throw new BadInput("--timeout and --task-timeout: give the per-task timeout once");
  if ((flags.detach || flags.async) && flags.wait)
    throw new BadInput("--wait with --async (or --detach): choose one: wait for the execution, or return once it started");
  const timeout = flags.timeout ?? flags.taskTimeout;
  const env = [...(flags.env ?? []), ...(flags.updateEnvVars ?? [])];
  return {
    args: flags.args,
    arg: flags.arg,
    tasks: flags.tasks,
    ...(env.length > 0 && { env }),
    ...(timeout !== undefined && {
      timeoutSeconds: durationSeconds(flags.timeout !== undefined ? "--timeout" : "--task-timeout", timeout, MAX_TASK_TIMEOUT_SECONDS),
    }),
  };
}

/**
 * The `local` command's module, loaded only for `--local`: it loads the stack's plan under Pulumi's mock runtime,
 * which the runner's other commands never need. `require`, not `import()`: in this CommonJS file TypeScript
 * (`module: nodenext`) types `import()` as an ES module import, which Node loads outside the TypeScript require hook.
 */
function localCommand(): typeof import("./local") {
  return require("./local") as typeof import("./local"); // eslint-disable-line @typescript-eslint/no-require-imports -- lazy (above)
}

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
  let code: number = EXIT.done;
  const started = Date.now();
  const json = (value: unknown) => printJson(io, value);

  const program = commandProgram("job", "Run Cloud Run jobs from a stack's outputs, with runtime parameters.", io, HELP)
    .option("--stack <name>", "stack whose outputs name the jobs", "dev")
    .option("--outputs <file>", "stack outputs as JSON instead of the Pulumi CLI")
    .option("--json", "print one JSON document on stdout; everything else goes to stderr")
    .option("--local", "run and pipeline: run the jobs as local processes from the stack's plan (runner/local.ts)");
  const globals = () => program.opts<{ stack: string; outputs?: string; json?: boolean; local?: boolean }>();
  // The workloads' JSON log lines (--local) readable on a terminal, as --logs shows them (local/log-line.ts).
  const logLine = (line: string) => io.err(`${io.isTTY ? readableLine(line) : line}\n`);
  const outputs = () => readOutputs(globals().stack, globals().outputs);
  /** The flags that chose where a run ran, for the command that resumes it. */
  const placement = () => {
    const { stack, outputs: file } = globals();
    return [...(stack !== "dev" ? ["--stack", stack] : []), ...(file !== undefined ? ["--outputs", file] : [])];
  };
  const ms = () => Date.now() - started;

  program
    .command("run <job>")
    .description("execute a job and wait for it")
    .option("--args <args>", 'the argument list, split like a shell but never expanded ($X stays $X), e.g. "--year 2021 --month 3" (replaces the job\'s args)')
    .option("--arg <arg>", "one argument, repeatable (replaces the job's args)", collect)
    .option("--env <KEY=VALUE>", "an env var, repeatable (merges into the job's env)", collect)
    .option("--update-env-vars <KEY=VALUE,...>", "gcloud's spelling of --env: comma-separated, repeatable", collectList)
    .option("--tasks <n>", "task count, 1-10000")
    .option("--timeout <duration>", "per-task timeout, e.g. 30m, 1h30m, 90s or 600 (seconds), at most 168h")
    .option("--task-timeout <duration>", "gcloud's spelling of --timeout")
    .option("--detach", "return as soon as the execution has started")
    .option("--async", "gcloud's spelling of --detach")
    .option("--wait", "wait for the execution to end (the default; gcloud's spelling)")
    .option("--logs", "stream the execution's log lines to stderr while waiting")
    .action(async (key: string, flags: RunFlags) => {
      const overrides = buildOverrides(overrideFlags(flags));
      if (globals().local) {
        const local = await runLocalFromCli(globals().stack, key, overrides, logLine);
        if (globals().json) json(local);
        io.err(summaryLine({ what: `job ${key} (local)`, state: local.state, ms: ms(), results: [`execution ${local.execution}`] }));
        code = local.exitCode;
        return;
      }
      const stack = outputs();
      const job = jobByKey(stack, key);
      const detach = Boolean(flags.detach || flags.async);
      const result = await runJob(api(), job, overrides, { detach, io, logs: flags.logs ? logsOption(stack, job.project) : undefined });
      if (globals().json) json(result);
      const short = result.execution.split("/").pop() ?? result.execution;
      const follow = detach ? [`follow: ${[invocation("job", io.env), ...placement(), "status", short].join(" ")}`] : [];
      io.err(
        summaryLine({
          what: `job ${key}`,
          state: result.state,
          ms: ms(),
          results: [`execution ${short}`, `logs ${result.logUri ?? result.consoleUrl}`, ...follow],
        }),
      );
      code = result.exitCode;
    });
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
      const summarize = (outcome: Parameters<typeof pipelineSummary>[0], steps: readonly string[], flags2: readonly string[]) =>
        io.err(pipelineSummary(outcome, { steps, from: flags.from, ms: ms(), env: io.env, flags: [...placement(), ...flags2] }));
      if (globals().local) {
        const request = { stack: globals().stack, name, env, allowEnvOverride, runId: flags.runId, from: flags.from, json: Boolean(globals().json) };
        code = await localCommand().runLocalPipelineCommand({ ...request, flags: placement() }, io);
        return;
      }
      const stack = outputs();
      const steps = stack.pipelines[name]?.steps ?? [];
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
        summarize({ ...remote, ran: Object.keys(remote.executions).length }, steps, ["--remote"]);
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
      summarize({ ...result, ran: result.steps.length }, steps, []);
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
      const result = report(job, execution, false, [], EXIT.done, state);
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
      const rows = executions.slice(0, limit).map((e) => report(job, e, false, [], EXIT.done, e.completionTime ? outcome(e) : "STARTED"));
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

  return parseAndRun(program, argv, io.err, () => code);
}

/** `RUNNER_POLL_SECONDS=0.05` polls at that fixed interval (tests and benchmarks); otherwise 2 s growing to 15 s. */
function fromEnv(env: NodeJS.ProcessEnv): Timing {
  const fixed = Number(env.RUNNER_POLL_SECONDS);
  return fixed > 0 ? { ...DEFAULT_TIMING, pollMs: { first: fixed * 1000, factor: 1, max: fixed * 1000 }, retryMs: fixed * 1000 } : DEFAULT_TIMING;
}
