import { DefaultAccount, defaultAccountOf } from "./default-accounts";
import { DeployGraph, DestroyOutcome, Plan, Step } from "./deploy-graph";
import { identifierProblem, URL_FIELDS } from "./identifier-forms";
import { RecordedResource } from "./plan";
import { protectsData, workloadAccount } from "./rules";

/** A fresh Google Cloud project, as the first `pulumi up` meets it. */
export interface FreshProject {
  /** APIs already on before `pulumi up`, e.g. `serviceusage.googleapis.com`. */
  readonly enabledApis: ReadonlySet<string>;
}

/**
 * A fresh project after the README's one-time bootstrap (issue #10 item 4): Service Usage, which `gcp.projects.Service`
 * and `ServiceIdentity` call (https://cloud.google.com/service-usage/docs/reference/rest/v1beta1/services/generateServiceIdentity),
 * and Cloud Resource Manager, which `gcp.projects.Service` reads the project back through and which cannot enable
 * itself (hashicorp/terraform-provider-google#6101, #11435). Nothing else counts as on: Google's list of APIs a new
 * project starts with (https://cloud.google.com/service-usage/docs/enabled-service#default) could not be read from
 * our sources, so the model is stricter than a real project and every other API must be enabled by the stack.
 */
export const BOOTSTRAPPED_PROJECT: FreshProject = { enabledApis: new Set(["serviceusage.googleapis.com", "cloudresourcemanager.googleapis.com"]) };

/** What a rehearsal rule reads: the plan, its graph, the project it lands in, and the plans of the other stacks. */
export interface RehearsalContext {
  readonly plan: Plan;
  readonly graph: DeployGraph;
  readonly project: FreshProject;
  /** The other stacks' plans by stack name, for cross-stack references; empty when none is referenced. */
  readonly otherStacks: ReadonlyMap<string, Plan>;
  /** The plan's `pulumi destroy`, walked once (deploy-graph.ts `walkDestroy`) for every rule that reads it. */
  readonly destroy: DestroyOutcome;
}

/** One problem a rule finds: the step (resource or data source) and what goes wrong. */
export interface Finding {
  readonly step: string;
  readonly message: string;
}

/** A rule of the deploy rehearsal, like the guardrails of cli/src/preview/rules.ts, with the source of the fact it checks. */
export interface RehearsalRule {
  readonly id: string;
  /** Why the rule exists, in one sentence. */
  readonly why: string;
  /** The URL(s) of the Google or provider fact it relies on, space-separated. */
  readonly source: string;
  check(context: RehearsalContext): Finding[];
}

/**
 * The API each resource type's module calls: the service name of the product's REST API (e.g. the Cloud Run Admin
 * API, https://cloud.google.com/run/docs/reference/rest, is `run.googleapis.com`), the same names `REQUIRED_APIS`
 * (components/project-apis.ts) enables. The `projects` module mixes APIs, so its types are in {@link API_OF_TOKEN}.
 * UNVERIFIED one by one against each product's reference: monitoring.
 */
