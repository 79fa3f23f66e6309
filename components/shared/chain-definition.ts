import { stringify } from "yaml";
import { CHAIN_ENV } from "./chain-env";
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
}

/** The whole chain, with plain values. */
export interface ChainDefinition {
  readonly steps: readonly ChainStepDefinition[];
  /** Bucket of the run's staging prefix, `gs://<bucket>/<run id>/`. @default none: no `STAGING_PREFIX` */
  readonly stagingBucket?: string;
  /** Seconds between two reads of a running execution. */
  readonly pollSeconds: number;
}

const RUN_API = "https://run.googleapis.com/v2/";
const STEP_NAME = /^[a-z][a-z0-9_]{0,40}$/;
/** Step and variable names of `main` that are not a step's. */
const RESERVED_STEPS = ["init", "from_step", "unknown_step", "done", "input", "empty", "runId", "stagingPrefix", "executions"];
/** The subworkflows beside `main`. */
const SUBWORKFLOWS = ["main", "run_job", "run_rejected"];

/**
 * Retry of the execution reads (`GET /v2/<execution>`, idempotent): Google's predicate for idempotent targets
 * (429, 502, 503, 504, ConnectionError, ConnectionFailedError, TimeoutError; src:
 * https://cloud.google.com/workflows/docs/reference/stdlib/http/default_retry_predicate; a 500 is not retried, as
 * there: Google's client libraries treat only UNAVAILABLE as transient under AIP-194, e.g.
 * https://cloud.google.com/java/docs/reference/gax/latest/com.google.api.gax.rpc.UnavailableException), 10 retries with backoff
 * 2, 4, 8 … 60 seconds: about 6 minutes of outage survived inside a poll loop that may last hours
 * (src: https://cloud.google.com/workflows/docs/reference/syntax/retrying).
 */
export const READ_RETRY = {
  predicate: "${http.default_retry_predicate}",
  max_retries: 10,
  backoff: { initial_delay: 2, max_delay: 60, multiplier: 2 },
} as const;

/**
 * Retry of the run call (`POST /v2/<job>:run`, not idempotent: each accepted call starts an execution). Only an
 * HTTP 429 is retried, a request the API refused (rate limit, quota) and so started nothing; Google's own
 * predicate for non-idempotent targets retries 429 too (src: https://cloud.google.com/workflows/docs/reference/stdlib/http/default_retry_predicate_non_idempotent).
 * A 5xx, a timeout or a broken connection may come after the execution was created, so they are not retried:
 * the workflow execution fails with the error and the run can be repeated by hand (`runId` re-used); a retry
 * could start the job twice. Backoff 10, 20 … 120 seconds, 5 retries.
 */
export const RUN_RETRY = { predicate: "${run_rejected}", max_retries: 5, backoff: { initial_delay: 10, max_delay: 120, multiplier: 2 } } as const;

