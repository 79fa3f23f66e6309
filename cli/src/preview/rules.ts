import { parse } from "yaml";
import { defaultAccountOf } from "./default-accounts";
import { RecordedResource, SECRET } from "./plan";

export type { RecordedResource };

/** The label that tells a rule whether the stack protects its data (set on every resource by the gcp provider): `protected` or `destroyable`. */
export const DATA_PROTECTION_LABEL = "data-protection";

/**
 * Whether a stack protects its data, from its gcp provider's default labels ({@link DATA_PROTECTION_LABEL}):
 * protected unless the label says `destroyable`. Any program's plan can be judged this way, offline (`npm run
 * preview -- --program`) and in the policy pack, without reading that program's config.
 */
export function protectsData(resources: readonly RecordedResource[]): boolean {
  const provider = resources.find((r) => r.type === "pulumi:providers:gcp");
  const raw = provider?.inputs.defaultLabels;
  const labels = (typeof raw === "string" ? JSON.parse(raw) : (raw ?? {})) as Record<string, string>;
  return labels[DATA_PROTECTION_LABEL] !== "destroyable";
}

/** What a rule knows about the stack besides its resources. */
export interface RuleContext {
  /** Whether the stack protects its data (its environment policy), as {@link protectsData} reads it from the gcp provider's labels. */
  readonly protectData: boolean;
}

/** A guardrail over every resource of a stack's plan. */
export interface Rule {
  readonly id: string;
  /** Why the rule exists, in one sentence. */
  readonly why: string;
  /**
   * The rule reads Pulumi's secret markers, which only the offline plan carries: the policy engine hands
   * policies secrets in plain text with no mark (pulumi/pulumi-policy#241), so the policy pack leaves it out.
   */
  readonly needsSecretMarkers?: boolean;
  /** One finding per violation; empty when the plan complies. */
  check(resources: readonly RecordedResource[], context: RuleContext): RuleFinding[];
}

/** What a rule finds: the resource and what is wrong with it (a sentence that follows the resource's type and name). */
export interface RuleFinding {
  readonly resource: RecordedResource;
  readonly message: string;
}

/** One violation of the plan, as the preview's `--json` writes it. */
export interface Violation {
  /** The rule's id, e.g. `no-public-access`. */
  readonly rule: string;
  /** The URN of the resource that violates it. */
  readonly resource: string;
  /** The resource's type and name, then what is wrong, e.g. `gcp:storage/bucket:Bucket raw is not protected`. */
  readonly message: string;
}

/** A finding as one sentence: `<type> <name> <message>`. */
export function findingText(finding: RuleFinding): string {
  return `${label(finding.resource)} ${finding.message}`;
}

/**
 * Project-level roles allowed, each because Google has no narrower scope for it; any member may hold them.
 * - `roles/bigquery.jobUser`: `bigquery.jobs.create` exists only on projects (https://cloud.google.com/bigquery/docs/access-control#bigquery.jobUser).
 * - `roles/workflows.invoker`: Workflows has no IAM on single workflows (https://cloud.google.com/workflows/docs/access-control).
 */
export const ALLOWED_PROJECT_ROLES: ReadonlySet<string> = new Set(["roles/bigquery.jobUser", "roles/workflows.invoker"]);

const PRIMITIVE_ROLES = new Set(["roles/owner", "roles/editor", "roles/viewer"]);
const PUBLIC_MEMBERS = new Set(["allUsers", "allAuthenticatedUsers"]);
const STANDARD_LABELS = ["app", "stack", "managed-by"];

const label = (r: RecordedResource) => `${r.type} ${r.name}`;
const found = (resource: RecordedResource, message: string): RuleFinding => ({ resource, message });
const ofType = (resources: readonly RecordedResource[], type: string) => resources.filter((r) => r.type === type);
const DATA_TYPES = ["gcp:storage/bucket:Bucket", "gcp:bigquery/dataset:Dataset", "gcp:artifactregistry/repository:Repository"];
const DELETION_PROTECTED_TYPES = ["gcp:cloudrunv2/job:Job", "gcp:cloudrunv2/service:Service", "gcp:workflows/workflow:Workflow"];

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

/** The account a job, service or workflow runs as. */
export function workloadAccount(workload: RecordedResource): string | undefined {
  if (workload.type === "gcp:workflows/workflow:Workflow") return workload.inputs.serviceAccount as string | undefined;
  const template = workload.inputs.template as { serviceAccount?: string; template?: { serviceAccount?: string } } | undefined;
  return workload.type === "gcp:cloudrunv2/job:Job" ? template?.template?.serviceAccount : template?.serviceAccount;
}
const WORKLOAD_TYPES = ["gcp:cloudrunv2/job:Job", "gcp:cloudrunv2/service:Service", "gcp:workflows/workflow:Workflow"];