export const API_OF_MODULE: ReadonlyMap<string, string> = new Map([
  ["artifactregistry", "artifactregistry.googleapis.com"],
  ["bigquery", "bigquery.googleapis.com"],
  ["cloudrunv2", "run.googleapis.com"],
  ["cloudscheduler", "cloudscheduler.googleapis.com"],
  // Log views are Cloud Logging API resources (https://cloud.google.com/logging/docs/reference/v2/rest/v2/locations.buckets.views).
  ["logging", "logging.googleapis.com"],
  ["monitoring", "monitoring.googleapis.com"],
  ["pubsub", "pubsub.googleapis.com"],
  ["secretmanager", "secretmanager.googleapis.com"],
  ["serviceaccount", "iam.googleapis.com"],
  ["storage", "storage.googleapis.com"],
  ["workflows", "workflows.googleapis.com"],
]);
/** Types and data sources whose API differs from their module's, or that call none. */
export const API_OF_TOKEN: ReadonlyMap<string, string | null> = new Map([
  // services.enable and services.generateServiceIdentity are Service Usage methods (source above).
  ["gcp:projects/service:Service", "serviceusage.googleapis.com"],
  ["gcp:projects/serviceIdentity:ServiceIdentity", "serviceusage.googleapis.com"],
  // Project IAM is the project's policy, set through Cloud Resource Manager (projects.setIamPolicy,
  // https://cloud.google.com/resource-manager/reference/rest/v1/projects/setIamPolicy).
  ["gcp:projects/iAMMember:IAMMember", "cloudresourcemanager.googleapis.com"],
  ["gcp:projects/iAMBinding:IAMBinding", "cloudresourcemanager.googleapis.com"],
  // projects.get (https://cloud.google.com/resource-manager/reference/rest/v1/projects/get).
  ["gcp:organizations/getProject:getProject", "cloudresourcemanager.googleapis.com"],
  // projects/serviceAccount.get is a Cloud Storage JSON API method (https://cloud.google.com/storage/docs/json_api/v1/projects/serviceAccount/get).
  ["gcp:storage/getProjectServiceAccount:getProjectServiceAccount", "storage.googleapis.com"],
  // Reads the provider's own configuration and token [inference: the provider's docs name no API call].
  ["gcp:organizations/getClientConfig:getClientConfig", null],
]);

/**
 * The API a step calls; null when it calls none; undefined when unknown (a `gcp:` type missing from the tables).
 * @example
 * const bucket = { urn: "urn:b", type: "gcp:storage/bucket:Bucket", name: "raw", custom: true, inputs: {}, outputs: {}, protect: false, dependencies: [] };
 * apiOf({ kind: "resource", id: bucket.urn, label: "raw", resource: bucket }); // "storage.googleapis.com"
 */
export function apiOf(step: Step): string | null | undefined {
  const token = step.kind === "resource" ? step.resource.type : step.invoke.token;
  if (API_OF_TOKEN.has(token)) return API_OF_TOKEN.get(token);
  if (token === "docker:index/image:Image") {
    // A push to Artifact Registry (https://cloud.google.com/artifact-registry/docs/docker/pushing-and-pulling).
    return /^[a-z0-9-]+-docker\.pkg\.dev\//.test(String(step.kind === "resource" ? step.resource.inputs.imageName : ""))
      ? "artifactregistry.googleapis.com"
      : null;
  }
  if (!token.startsWith("gcp:")) return null;
  return API_OF_MODULE.get(token.slice(4).split("/")[0]);
}

/**
 * A service agent's email domain by API, where it is not `gcp-sa-<api>`: Cloud Storage's and Cloud Run's
 * (https://cloud.google.com/iam/docs/service-agents lists each agent's email format).
 */
const AGENT_DOMAIN: ReadonlyMap<string, string> = new Map([
  ["storage.googleapis.com", "gs-project-accounts"],
  ["run.googleapis.com", "serverless-robot-prod"],
]);
const agentDomainOf = (api: string) => AGENT_DOMAIN.get(api) ?? `gcp-sa-${api.split(".")[0]}`;
/** `serviceAccount:service-<project number>@<domain>.iam.gserviceaccount.com`: a Google-managed service agent. */
const AGENT = /^serviceAccount:service-\d+@([a-z0-9-]+)\.iam\.gserviceaccount\.com$/;
const ACCOUNT = /^serviceAccount:[a-z0-9-]+@([a-z0-9-]+)\.iam\.gserviceaccount\.com$/;
/** Members that name no principal this stack could create: people and groups from config, public members, identity pools. */
const EXTERNAL = /^(user|group|domain|principal|principalSet|allUsers|allAuthenticatedUsers)\b/;
const IAM_TYPE = /:[A-Za-z]*I[Aa][Mm](Member|Binding)$/;
const GCS_AGENT_DOMAIN = "gs-project-accounts";

const resourcesOf = (steps: readonly Step[]) => steps.flatMap((s) => (s.kind === "resource" ? [s.resource] : []));
const lastSegment = (value: unknown) =>
  String(value ?? "")
    .split("/")
    .pop() ?? "";