/**
 * Generates the Cloud Workflows definition (YAML) of a chain of Cloud Run jobs:
 * - `main` takes one runtime argument: `{}` from a schedule, or `{"runId": "..."}` to re-run with a chosen id, with
 *   `"from": "<step>"` to resume there. The run id defaults to the workflow
 *   execution's id (`GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID`), and every step gets the same `RUN_ID` and
 *   `STAGING_PREFIX=gs://<staging bucket>/<run id>/` (src: https://cloud.google.com/workflows/docs/reference/environment-variables).
 * - Each step starts its job through the Admin API (`POST /v2/<job>:run`, with per-execution overrides) and
 *   polls the execution (`GET /v2/<execution>`) until it has a `completionTime`; both calls carry an OAuth token of
 *   the workflow's account, since Google APIs take OAuth (src: https://cloud.google.com/workflows/docs/authentication#making_authenticated_requests).
 *   Reads are retried on transient errors ({@link READ_RETRY}); the run call only where it surely started
 *   nothing ({@link RUN_RETRY}), so a job never runs twice for one step.
 * - A step succeeds only when every task succeeded (`succeededCount == taskCount`): a cancelled execution ends
 *   without error but is a failure (apache/airflow#67050). The first failed step raises, naming the step and the
 *   execution, so the workflow execution fails and no later step runs; a failed `:run` call (HTTP error) raises too.
 *
 * Polling executions rather than the run operation keeps the workflow's grants on the jobs themselves
 * (`roles/run.viewer` on each job reads its executions; operations are project-level resources).
 *
 * Only documented syntax is emitted, each construct as Google's reference or an official sample shows it:
 * - YAML steps: `assign`, `switch` with `condition`/`steps`/`next`/`return`, `call` of a subworkflow with `args`
 *   and `result`, `raise` with a map, `return` of a map, `params`, `next` (src: https://cloud.google.com/workflows/docs/reference/syntax/syntax-cheat-sheet;
 *   GoogleCloudPlatform/workflows-demos `syntax-cheat-sheet/workflow.yaml`); `assign` of a map and of `my_map.key`
 *   (same sample, "Maps"); `http.post`/`http.get` with `auth: {type: OAuth2}` (src: https://cloud.google.com/workflows/docs/authentication);
 *   `sys.sleep` (same sample).
 * - `try` with a single call and `retry` with `predicate`, `max_retries` and `backoff`; a custom predicate as a
 *   subworkflow with `params: [e]` returning true or false (src: https://cloud.google.com/workflows/docs/reference/syntax/retrying;
 *   https://cloud.google.com/workflows/docs/samples/workflows-error-retry-predicate).
 * - Expressions `${...}` use only: string literals in double quotes, whole numbers, variable names, `a.b`
 *   field access, `+` on strings, `==`, `not(...)`, `in` on a map and on `e.tags`, and the functions
 *   `default`, `map.get` and `sys.get_env`, and the value `http.default_retry_predicate` (src: the expression
 *   reference's supported elements and operators, https://cloud.google.com/workflows/docs/reference/syntax/expressions; the
 *   cheat sheet sample above for `not(...)`, `in` and `==`; https://cloud.google.com/workflows/docs/reference/stdlib/expression-helpers
 *   for `default`; https://cloud.google.com/workflows/docs/reference/stdlib/map/get).
 *   No map or list literal appears inside an expression: the reference lists neither, so maps are built in YAML
 *   `assign` steps first and passed by name.
 * @param field - the chain's path in the user's program, for errors, e.g. `JobChain(nightly)`
 * @throws InputError for a step name that is not unique or not an identifier, or a value containing `${`
 *   (Workflows would read it as an expression).
 */
export function chainDefinition(chain: ChainDefinition, field = "JobChain"): string {
  checkChainSteps(field, chain.steps);
  const main: unknown[] = [
    {
      init: {
        assign: [
          { empty: {} },
          { input: "${default(input, empty)}" },
          { runId: '${default(map.get(input, "runId"), sys.get_env("GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID"))}' },
          ...(chain.stagingBucket !== undefined ? [{ stagingPrefix: `\${"gs://${chain.stagingBucket}/" + runId + "/"}` }] : []),
          { executions: {} },
        ],
      },
    },
  ];
  const staged = chain.stagingBucket !== undefined;
  main.push(resumeSwitch(chain.steps));
  for (const step of chain.steps) main.push(...stepBlocks(step, staged));
  main.push({ done: { return: { runId: "${runId}", ...(staged && { stagingPrefix: "${stagingPrefix}" }), executions: "${executions}" } } });
  // No YAML anchors or aliases for repeated objects: plain YAML is what Workflows documents.
  return stringify(
    { main: { params: ["input"], steps: main }, run_job: runJob(chain.pollSeconds), run_rejected: runRejected() },
    { lineWidth: 0, aliasDuplicateObjects: false },
  );
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
        { condition: '${"from" in input}', steps: [{ unknown_step: { raise: '${"no step " + input.from + " in this chain"}' } }] },
      ],
    },
  };
}