/**
 * Why `pulumi destroy` cannot delete `r`, from a guard that is in state, or undefined: `protect`, `deletionPolicy:
 * "PREVENT"` (any resource of @pulumi/gcp 9: "the command will fail if this field is set to PREVENT",
 * `node_modules/@pulumi/gcp/pubsub/topic.d.ts`, `storage/bucket.d.ts`), a bucket without
 * `forceDestroy` (fails while it holds objects), a dataset without `deleteContentsOnDestroy` (fails while it holds
 * tables), a Cloud Run job or service or a workflow whose `deletionProtection` is not false (the provider's default is
 * true). Sources: reference/gcp-pulumi-facts.md §1.0-1.12 (`@pulumi/gcp` `.d.ts` files; hashicorp/terraform-provider-google#6688;
 * GoogleCloudPlatform/magic-modules#11318).
 */
export function destroyBlocker(r: RecordedResource): string | undefined {
  if (r.protect) return "is protected";
  if (r.inputs.deletionPolicy === "PREVENT") return 'has deletionPolicy "PREVENT" (the provider fails its delete)';
  if (r.type === "gcp:storage/bucket:Bucket" && r.inputs.forceDestroy !== true) return "cannot be deleted while it holds objects";
  if (r.type === "gcp:bigquery/dataset:Dataset" && r.inputs.deleteContentsOnDestroy !== true) return "cannot be deleted while it holds tables";
  if (DELETION_PROTECTED_TYPES.includes(r.type) && r.inputs.deletionProtection !== false) return "has deletion protection (the provider's default is true)";
  return undefined;
}

/** The `http.*` calls of a workflow definition (YAML) whose URL names a Google API, with their `auth`. */
function googleApiCalls(source: string): { url: string; auth?: { type?: string } }[] {
  const calls: { url: string; auth?: { type?: string } }[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== "object") return;
    const step = node as { call?: unknown; args?: { url?: unknown; auth?: { type?: string } } };
    if (typeof step.call === "string" && step.call.startsWith("http.") && /googleapis\.com/.test(String(step.args?.url))) {
      calls.push({ url: String(step.args?.url), auth: step.args?.auth });
    }
    Object.values(node).forEach(visit);
  };
  visit(parse(source));
  return calls;
}

