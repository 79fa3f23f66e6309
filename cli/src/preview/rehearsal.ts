import * as fs from "fs";
import { DeployGraph, DestroyOutcome, Plan, walkDestroy } from "./deploy-graph";
import { MISSING_PRINCIPAL_RETRY } from "./iam-retries";
import { BOOTSTRAPPED_PROJECT, foreignImages, FreshProject, REHEARSAL_RULES, RehearsalRule, repositoriesOf } from "./rehearsal-rules";
import { ProgramRun, runProgram } from "./run-program";

/** One problem of the rehearsal: the rule, the resource or data source, what goes wrong, and the rule's source. */
export interface RehearsalProblem {
  readonly rule: string;
  readonly step: string;
  readonly message: string;
  readonly source: string;
}

/** The outcome of a rehearsal: the create waves, the problems, and what `pulumi destroy` would do. */
export interface RehearsalResult {
  /** Custom resources the first `pulumi up` creates. */
  readonly resources: number;
  /** Create waves, each the labels of its steps (`<type> <name>`, or `data source <token>`) in registration order. */
  readonly waves: readonly (readonly string[])[];
  readonly problems: readonly RehearsalProblem[];
  readonly destroy: DestroyOutcome;
  /**
   * IAM members that grant a role to a service account the same deploy creates, by whether the provider retries the
   * grant while IAM does not see the account yet (cli/src/preview/iam-retries.ts; undefined: a type that table lacks). The
   * provider does not, so such a grant can fail the first `pulumi up`; a second one completes it.
   */
  readonly freshAccountGrants: readonly { readonly step: string; readonly retries: boolean | undefined }[];
}

/** Options of {@link rehearse}. */
export interface RehearsalOptions {
  /** The project the stack lands in. @default BOOTSTRAPPED_PROJECT */
  readonly project?: FreshProject;
  /** Other stacks' plans by name, for cross-stack references. @default none */
  readonly otherStacks?: ReadonlyMap<string, Plan>;
  /** @default REHEARSAL_RULES */
  readonly rules?: readonly RehearsalRule[];
}

/**
 * Rehearses the first `pulumi up` of a plan on a fresh project, in the engine's order (see {@link DeployGraph}), and
 * its `pulumi destroy` in reverse, checking every rule of {@link REHEARSAL_RULES}. Reads only the recorded plan, so it
 * works for any program built from the components.
 * @throws Error when the plan's dependencies form a cycle.
 * @example
 * const result = rehearse({ resources: [], invokes: [] });
 * result.problems.length; // 0
 */
export function rehearse(plan: Plan, options: RehearsalOptions = {}): RehearsalResult {
  const graph = new DeployGraph(plan);
  const destroy = walkDestroy(graph);
  const context = { plan, graph, destroy, project: options.project ?? BOOTSTRAPPED_PROJECT, otherStacks: options.otherStacks ?? new Map<string, Plan>() };
  return {
    resources: graph.steps.filter((s) => s.kind === "resource").length,
    waves: graph.waves.map((wave) => wave.map((s) => s.label)),
    problems: (options.rules ?? REHEARSAL_RULES).flatMap((rule) =>
      rule.check(context).map((f) => ({ rule: rule.id, step: f.step, message: f.message, source: rule.source })),
    ),
    destroy,
    freshAccountGrants: freshAccountGrants(plan),
  };
}

/** The IAM members of a plan that bind a service account the plan creates. */
function freshAccountGrants(plan: Plan): RehearsalResult["freshAccountGrants"] {
  const created = new Set(
    plan.resources.flatMap((r) => (r.type === "gcp:serviceaccount/account:Account" ? [`serviceAccount:${String(r.outputs.email)}`] : [])),
  );
  return plan.resources
    .filter((r) => /IamMember:|IAMMember:/.test(r.type) && created.has(String(r.inputs.member)))
    .map((r) => ({ step: `${r.type} ${r.name}`, retries: MISSING_PRINCIPAL_RETRY.get(r.type)?.retries }));
}

