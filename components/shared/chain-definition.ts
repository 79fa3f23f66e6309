import { stringify } from "yaml";
import { InputError } from "./errors";

/** One step of a chain, with plain values (the job's id resolved). */
export interface ChainStepDefinition {
  /** Step name: lowercase letters, digits and underscores, starting with a letter, e.g. `extract`. */
  readonly name: string;
  /** The job's full name, `projects/<p>/locations/<r>/jobs/<j>`. */
  readonly jobId: string;
  /** Arguments for this step's execution; they replace the job's `args`. @default the job's own */
  readonly args?: readonly string[];
  /** Environment variables for this step's execution, merged over the job's. */
  readonly env?: Readonly<Record<string, string>>;
  /** Tasks of this step's execution. @default the job's own */
  readonly taskCount?: number;
  /** Task timeout of this step's execution, in seconds. @default the job's own */
  readonly timeoutSeconds?: number;
  /** Variable that receives `gs://<bucket>/<object>` when a bucket event starts the run, e.g. `SOURCE_URI`. */
  readonly objectUriEnv?: string;
}

/** The whole chain, with plain values. */
export interface ChainDefinition {
  readonly steps: readonly ChainStepDefinition[];
  /** Bucket of the run's staging prefix, `gs://<bucket>/<run id>/`. */
  readonly stagingBucket: string;
  /** Seconds between two reads of a running execution. */
  readonly pollSeconds: number;
}

/** Variables every step gets, as the runner's `pipeline` command sets them (runner/pipeline.ts). */
export const CHAIN_ENV = { runId: "RUN_ID", stagingPrefix: "STAGING_PREFIX" } as const;

const RUN_API = "https://run.googleapis.com/v2/";
const STEP_NAME = /^[a-z][a-z0-9_]{0,40}$/;
/** Step and variable names of `main` that are not a step's. */
const RESERVED_STEPS = ["init", "from_bucket_event", "object_uri", "from_step", "unknown_step", "done", "input", "runId", "stagingPrefix", "objectUri", "executions"];

/**
 * Generates the Cloud Workflows definition (YAML) of a chain of Cloud Run jobs:
 * - `main` takes one runtime argument: `{}` from a schedule, a CloudEvent (`data.bucket`, `data.name`) from an
 *   Eventarc trigger, or `{"runId": "..."}` to re-run with a chosen id, with `"from": "<step>"` to resume there. The run id defaults to the workflow
 *   execution's id (`GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID`), and every step gets the same `RUN_ID` and
 *   `STAGING_PREFIX=gs://<staging bucket>/<run id>/` (src: https://cloud.google.com/workflows/docs/reference/environment-variables).
 * - Each step starts its job through the Admin API (`POST /v2/<job>:run`, with per-execution overrides) and
 *   polls the execution (`GET /v2/<execution>`) until it has a `completionTime`; both calls carry an OAuth token of
 *   the workflow's account, since Google APIs take OAuth (src: https://cloud.google.com/workflows/docs/authentication#making_authenticated_requests).
 * - A step succeeds only when every task succeeded (`succeededCount == taskCount`): a cancelled execution ends
 *   without error but is a failure (apache/airflow#67050). The first failed step raises, naming the step and the
 *   execution, so the workflow execution fails and no later step runs; a failed `:run` call (HTTP error) raises too.
 *
 * Polling executions rather than the run operation keeps the workflow's grants on the jobs themselves
 * (`roles/run.viewer` on each job reads its executions; operations are project-level resources).
 * @throws InputError for a step name that is not unique or not an identifier, or a value containing `${`
 *   (Workflows would read it as an expression).
 */
