import { z } from "zod";
import type { DeployBlocker } from "./deployability";
import type { RehearsalResult } from "./rehearsal";
import type { IamRow } from "./render";
import type { Violation } from "./rules";
import type { ProgramRun } from "./run-program";
import { SECRET } from "./plan";

// The plan `cloudrun-pipelines preview --json FILE` (or `--json -`) writes, defined once: the preview validates what
// it writes against this schema, and a user parses their plan with it (`cloudrun-pipelines/plan`). Every secret value
// (a config key set with `pulumi config set --secret`, an input or output marked secret, a secret stack output) reads
// "[secret]" (SECRET), never its plain text. Documented in docs/preview-plan.md.

const urn = z.string().regex(/^urn:pulumi:/, "expected a Pulumi URN, urn:pulumi:<stack>::<project>::<type>::<name>");

/** One resource the program registers, as `pulumi up` would create it on a new stack. */
export const planResource = z.object({
  urn,
  /** Type token, e.g. `gcp:storage/bucket:Bucket`, or a component's `pipelines:gcp:Bucket`. */
  type: z.string().min(1),
  /** Logical name. */
  name: z.string().min(1),
  /** The parent's URN; absent for the stack itself. */
  parent: urn.optional(),
  /** False for a component (and the stack), true for a resource a provider creates. */
  custom: z.boolean(),
  /** Pulumi's `protect` option. */
  protect: z.boolean(),
  /** Provider reference (`<provider urn>::<id>`) of a custom resource. */
  provider: z.string().optional(),
  /** The inputs the program sent, secret ones "[secret]". */
  inputs: z.record(z.string(), z.unknown()),
  /**
   * The outputs: the inputs and what the provider computes (an account's `email`, a service's `uri`), as the mock
   * runtime answers offline: a made-up value is a placeholder (the project number `000000…`, the image digest
   * `sha256:<offline-preview-placeholder>`), never a real one.
   */
  outputs: z.record(z.string(), z.unknown()),
  /** URNs of its explicit and implicit dependencies. */
  dependencies: z.array(urn),
});

/** One violation of a guardrail rule. */
export const planViolation = z.object({
  /** The rule's id, e.g. `data-protected` (`cloudrun-pipelines/rules`, RULES). */
  rule: z.string().min(1),
  /** The URN of the resource that violates it. */
  resource: urn,
  /** The resource's type and name, then what is wrong, e.g. `gcp:storage/bucket:Bucket raw is not protected`. */
  message: z.string().min(1),
});

const step = z.string().min(1);

/** The deploy rehearsal: the first `pulumi up` on a bootstrapped project, then `pulumi destroy`. */
export const planRehearsal = z.object({
  /** Custom resources the first `pulumi up` creates. */
  resources: z.number().int().nonnegative(),
  /** Create waves, each the steps (`<type> <name>`, or `data source <token>`) the engine can run at once. */
  waves: z.array(z.array(step)),
  /** What would fail the first deploy or the destroy: the rule, the step, what is wrong and the source of the rule. */
  problems: z.array(z.object({ rule: z.string().min(1), step, message: z.string().min(1), source: z.string().min(1) })),
  destroy: z.object({
    /** Resources whose delete fails, with the guard that stops it, and whether the plan asks for that guard. */
    blocked: z.array(z.object({ resource: urn, reason: z.string().min(1), byDesign: z.boolean() })),
    /** Resources never deleted because something that depends on them was not. */
    stranded: z.array(urn),
    /** Resources dropped from state but left in the cloud (`retainOnDelete`, `deletionPolicy: ABANDON`). */
    retained: z.array(urn),
  }),
  /** Grants to service accounts the same deploy creates, by whether the provider retries them (absent: unknown). */
  freshAccountGrants: z.array(z.object({ step, retries: z.boolean().optional() })),
});

/**
 * The whole plan of one stack. `project` and `region` are the stack's Google Cloud project and region (`gcp:project`,
 * `gcp:region`; null when the stack file sets none); `config` is every key the program ran with, as the Pulumi CLI
 * hands it over (each value a string, lists and maps as JSON), secret ones "[secret]".
 * @example
 * import { previewPlan } from "cloudrun-pipelines/plan";
 * const plan = previewPlan.parse(JSON.parse(fs.readFileSync("plan.json", "utf8")));
 * const unprotected = plan.resources.filter((r) => r.type === "gcp:storage/bucket:Bucket" && !r.protect);
 */
export const previewPlan = z.object({
  stack: z.string().min(1),
  project: z.string().min(1).nullable(),
  region: z.string().min(1).nullable(),
  config: z.record(z.string(), z.string()),
  resources: z.array(planResource),
  /** Every IAM grant: the member, the role, and what it is on (e.g. `bucket my-proj-dev-raw`). */
  iam: z.array(z.object({ member: z.string().min(1), role: z.string().min(1), resource: z.string().min(1) })),
  /** The stack outputs, as `pulumi stack output --json` prints them; a secret one "[secret]". */
  outputs: z.record(z.string(), z.unknown()),
  /** The guardrails' verdict: empty when the plan complies with every rule. */
  violations: z.array(planViolation),
  rehearsal: planRehearsal,
  /** Why the plan cannot be deployed as it stands (an image not promoted yet): what, the fix, and the resources. */
  blockers: z.array(z.object({ what: z.string().min(1), fix: z.string().min(1), resources: z.array(z.string()) })),
});

export type PreviewPlan = z.infer<typeof previewPlan>;
export { SECRET };

/** What the preview found for one stack, as {@link planJson} reads it. */
export interface PlanParts {
  readonly run: ProgramRun;
  readonly iam: readonly IamRow[];
  readonly violations: readonly Violation[];
  readonly rehearsal: RehearsalResult;
  readonly blockers: readonly DeployBlocker[];
}

/**
 * The plan as `--json` writes it, checked against {@link previewPlan}.
 * @throws ZodError naming the field when the plan does not fit the schema (a bug of the preview, not of the program).
 */
export function planJson({ run, iam, violations, rehearsal, blockers }: PlanParts): PreviewPlan {
  const urnOf = (r: { urn: string }) => r.urn;
  return previewPlan.parse({
    stack: run.stack,
    project: run.config["gcp:project"] ?? null,
    region: run.config["gcp:region"] ?? null,
    config: run.config,
    resources: run.resources.map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parent,
      custom: r.custom,
      protect: r.protect,
      provider: r.provider,
      inputs: r.inputs,
      outputs: r.outputs,
      dependencies: r.dependencies,
    })),
    iam,
    outputs: run.outputs,
    violations,
    rehearsal: {
      resources: rehearsal.resources,
      waves: rehearsal.waves,
      problems: rehearsal.problems,
      destroy: {
        blocked: rehearsal.destroy.blocked.map((b) => ({ resource: b.resource.urn, reason: b.reason, byDesign: b.byDesign })),
        stranded: rehearsal.destroy.stranded.map(urnOf),
        retained: rehearsal.destroy.retained.map(urnOf),
      },
      freshAccountGrants: rehearsal.freshAccountGrants.map((g) => ({ step: g.step, ...(g.retries !== undefined && { retries: g.retries }) })),
    },
    blockers,
  });
}