/**
 * The rehearsal's verdict: one line (`first deploy: 72 resources in 9 waves, 0 problems; destroy: leaves nothing
 * billable`, or what the plan asks destroy to keep: protected and deletion-guarded resources and what they depend on),
 * then one line per problem with its rule, step and source.
 * @example
 * rehearsalText(rehearse({ resources: [], invokes: [] }));
 * // "Deploy rehearsal: first deploy: 0 resources in 0 waves, 0 problems; destroy: leaves nothing billable\n"
 */
export function rehearsalText(result: RehearsalResult): string {
  const { blocked, stranded } = result.destroy;
  const onPurpose = blocked.filter((b) => b.byDesign);
  const destroyProblems = result.problems.filter((p) => p.rule.startsWith("destroy-")).length;
  const kept =
    onPurpose.length > 0
      ? `keeps ${onPurpose.length + stranded.length} resources (protected: ${onPurpose
          .filter((b) => b.resource.protect)
          .map((b) => b.resource.name)
          .join(", ")}; ${onPurpose.filter((b) => !b.resource.protect).length} with a deletion guard; ${stranded.length} they depend on)`
      : undefined;
  const left = destroyProblems > 0 ? `leaves things behind (${destroyProblems} of the problems)` : undefined;
  const destroy = [kept, left].filter((part) => part !== undefined).join(" and ") || "leaves nothing billable";
  const head = `Deploy rehearsal: first deploy: ${result.resources} resources in ${result.waves.length} waves, ${result.problems.length} problems; destroy: ${destroy}`;
  const unretried = result.freshAccountGrants.filter((g) => g.retries !== true);
  const unknown = unretried.filter((g) => g.retries === undefined).length;
  const note =
    unretried.length > 0
      ? [
          `  note: ${unretried.length} IAM members grant roles to service accounts this deploy creates, and the provider does not retry such a grant while IAM does not see the account yet${
            unknown > 0 ? ` (${unknown} of a type cli/src/preview/iam-retries.ts does not know)` : ""
          }: if \`pulumi up\` stops on "Service account … does not exist", run it again after a minute (README, "If the first \`pulumi up\` fails on a grant")`,
        ]
      : [];
  return [head, ...result.problems.map((p) => `  - ${p.rule}: ${p.step} ${p.message} (${p.source})`), ...note, ""].join("\n");
}

/**
 * The stacks of the project: every `Pulumi.<stack>.yaml` in `root`.
 * @example
 * stackNames(); // ["dev", "prod", "staging"]
 */
export function stackNames(root = process.cwd()): string[] {
  return fs.readdirSync(root).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
}

/**
 * Rehearses a stack the preview ran. Where its jobs or services run images from a repository it does not declare,
 * the other stacks' programs are run too (offline, each with its own stack file, in name order) until the stacks
 * holding every such repository are found.
 * @param load - runs another stack's program; by default {@link runProgram} with its stack file.
 * @param root - the directory of the program's stack files; by default the current one.
 * @throws the other program's error, naming its config key, when another stack's program fails.
 * @example
 * const verdict = async () => rehearsalText(await rehearseRun(await runProgram("dev")));
 */
export async function rehearseRun(run: ProgramRun, load: (stack: string) => Promise<Plan> = runProgram, root = process.cwd()): Promise<RehearsalResult> {
  const otherStacks = new Map<string, Plan>();
  const missing = new Set(foreignImages(run).map((f) => f.registryPath));
  for (const stack of stackNames(root).filter((s) => s !== run.stack)) {
    if (missing.size === 0) break;
    const plan = await load(stack);
    otherStacks.set(stack, plan);
    for (const found of repositoriesOf(plan).keys()) missing.delete(found);
  }
  return rehearse(run, { otherStacks });
}