function stepBlocks(step: ChainStepDefinition, staged: boolean): unknown[] {
  const envVar = `${step.name}_env`;
  const env = [
    { name: CHAIN_ENV.runId, value: "${runId}" },
    ...(staged ? [{ name: CHAIN_ENV.stagingPrefix, value: "${stagingPrefix}" }] : []),
    ...Object.entries(step.env ?? {})
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, value]) => ({ name, value })),
  ];
  const blocks: unknown[] = [{ [`${step.name}_overrides`]: { assign: [{ [envVar]: env }] } }];
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
      {
        start: {
          try: { call: "http.post", args: { url: `\${"${RUN_API}" + job + ":run"}`, auth, body: { overrides: "${overrides}" } }, result: "operation" },
          retry: RUN_RETRY,
        },
      },
      { execution_name: { assign: [{ name: "${operation.body.metadata.name}" }] } },
      { poll: { try: { call: "http.get", args: { url: `\${"${RUN_API}" + name}`, auth }, result: "execution" }, retry: READ_RETRY } },
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
 * The retry predicate of the run call ({@link RUN_RETRY}): true only for an HTTP error with status 429. The
 * tag test comes first, since an error without the `HttpError` tag has no `code` (src: GoogleCloudPlatform/workflows-demos
 * `syntax-cheat-sheet/workflow.yaml`, "Catch errors"; https://cloud.google.com/workflows/docs/reference/syntax/error-types).
 */
function runRejected(): unknown {
  return {
    params: ["e"],
    steps: [
      { not_http: { switch: [{ condition: '${not("HttpError" in e.tags)}', return: false }] } },
      { too_many_requests: { switch: [{ condition: "${e.code == 429}", return: true }] } },
      { otherwise: { return: false } },
    ],
  };
}

/**
 * Checks a chain's steps: see {@link chainDefinition}. JobChain calls it before declaring anything.
 * Env values that are not plain strings (Outputs, checked once resolved) are skipped.
 * @param field - the chain's path in the user's program, e.g. `JobChain(nightly)`
 * @throws InputError naming `<field>.steps[<i>]`, e.g. `JobChain(nightly).steps[1].name`.
 */
export function checkChainSteps(
  field: string,
  steps: readonly (Pick<ChainStepDefinition, "name" | "args"> & { readonly env?: Readonly<Record<string, unknown>> })[],
): void {
  if (steps.length === 0) throw new InputError(`${field}.steps`, "is empty", "list at least one step");
  // Every step name the definition uses, so that a step's generated names (extract_done, …) never clash with another's.
  const names = new Set<string>([...SUBWORKFLOWS, ...RESERVED_STEPS]);
  for (const [i, step] of steps.entries()) {
    const at = `${field}.steps[${i}]`;
    if (!STEP_NAME.test(step.name)) {
      throw new InputError(
        `${at}.name`,
        `"${step.name}" is not a usable step name`,
        'use lowercase letters, digits and underscores, starting with a letter, e.g. "extract"',
      );
    }
    for (const generated of [step.name, ...["overrides", "done", "execution", "env"].map((suffix) => `${step.name}_${suffix}`)]) {
      if (names.has(generated))
        throw new InputError(
          `${at}.name`,
          `"${step.name}" clashes with another step or a name the chain uses (${generated})`,
          "give each step its own name, not main, run_job, run_rejected, init, done or another step's name with a suffix",
        );
      names.add(generated);
    }
    const strings = Object.values(step.env ?? {}).filter((v): v is string => typeof v === "string");
    for (const value of [...(step.args ?? []), ...strings, ...Object.keys(step.env ?? {})]) {
      if (value.includes("${")) {
        throw new InputError(
          `${at}`,
          `"${value}" contains "\${"`,
          "leave Workflows expressions out of args and env: the run id and staging prefix are passed as RUN_ID and STAGING_PREFIX",
        );
      }
    }
    for (const name of Object.keys(step.env ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || Object.values(CHAIN_ENV).includes(name as never)) {
        throw new InputError(
          `${at}.env`,
          `"${name}" is not a variable name the step may set`,
          `use letters, digits and underscores; ${Object.values(CHAIN_ENV).join(" and ")} are set by the chain`,
        );
      }
    }
  }
}
