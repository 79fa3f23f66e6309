import { randomBytes } from "crypto";
import { CHAIN_ENV, CHAIN_ENV_NAMES } from "@cloudrun-pipelines/components/chain-env";
import { RunnerOutputs } from "../contract/outputs";
import { BadInput } from "../errors";
import { buildOverrides, parseEnv } from "./overrides";

// What a chain of jobs (a job pipeline) is given on every run, wherever its steps run (here, on Workflows, locally):
// its run id, its staging prefix, and where a resumed run starts.

/** A run id: the UTC time and 4 random hex digits, lowercase, usable in object paths, e.g. `20261123t053000z-a1b2`. */
export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "z")
    .toLowerCase();
  return `${stamp}-${randomBytes(2).toString("hex")}`;
}

/** What every step of one pipeline run shares: its run id, staging prefix and the overrides carrying both. */
export interface PipelineRun {
  runId: string;
  stagingPrefix: string;
  overrides: ReturnType<typeof buildOverrides>;
}

/**
 * The run id, `STAGING_PREFIX=gs://<staging bucket>/<run id>/` and overrides (the user's `--env` plus both) that every
 * step of a pipeline run gets, on Cloud Run and locally alike.
 * @throws BadInput for a bad `--env`, or `--env` setting RUN_ID or STAGING_PREFIX without `allowEnvOverride`.
 */
export function pipelineRun(stagingBucket: string, env: readonly string[], options: { runId?: string; allowEnvOverride?: boolean }): PipelineRun {
  const given = new Map(parseEnv(env).map((e) => [e.name, e.value]));
  // The variables the pipeline sets for every step; `--env` may set them only with `--allow-env-override`.
  const own = CHAIN_ENV_NAMES.filter((n) => given.has(n));
  if (own.length > 0 && !options.allowEnvOverride) {
    throw new BadInput(
      `--env ${own.join(", ")}: the pipeline sets ${own.length > 1 ? "these" : "this"} itself for every step; to replace ${own.length > 1 ? "them" : "it"} (e.g. to resume a run), add --allow-env-override`,
    );
  }
  const runId = given.get(CHAIN_ENV.runId) ?? options.runId ?? newRunId();
  const stagingPrefix = given.get(CHAIN_ENV.stagingPrefix) ?? `gs://${stagingBucket}/${runId}/`;
  const overrides = buildOverrides({ env: env.filter((e) => !CHAIN_ENV_NAMES.some((n) => e.startsWith(`${n}=`))) }, [
    { name: CHAIN_ENV.runId, value: runId },
    { name: CHAIN_ENV.stagingPrefix, value: stagingPrefix },
  ]);
  return { runId, stagingPrefix, overrides };
}

/** The job pipeline `name` of the stack. @throws BadInput listing the known ones. */
export function pipelineByName(outputs: RunnerOutputs, name: string): RunnerOutputs["pipelines"][string] {
  const pipeline = Object.hasOwn(outputs.pipelines, name) ? outputs.pipelines[name] : undefined;
  if (!pipeline) throw new BadInput(`unknown pipeline "${name}": the stack has ${Object.keys(outputs.pipelines).sort().join(", ") || "no pipelines"}`);
  return pipeline;
}

/** A run id given by hand (`--run-id`): the characters of the ids the runner and Workflows make. */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/**
 * The index of the step a run starts at: 0, or `from` when resuming, which needs the failed run's id (its
 * staging prefix holds what the earlier steps wrote).
 * @throws BadInput naming `--from` (unknown step, or no `--run-id`) or `--run-id`.
 */
export function firstStep(steps: readonly string[], options: { runId?: string; from?: string }): number {
  if (options.runId !== undefined && !RUN_ID.test(options.runId))
    throw new BadInput(`--run-id "${options.runId}": expected letters, digits, hyphens and underscores (at most 63), like 20261123t053000z-a1b2`);
  if (options.from === undefined) return 0;
  const at = steps.indexOf(options.from);
  if (at < 0) throw new BadInput(`--from "${options.from}": the pipeline's steps are ${steps.join(", ")}`);
  if (options.runId === undefined)
    throw new BadInput(`--from ${options.from}: give the run id of the run to resume (--run-id <id>), so the step reads what the earlier steps staged`);
  return at;
}