const membersOf = (r: RecordedResource): string[] => [
  ...(r.inputs.member !== undefined ? [String(r.inputs.member)] : []),
  ...((r.inputs.members as string[] | undefined) ?? []),
];
const emailOf = (member: string) => member.replace(/^serviceAccount:/, "");

/**
 * Whether something done before a grant makes the service agent `member` exist: a ServiceIdentity among its ancestors,
 * or, for the Cloud Storage agent, a `getProjectServiceAccount` call that answered this member and waited only for
 * ancestors of the grant (the grant's member came from it, so the call ran first).
 */
function agentMadeToExist(member: string, graph: DeployGraph, upstream: readonly Step[], ancestors: ReadonlySet<string>): boolean {
  const domain = AGENT.exec(member)?.[1];
  return (
    upstream.some((s) => {
      if (s.kind === "resource" && s.resource.type === "gcp:projects/serviceIdentity:ServiceIdentity") {
        const out = s.resource.outputs;
        // The mock may not compute the agent's email; then the agent's domain for the requested service decides.
        return (
          out.member === member ||
          (out.email !== undefined ? `serviceAccount:${out.email}` === member : agentDomainOf(String(s.resource.inputs.service)) === domain)
        );
      }
      return false;
    }) ||
    (domain === GCS_AGENT_DOMAIN &&
      invokesBefore(graph.steps, ancestors).some(
        (i) =>
          i.token === "gcp:storage/getProjectServiceAccount:getProjectServiceAccount" &&
          (i.outputs.member === member || `serviceAccount:${i.outputs.emailAddress}` === member),
      ))
  );
}

/** Whether a default account exists before a step: its API on already or enabled upstream, or its creating resource upstream. */
function defaultAccountMadeToExist(createdBy: DefaultAccount["createdBy"], upstream: readonly Step[], project: FreshProject): boolean {
  if ("api" in createdBy) {
    return (
      project.enabledApis.has(createdBy.api) ||
      resourcesOf(upstream).some((r) => r.type === "gcp:projects/service:Service" && r.inputs.service === createdBy.api)
    );
  }
  return resourcesOf(upstream).some((r) => r.type === createdBy.resource);
}

/** The data source calls that could run before a step: all they wait for is among its ancestors. */
function invokesBefore(steps: readonly Step[], ancestors: ReadonlySet<string>) {
  return steps.flatMap((s) => (s.kind === "invoke" && s.invoke.dependencies.every((d) => ancestors.has(d)) ? [s.invoke] : []));
}

function isGrant(r: RecordedResource, role: string, member: (m: string) => boolean): boolean {
  return IAM_TYPE.test(r.type) && r.inputs.role === role && membersOf(r).some(member);
}

/** The containers of a Cloud Run job or service. */
function containersOf(r: RecordedResource): { image?: string; envs?: { valueSource?: { secretKeyRef?: { secret?: string; version?: string } } }[] }[] {
  const template = r.inputs.template as { containers?: unknown[]; template?: { containers?: unknown[] } } | undefined;
  const containers = r.type === "gcp:cloudrunv2/job:Job" ? template?.template?.containers : template?.containers;
  return (containers ?? []) as ReturnType<typeof containersOf>;
}
const RUN_TYPES = ["gcp:cloudrunv2/job:Job", "gcp:cloudrunv2/service:Service"];
/** `<location>-docker.pkg.dev/<project>/<repository>` of an Artifact Registry image reference. */
const REGISTRY_PATH = /^([a-z0-9-]+-docker\.pkg\.dev\/[^/]+\/[^/@:]+)\//;