export function chainDefinition(chain: ChainDefinition): string {
  checkChainSteps(chain.steps);
  const main: unknown[] = [
    {
      init: {
        assign: [
          { input: "${default(input, {})}" },
          { runId: '${default(map.get(input, "runId"), sys.get_env("GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID"))}' },
          { stagingPrefix: `\${"gs://${chain.stagingBucket}/" + runId + "/"}` },
          { objectUri: null },
          { executions: {} },
        ],
      },
    },
    {
      from_bucket_event: {
        switch: [
          {
            condition: '${map.get(input, ["data", "bucket"]) != null and map.get(input, ["data", "name"]) != null}',
            steps: [{ object_uri: { assign: [{ objectUri: '${"gs://" + input.data.bucket + "/" + input.data.name}' }] } }],
          },
        ],
      },
    },
  ];
  main.push(resumeSwitch(chain.steps));
  for (const step of chain.steps) main.push(...stepBlocks(step));
  main.push({ done: { return: { runId: "${runId}", stagingPrefix: "${stagingPrefix}", executions: "${executions}" } } });
  // No YAML anchors or aliases for repeated objects: plain YAML is what Workflows documents.
  return stringify({ main: { params: ["input"], steps: main }, run_job: runJob(chain.pollSeconds) }, { lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * Resume: an input `{"runId": "<failed run>", "from": "<step>"}` jumps to that step (the steps before it are not
 * run again; with the same run id they find their staging prefix), as the runner's `pipeline --from` does; an
 * unknown step raises.
 */
function resumeSwitch(steps: readonly ChainStepDefinition[]): unknown {
  return {
    from_step: {
      switch: [
        ...steps.map((step) => ({ condition: `\${map.get(input, "from") == "${step.name}"}`, next: `${step.name}_overrides` })),
        { condition: '${map.get(input, "from") != null}', steps: [{ unknown_step: { raise: '${"no step " + input.from + " in this chain"}' } }] },
      ],
    },
  };
}

function stepBlocks(step: ChainStepDefinition): unknown[] {
  const envVar = `${step.name}_env`;
  const env = [
    { name: CHAIN_ENV.runId, value: "${runId}" },
    { name: CHAIN_ENV.stagingPrefix, value: "${stagingPrefix}" },
    ...Object.entries(step.env ?? {})
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, value]) => ({ name, value })),
  ];
  const blocks: unknown[] = [{ [`${step.name}_overrides`]: { assign: [{ [envVar]: env }] } }];
  if (step.objectUriEnv !== undefined) {
    blocks.push({
      [`${step.name}_object`]: {
        switch: [
          {
            condition: "${objectUri != null}",
            steps: [{ [`${step.name}_add_object`]: { assign: [{ [envVar]: `\${list.concat(${envVar}, {"name": "${step.objectUriEnv}", "value": objectUri})}` }] } }],
          },
        ],
      },
    });
  }
  const overrides = {
    containerOverrides: [{ env: `\${${envVar}}`, ...(step.args !== undefined && { args: [...step.args] }) }],
    ...(step.taskCount !== undefined && { taskCount: step.taskCount }),
    ...(step.timeoutSeconds !== undefined && { timeout: `${step.timeoutSeconds}s` }),
  };
  blocks.push({
    [step.name]: {
      call: "run_job",
      args: { step: step.name, job: step.jobId, overrides },
      result: `${step.name}_execution`,
    },
  });
  blocks.push({ [`${step.name}_done`]: { assign: [{ [`executions.${step.name}`]: `\${${step.name}_execution}` }] } });
  return blocks;
}

/** The subworkflow that runs one job and waits for its execution. */
function runJob(pollSeconds: number): unknown {
  const auth = { type: "OAuth2" };
  return {
    params: ["step", "job", "overrides"],
    steps: [
      { start: { call: "http.post", args: { url: `\${"${RUN_API}" + job + ":run"}`, auth, body: { overrides: "${overrides}" } }, result: "operation" } },
      { execution_name: { assign: [{ name: "${operation.body.metadata.name}" }] } },
      { poll: { call: "http.get", args: { url: `\${"${RUN_API}" + name}`, auth }, result: "execution" } },
      { finished: { switch: [{ condition: '${"completionTime" in execution.body}', next: "verdict" }] } },
      { wait: { call: "sys.sleep", args: { seconds: pollSeconds }, next: "poll" } },
      {
        verdict: {
          switch: [{ condition: '${default(map.get(execution.body, "succeededCount"), 0) == execution.body.taskCount}', return: "${name}" }],
        },
      },
      {
        failed: {
          raise: {
            message: '${"step " + step + " failed: execution " + name + " did not succeed in every task"}',
            step: "${step}",
            execution: "${name}",
            failedCount: '${default(map.get(execution.body, "failedCount"), 0)}',
            cancelledCount: '${default(map.get(execution.body, "cancelledCount"), 0)}',
          },
        },
      },
    ],
  };
}

/**
 * Checks a chain's steps: see {@link chainDefinition}. JobChain calls it before declaring anything.
 * @throws InputError naming `JobChain.steps[<i>]`.
 */
export function checkChainSteps(steps: readonly Pick<ChainStepDefinition, "name" | "args" | "env" | "objectUriEnv">[]): void {
  if (steps.length === 0) throw new InputError("JobChain.steps", "is empty", "list at least one step");
  // Every step name the definition uses, so that a step's generated names (extract_done, …) never clash with another's.
  const names = new Set<string>(["main", "run_job", ...RESERVED_STEPS]);
  for (const [i, step] of steps.entries()) {
    const at = `JobChain.steps[${i}]`;
    if (!STEP_NAME.test(step.name)) {
      throw new InputError(`${at}.name`, `"${step.name}" is not a usable step name`, 'use lowercase letters, digits and underscores, starting with a letter, e.g. "extract"');
    }
    for (const generated of [step.name, ...["overrides", "object", "add_object", "done", "execution", "env"].map((suffix) => `${step.name}_${suffix}`)]) {
      if (names.has(generated)) throw new InputError(`${at}.name`, `"${step.name}" clashes with another step or a name the chain uses (${generated})`, "give each step its own name, not main, run_job, init, done or another step's name with a suffix");
      names.add(generated);
    }
    for (const value of [...(step.args ?? []), ...Object.values(step.env ?? {}), ...Object.keys(step.env ?? {})]) {
      if (value.includes("${")) {
        throw new InputError(`${at}`, `"${value}" contains "\${"`, "leave Workflows expressions out of args and env: the run id and staging prefix are passed as RUN_ID and STAGING_PREFIX");
      }
    }
    for (const name of [...Object.keys(step.env ?? {}), ...(step.objectUriEnv !== undefined ? [step.objectUriEnv] : [])]) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || Object.values(CHAIN_ENV).includes(name as never)) {
        throw new InputError(`${at}.env`, `"${name}" is not a variable name the step may set`, `use letters, digits and underscores; ${Object.values(CHAIN_ENV).join(" and ")} are set by the chain`);
      }
    }
  }
}