/** The project's guardrails, checked by the tests for every stack. */
export const RULES: readonly Rule[] = [
  {
    id: "no-public-access",
    why: "Pipeline data and jobs are private: allUsers or allAuthenticatedUsers in any IAM binding exposes them to the internet.",
    check: (resources) =>
      resources.filter((r) => r.custom && strings(r.inputs).some((s) => PUBLIC_MEMBERS.has(s))).map((r) => found(r, `grants access to a public member`)),
  },
  {
    id: "no-domain-wide-access",
    why: "A domain: member grants every account of a Google Workspace or Cloud Identity domain (https://cloud.google.com/iam/docs/principal-identifiers); grant a group instead.",
    check: (resources) =>
      resources
        .filter((r) => r.custom && strings(r.inputs).some((s) => s.startsWith("domain:")))
        .map((r) => found(r, `grants access to a whole domain (${strings(r.inputs).find((s) => s.startsWith("domain:"))})`)),
  },
  {
    id: "no-primitive-roles",
    why: "Owner, Editor and Viewer span every service of the project; workloads get predefined roles on single resources.",
    check: (resources) =>
      resources.filter((r) => PRIMITIVE_ROLES.has(String(r.inputs.role))).map((r) => found(r, `grants the primitive role ${r.inputs.role}`)),
  },
  {
    id: "project-grants-allow-listed",
    why: "Grants go on the one resource a workload uses; a project-level grant only where Google has no narrower scope, listed in ALLOWED_PROJECT_ROLES.",
    check: (resources) =>
      ofType(resources, "gcp:projects/iAMMember:IAMMember")
        .filter((r) => !ALLOWED_PROJECT_ROLES.has(String(r.inputs.role)))
        .map((r) => found(r, `grants ${r.inputs.role} on the project to ${r.inputs.member}, which is not allow-listed`)),
  },
  {
    id: "buckets-uniform-and-private",
    why: "Uniform bucket-level access makes IAM the only access path, and enforced public access prevention blocks public grants whatever IAM says.",
    check: (resources) =>
      ofType(resources, "gcp:storage/bucket:Bucket")
        .filter((r) => r.inputs.uniformBucketLevelAccess !== true || r.inputs.publicAccessPrevention !== "enforced")
        .map((r) => found(r, `lacks uniform bucket-level access or enforced public access prevention`)),
  },
  {
    id: "workloads-own-account",
    why: "A job, service or workflow without a service account runs as a default account, shared and broad; each workload's own account keeps its grants to what it needs.",
    check: (resources) => {
      const workloads = resources.filter((r) => WORKLOAD_TYPES.includes(r.type));
      const accounts = workloads.map(workloadAccount);
      return workloads.flatMap((workload, i) => {
        const account = accounts[i];
        if (!account || defaultAccountOf(account)) return [found(workload, `runs as ${account ?? "a default account"}`)];
        return accounts.indexOf(account) !== i ? [found(workload, `shares the account ${account} with another workload`)] : [];
      });
    },
  },
  {
    id: "scheduler-oauth-for-google-apis",
    why: "Google APIs (*.googleapis.com) accept OAuth access tokens, not OIDC ID tokens (https://cloud.google.com/scheduler/docs/http-target-auth).",
    check: (resources) =>
      ofType(resources, "gcp:cloudscheduler/job:Job")
        .filter((r) => {
          const target = r.inputs.httpTarget as { uri?: string; oauthToken?: unknown; oidcToken?: unknown } | undefined;
          return (
            target?.uri !== undefined &&
            /^https:\/\/[^/]*googleapis\.com\//.test(target.uri) &&
            (target.oauthToken === undefined || target.oidcToken !== undefined)
          );
        })
        .map((r) => found(r, `calls a Google API without an OAuth token`)),
  },
  {
    id: "workflows-oauth-for-google-apis",
    why: "A workflow's calls to Google APIs need an OAuth token of its account; without `auth` the request carries no credentials (https://cloud.google.com/workflows/docs/authentication#making_authenticated_requests).",
    check: (resources) =>
      ofType(resources, "gcp:workflows/workflow:Workflow").flatMap((r) =>
        googleApiCalls(String(r.inputs.sourceContents ?? ""))
          .filter((call) => call.auth?.type !== "OAuth2")
          .map((call) => found(r, `calls ${call.url} without an OAuth2 token`)),
      ),
  },
  {
    id: "standard-labels",
    why: "Labels (app, stack, managed-by) on every labellable resource attribute cost and ownership; they come from the gcp provider's defaultLabels, so every GCP resource must use it.",
    check: (resources) => {
      const providers = ofType(resources, "pulumi:providers:gcp");
      const problems = providers
        .filter((p) => {
          const raw = p.inputs.defaultLabels;
          // The mock runtime passes provider inputs as JSON strings; the policy engine passes objects.
          const labels = (typeof raw === "string" ? JSON.parse(raw) : (raw ?? {})) as Record<string, string>;
          return STANDARD_LABELS.some((key) => !labels[key]);
        })
        .map((p) => found(p, `lacks one of the default labels ${STANDARD_LABELS.join(", ")}`));
      const urns = new Set(providers.map((p) => p.urn));
      const unlabelled = resources.filter((r) => r.custom && r.type.startsWith("gcp:") && !urns.has(String(r.provider).split("::").slice(0, -1).join("::")));
      return [...problems, ...unlabelled.map((r) => found(r, `does not use the stack's gcp provider (no default labels)`))];
    },
  },
  {
    id: "no-plaintext-secrets",
    why: "A secret value (a secret version's data, a registry password) passed as a plain input lands unencrypted in Pulumi state and in every plan.",
    needsSecretMarkers: true,
    check: (resources) =>
      [
        ...ofType(resources, "gcp:secretmanager/secretVersion:SecretVersion").filter(
          (r) => r.inputs.secretData !== undefined && r.inputs.secretData !== SECRET,
        ),
        ...ofType(resources, "docker:index/image:Image").filter(
          (r) => r.inputs.registry !== undefined && r.inputs.registry !== SECRET && (r.inputs.registry as { password?: unknown }).password !== SECRET,
        ),
      ].map((r) => found(r, `takes a secret value in plain text; wrap it with pulumi.secret()`)),
  },
  {
    id: "apis-never-disabled",
    why: "Disabling an API on destroy breaks every other resource of the project that uses it.",
    check: (resources) =>
      ofType(resources, "gcp:projects/service:Service")
        .filter((r) => r.inputs.disableOnDestroy !== false)
        .map((r) => found(r, `may disable its API on destroy`)),
  },
  {
    id: "data-protected",
    why: "Where protectData is on (prod), a destroy or a replacement must not take buckets, the dataset, images or jobs with it.",
    check: (resources, { protectData }) =>
      !protectData
        ? []
        : resources.flatMap((r) => {
            if (DATA_TYPES.includes(r.type) && (!r.protect || r.inputs.forceDestroy === true || r.inputs.deleteContentsOnDestroy === true))
              return [found(r, `is not protected`)];
            if (DELETION_PROTECTED_TYPES.includes(r.type) && r.inputs.deletionProtection !== true) return [found(r, `lacks deletion protection`)];
            return [];
          }),
  },
  {
    id: "destroyable",
    why: "Where protectData is off (dev), `pulumi destroy` must remove everything in one go: guards that are in state block it.",
    check: (resources, { protectData }) =>
      protectData
        ? []
        : resources.flatMap((r) => {
            const blocker = destroyBlocker(r);
            return blocker ? [found(r, blocker)] : [];
          }),
  },
];

/** Every violation of every rule, rule by rule. */
export function findViolations(resources: readonly RecordedResource[], context: RuleContext): Violation[] {
  return RULES.flatMap((rule) => rule.check(resources, context).map((f) => ({ rule: rule.id, resource: f.resource.urn, message: findingText(f) })));
}

/** A violation as one line: `<rule id>: <type> <name> <message>`. */
export function violationText(violation: Violation): string {
  return `${violation.rule}: ${violation.message}`;
}