/** An image reference without its tag or digest: `<registry>/<path>/<image>`. */
function imageNameOf(reference: string): string {
  const noDigest = reference.split("@")[0];
  const slash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/**
 * The images (without tag or digest) a resource puts into a registry: a Docker image's `imageName`, or the target of
 * a `gcrane cp` in a local command (components/promoted-image.ts).
 */
function pushedImages(r: RecordedResource): string[] {
  if (r.type === "docker:index/image:Image") return r.inputs.imageName === undefined ? [] : [imageNameOf(String(r.inputs.imageName))];
  if (r.type === "command:local:Command") {
    // shell-quote escapes `:` and `@` with a backslash, or single-quotes the word.
    const copy = /gcrane cp \S+ (\S+)/.exec(String(r.inputs.create ?? ""));
    return copy ? [imageNameOf(copy[1].replace(/^'|'$/g, "").replace(/\\(.)/g, "$1"))] : [];
  }
  return [];
}

/** The Artifact Registry repositories a plan declares, by registry path. */
export function repositoriesOf(plan: Plan): Map<string, RecordedResource> {
  return new Map(
    plan.resources
      .filter((r) => r.type === "gcp:artifactregistry/repository:Repository")
      .map((r) => [String(r.outputs.registryUri ?? `${r.inputs.location}-docker.pkg.dev/${r.inputs.project}/${r.inputs.repositoryId}`), r]),
  );
}

/**
 * Image references of the plan's jobs and services into Artifact Registry repositories the plan does not declare.
 * @example
 * foreignImages({ resources: [], invokes: [] }); // []
 */
export function foreignImages(plan: Plan): { resource: RecordedResource; image: string; registryPath: string }[] {
  const own = repositoriesOf(plan);
  return plan.resources
    .filter((r) => RUN_TYPES.includes(r.type))
    .flatMap((resource) =>
      containersOf(resource).flatMap(({ image }) => {
        const registryPath = REGISTRY_PATH.exec(String(image))?.[1];
        return registryPath && !own.has(registryPath) ? [{ resource, image: String(image), registryPath }] : [];
      }),
    );
}

const label = (r: RecordedResource) => `${r.type} ${r.name}`;

/**
 * The rules of the deploy rehearsal: the first `pulumi up` on a fresh project, then `pulumi destroy`. Each reads only
 * the recorded plan, so it holds for any program built from the components.
 * @example
 * REHEARSAL_RULES.map((rule) => rule.id); // ["api-enabled-upstream", "principal-exists", ...]
 */
export const REHEARSAL_RULES: readonly RehearsalRule[] = [
  {
    id: "api-enabled-upstream",
    why: 'A resource or data source whose API is off fails with "API has not been used in project … or it is disabled"; a gcp.projects.Service it waits for must enable the API first.',
    source: "https://cloud.google.com/service-usage/docs/overview https://github.com/google/knative-gcp/issues/243",
    check: ({ graph, project }) =>
      graph.steps.flatMap((step) => {
        const api = apiOf(step);
        if (api === null || (api !== undefined && project.enabledApis.has(api))) return [];
        if (api === undefined)
          return [
            {
              step: step.label,
              message: "calls an API the rehearsal does not know: add its type's module to API_OF_MODULE (cli/src/preview/rehearsal-rules.ts) with its source",
            },
          ];
        const enables = (s: Step) => s.kind === "resource" && s.resource.type === "gcp:projects/service:Service" && s.resource.inputs.service === api;
        if (graph.upstream(step).some(enables)) return [];
        const sameDeploy = graph.steps.some(enables);
        return [
          {
            step: step.label,
            message: `uses ${api}, which ${sameDeploy ? "a gcp.projects.Service enables in the same deploy, but not before it (add it to dependsOn)" : "no gcp.projects.Service of the stack enables"}`,
          },
        ];
      }),
  },
  {
    id: "principal-exists",
    why: "A role cannot be granted to a principal that does not exist yet: a service account is created upstream, a service agent made to exist upstream, a Google-managed default account (Compute Engine's, App Engine's) exists once its API is on or its application created; people and groups come from config and exist already.",
    source:
      "https://cloud.google.com/iam/docs/create-service-agents https://cloud.google.com/iam/docs/service-agents https://www.pulumi.com/registry/packages/gcp/api-docs/storage/getprojectserviceaccount/",
    check: ({ graph, plan, project }) => {
      const accounts = resourcesOf(graph.steps).filter((r) => r.type === "gcp:serviceaccount/account:Account");
      const ownProjects = new Set(plan.resources.flatMap((r) => (typeof r.outputs.project === "string" ? [r.outputs.project] : [])));
      return graph.steps.flatMap((step) => {
        if (step.kind !== "resource" || !IAM_TYPE.test(step.resource.type)) return [];
        const upstream = graph.upstream(step);
        const ancestors = graph.ancestors(step.id);
        return membersOf(step.resource).flatMap((member) => {
          if (EXTERNAL.test(member)) return [];
          const defaultAccount = defaultAccountOf(member);
          if (defaultAccount) {
            const made = defaultAccountMadeToExist(defaultAccount.createdBy, upstream, project);
            return made
              ? []
              : [
                  {
                    step: step.label,
                    message: `grants ${step.resource.inputs.role} to ${defaultAccount.name} ${emailOf(member)}, which exists only once ${
                      "api" in defaultAccount.createdBy ? `${defaultAccount.createdBy.api} is enabled` : `${defaultAccount.createdBy.what} exists`
                    }, and nothing upstream does that (${defaultAccount.source})`,
                  },
                ];
          }
          if (AGENT.test(member)) {
            return agentMadeToExist(member, graph, upstream, ancestors)
              ? []
              : [
                  {
                    step: step.label,
                    message: `grants ${step.resource.inputs.role} to the service agent ${emailOf(member)}, which nothing upstream makes exist (gcp.projects.ServiceIdentity; for Cloud Storage, gcp.storage.getProjectServiceAccount)`,
                  },
                ];
          }
          const creator = accounts.find((a) => a.outputs.email === emailOf(member) || a.outputs.member === member);
          if (creator)
            return ancestors.has(creator.urn)
              ? []
              : [
                  {
                    step: step.label,
                    message: `grants ${step.resource.inputs.role} to ${emailOf(member)}, which ${label(creator)} creates in the same deploy, but not before it`,
                  },
                ];
          const accountProject = ACCOUNT.exec(member)?.[1];
          return accountProject !== undefined && ownProjects.has(accountProject)
            ? [
                {
                  step: step.label,
                  message: `grants ${step.resource.inputs.role} to ${emailOf(member)} of this stack's project, which no gcp.serviceaccount.Account creates`,
                },
              ]
            : []; // An account of another project, given by config: external, assumed to exist.
        });
      });
    },
  },
  {
    id: "notification-after-publisher-grant",
    why: "Cloud Storage checks that its service agent may publish to the topic when a notification is created; the publisher grant must be done first.",
    source: "https://www.pulumi.com/registry/packages/gcp/api-docs/storage/notification/ https://cloud.google.com/storage/docs/pubsub-notifications",
    check: ({ graph }) =>
      graph.steps.flatMap((step) => {
        if (step.kind !== "resource" || step.resource.type !== "gcp:storage/notification:Notification") return [];
        const topic = lastSegment(step.resource.inputs.topic);
        const granted = resourcesOf(graph.upstream(step)).some(
          (r) =>
            isGrant(r, "roles/pubsub.publisher", (m) => AGENT.exec(m)?.[1] === GCS_AGENT_DOMAIN) &&
            (r.type === "gcp:projects/iAMMember:IAMMember" || lastSegment(r.inputs.topic) === topic),
        );
        return granted
          ? []
          : [
              {
                step: step.label,
                message: `is created before the Cloud Storage service agent may publish to the topic ${topic} (no roles/pubsub.publisher grant to it upstream)`,
              },
            ];
      }),
  },
  {
    id: "secret-env-after-access",
    why: "Cloud Run checks, when a job or service is created, that its account may access every secret it uses, and fails otherwise; the accessor grant and the secret's version must be done first.",
    source: "https://cloud.google.com/run/docs/configuring/jobs/secrets https://github.com/hashicorp/terraform-provider-google/issues/13786",
    check: ({ graph }) =>
      graph.steps.flatMap((step) => {
        if (step.kind !== "resource" || !RUN_TYPES.includes(step.resource.type)) return [];
        const account = `serviceAccount:${workloadAccount(step.resource) ?? ""}`;
        const upstream = resourcesOf(graph.upstream(step));
        const refs = containersOf(step.resource).flatMap((c) =>
          (c.envs ?? []).flatMap((e) => (e.valueSource?.secretKeyRef ? [e.valueSource.secretKeyRef] : [])),
        );
        return refs.flatMap((ref) => {
          const secret = lastSegment(ref.secret);
          const problems: Finding[] = [];
          const access = upstream.some(
            (r) =>
              isGrant(r, "roles/secretmanager.secretAccessor", (m) => m === account) &&
              (r.type === "gcp:projects/iAMMember:IAMMember" || lastSegment(r.inputs.secretId) === secret),
          );
          if (!access)
            problems.push({
              step: step.label,
              message: `uses the secret ${secret} before its account ${emailOf(account)} holds roles/secretmanager.secretAccessor on it`,
            });
          if (!upstream.some((r) => r.type === "gcp:secretmanager/secretVersion:SecretVersion" && lastSegment(String(r.inputs.secret)) === secret)) {
            problems.push({ step: step.label, message: `uses the secret ${secret} (version ${ref.version ?? "latest"}) before any version of it is created` });
          }
          return problems;
        });
      }),
  },
  {
    id: "image-pushed-upstream",
    why: "Cloud Run refuses to create a job or service whose image is not in the registry yet: a workload that runs an image the same deploy builds and pushes (or copies) must wait for that push.",
    source:
      "https://github.com/google/gke-policy-automation/issues/170 https://github.com/GoogleCloudPlatform/avocano/issues/414 https://github.com/hashicorp/terraform-provider-google/issues/18625",
    check: ({ graph }) => {
      const pushes = resourcesOf(graph.steps).flatMap((r) => pushedImages(r).map((image) => ({ image, by: r })));
      return graph.steps.flatMap((step) => {
        if (step.kind !== "resource" || !RUN_TYPES.includes(step.resource.type)) return [];
        const ancestors = graph.ancestors(step.id);
        return containersOf(step.resource).flatMap(({ image }) => {
          const name = imageNameOf(String(image ?? ""));
          const push = pushes.find((p) => p.image === name && !ancestors.has(p.by.urn));
          return push && !pushes.some((p) => p.image === name && ancestors.has(p.by.urn))
            ? [
                {
                  step: step.label,
                  message: `runs ${String(image)}, which ${label(push.by)} pushes in the same deploy, but does not wait for it (add it to dependsOn, or run its repoDigest output)`,
                },
              ]
            : [];
        });
      });
    },
  },
  {
    id: "identifier-forms",
    why: "The provider formats some inputs into its request URL as they stand: a full resource name where it expects a short id (or the reverse) sends the call to a URL that does not exist, which the offline mocks cannot notice.",
    source:
      "https://github.com/hashicorp/terraform-provider-google-beta/blob/main/google-beta/tpgresource/utils.go URL_FIELDS(cli/src/preview/identifier-forms.ts)",
    check: ({ graph }) =>
      resourcesOf(graph.steps).flatMap((r) => {
        const row = URL_FIELDS.get(r.type);
        if (!row) {
          return r.type.startsWith("gcp:")
            ? [
                {
                  step: label(r),
                  message:
                    "has inputs the provider may format into its request URL, which the rehearsal does not know: add its type to URL_FIELDS (cli/src/preview/identifier-forms.ts) with the provider source",
                },
              ]
            : [];
        }
        return Object.entries(row.fields).flatMap(([field, form]) => {
          const value = r.inputs[field];
          const problem = typeof value === "string" ? identifierProblem(value, form) : undefined;
          return problem
            ? [{ step: label(r), message: `passes ${field} "${String(value)}" into ${row.url} as it stands, where it must be ${problem} (${row.source})` }]
            : [];
        });
      }),
  },
  {
    id: "cross-stack-protected",
    why: "An image another stack holds must outlive that stack's destroy: its repository must be protected there (a destroyable stack's `pulumi destroy` deletes the repository with every image).",
    source: "https://cloud.google.com/artifact-registry/docs/repositories/delete-repos https://www.pulumi.com/docs/iac/concepts/resources/options/protect/",
    check: ({ plan, otherStacks }) =>
      foreignImages(plan).flatMap(({ resource, image, registryPath }) => {
        for (const [stack, other] of otherStacks) {
          const repository = repositoriesOf(other).get(registryPath);
          if (repository && !repository.protect) {
            return [
              {
                step: label(resource),
                message: `runs ${image} from stack ${stack}'s repository ${repository.name}, which is not protected: \`pulumi destroy\` of ${stack} deletes it`,
              },
            ];
          }
        }
        return []; // Protected in its stack, or outside every stack (external, assumed to outlive this one).
      }),
  },
  {
    id: "destroy-completes",
    why: "`pulumi destroy` deletes everything the plan does not ask to keep: a guard left to a provider default (deletion protection on, no forceDestroy) fails the delete, and everything the guarded resource depends on stays with it; a stack labelled destroyable keeps nothing, not even by design (protect, deletionPolicy PREVENT).",
    source:
      "https://www.pulumi.com/docs/iac/concepts/resources/options/protect/ https://github.com/GoogleCloudPlatform/magic-modules/pull/11318 https://github.com/hashicorp/terraform-provider-google/issues/6688 node_modules/@pulumi/gcp/pubsub/topic.d.ts(deletionPolicy)",
    check: ({ graph, plan, destroy }) => {
      const { blocked, stranded } = destroy;
      const destroyable = !protectsData(plan.resources);
      return blocked
        .filter((b) => !b.byDesign || destroyable)
        .map(({ resource, reason }) => {
          const withIt = stranded.filter((r) => graph.ancestors(resource.urn).has(r.urn)).length;
          return {
            step: label(resource),
            message: `${reason}: \`pulumi destroy\` fails here${withIt ? ` and leaves the ${withIt} resources it depends on` : ""}`,
          };
        });
    },
  },
  {
    id: "destroy-leaves-nothing-billable",
    why: "After `pulumi destroy` nothing but what the plan asks to keep may keep costing: retained resources stay in the cloud, and a deleted bucket's soft-deleted objects are billed for its soft delete retention (7 days unless set).",
    source:
      "https://cloud.google.com/storage/docs/soft-delete https://www.pulumi.com/docs/iac/concepts/resources/options/retainondelete/ node_modules/@pulumi/gcp/pubsub/topic.d.ts(deletionPolicy)",
    check: ({ graph, destroy }) => {
      const { blocked, stranded, retained } = destroy;
      const kept = new Set([...blocked.map((b) => b.resource), ...stranded, ...retained]);
      const softDeleted = resourcesOf(graph.steps).flatMap((r) => {
        if (r.type !== "gcp:storage/bucket:Bucket" || kept.has(r)) return [];
        const seconds = Number((r.inputs.softDeletePolicy as { retentionDurationSeconds?: number } | undefined)?.retentionDurationSeconds ?? 7 * 86400);
        return seconds > 0
          ? [
              {
                step: label(r),
                message: `keeps deleted objects, billed, for ${seconds / 86400} days after \`pulumi destroy\` (softDeletePolicy.retentionDurationSeconds: 0 turns soft delete off)`,
              },
            ]
          : [];
      });
      return [
        ...retained.map((r) => ({
          step: label(r),
          message:
            r.retainOnDelete === true
              ? "is retained on delete (retainOnDelete): `pulumi destroy` leaves it in the cloud"
              : 'has deletionPolicy "ABANDON": `pulumi destroy` drops it from state and leaves it in the cloud, billed as before',
        })),
        ...softDeleted,
      ];
    },
  },
];
