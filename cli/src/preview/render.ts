import { RecordedResource } from "./mock-runtime";

/** One IAM grant of the plan. */
export interface IamRow {
  readonly member: string;
  readonly role: string;
  /** What the role is on, e.g. `bucket my-proj-dev-raw`, `dataset dev_warehouse`, `job dev-etl-extract`, `project my-proj`. */
  readonly resource: string;
}

/** How to name the target of each kind of IAM member resource, from its inputs. */
const IAM_TARGETS: Record<string, (inputs: Record<string, unknown>) => string> = {
  "gcp:storage/bucketIAMMember:BucketIAMMember": (i) => `bucket ${i.bucket}`,
  "gcp:bigquery/datasetIamMember:DatasetIamMember": (i) => `dataset ${i.datasetId}`,
  "gcp:projects/iAMMember:IAMMember": (i) => `project ${i.project}`,
  "gcp:cloudrunv2/jobIamMember:JobIamMember": (i) => `job ${i.name}`,
  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": (i) => `service ${i.name}`,
  "gcp:secretmanager/secretIamMember:SecretIamMember": (i) => `secret ${i.secretId}`,
  "gcp:pubsub/topicIAMMember:TopicIAMMember": (i) => `topic ${String(i.topic).replace(/^projects\/[^/]+\/topics\//, "")}`,
  "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember": (i) => `subscription ${String(i.subscription).replace(/^projects\/[^/]+\/subscriptions\//, "")}`,
  "gcp:serviceaccount/iAMMember:IAMMember": (i) => `service account ${i.serviceAccountId}`,
  "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": (i) => `repository ${i.repository}`,
  "gcp:logging/logViewIamMember:LogViewIamMember": (i) => `log view ${i.name}`,
};

/** Inputs worth showing in the tree for each type, as dotted paths. */
const KEY_INPUTS: Record<string, string[]> = {
  "pulumi:providers:gcp": ["project", "region", "defaultLabels"],
  "gcp:projects/service:Service": ["service", "disableOnDestroy"],
  "gcp:storage/bucket:Bucket": [
    "name",
    "location",
    "uniformBucketLevelAccess",
    "publicAccessPrevention",
    "forceDestroy",
    "versioning.enabled",
    "lifecycleRules",
  ],
  "gcp:bigquery/dataset:Dataset": ["datasetId", "location", "deleteContentsOnDestroy", "defaultTableExpirationMs"],
  "gcp:artifactregistry/repository:Repository": ["repositoryId", "location", "format", "cleanupPolicies"],
  "docker:index/image:Image": ["imageName", "build.platform"],
  "gcp:serviceaccount/account:Account": ["accountId"],
  "gcp:cloudrunv2/job:Job": [
    "name",
    "location",
    "deletionProtection",
    "template.taskCount",
    "template.parallelism",
    "template.template.serviceAccount",
    "template.template.timeout",
    "template.template.maxRetries",
    "template.template.containers.0.image",
    "template.template.containers.0.commands",
    "template.template.containers.0.resources.limits",
    "template.template.containers.0.envs",
  ],
  "gcp:cloudscheduler/job:Job": ["name", "region", "schedule", "timeZone", "httpTarget.uri", "httpTarget.oauthToken", "retryConfig"],
  "gcp:cloudrunv2/service:Service": [
    "name",
    "location",
    "ingress",
    "deletionProtection",
    "template.serviceAccount",
    "template.timeout",
    "template.maxInstanceRequestConcurrency",
    "template.scaling",
    "template.containers.0.image",
    "template.containers.0.resources.limits",
    "template.containers.0.envs",
  ],
  "gcp:pubsub/topic:Topic": ["name"],
  "gcp:pubsub/subscription:Subscription": [
    "name",
    "topic",
    "filter",
    "ackDeadlineSeconds",
    "pushConfig.pushEndpoint",
    "pushConfig.oidcToken",
    "retryPolicy",
    "deadLetterPolicy",
    "expirationPolicy",
    "messageRetentionDuration",
  ],
  "gcp:storage/notification:Notification": ["bucket", "topic", "eventTypes", "objectNamePrefix", "payloadFormat"],
  "gcp:workflows/workflow:Workflow": ["name", "region", "serviceAccount", "deletionProtection", "description"],
  "gcp:monitoring/alertPolicy:AlertPolicy": ["displayName", "conditions.0.conditionThreshold.filter"],
  "gcp:monitoring/notificationChannel:NotificationChannel": ["type", "labels"],
};

/** The IAM grants of a plan, sorted by member, then role, then resource. */
export function iamRows(resources: readonly RecordedResource[]): IamRow[] {
  return resources
    .filter((r) => r.type in IAM_TARGETS)
    .map((r) => ({ member: String(r.inputs.member), role: String(r.inputs.role), resource: IAM_TARGETS[r.type](r.inputs) }))
    .sort((a, b) => a.member.localeCompare(b.member) || a.role.localeCompare(b.role) || a.resource.localeCompare(b.resource));
}

/**
 * A type token as `pulumi preview` shows it: the module's last path segment is dropped when it is the type's name in
 * camelCase (`gcp:storage/bucket:Bucket` → `gcp:storage:Bucket`, `gcp:projects/iAMMember:IAMMember` →
 * `gcp:projects:IAMMember`); any other token is shown as it is (`pulumi:pulumi:Stack`, `pipelines:gcp:Bucket`).
 * The rule of Pulumi's `tokens.Type.DisplayName` (pulumi/pulumi `sdk/go/common/tokens/tokens.go`, used for the Type
 * column by `pkg/backend/display/rows.go`).
 */
export function displayType(type: string): string {
  const parts = type.split(":");
  if (parts.length !== 3 || parts[2] === "") return type;
  const [pkg, module, name] = parts;
  const slash = module.lastIndexOf("/");
  if (slash === -1 || module.slice(slash + 1) !== name.charAt(0).toLowerCase() + name.slice(1)) return type;
  return `${pkg}:${module.slice(0, slash)}:${name}`;
}

/**
 * Whether `pulumi preview` counts a resource in its `Resources:` summary: every resource the program registers (the
 * stack, components, custom resources, explicit providers) except the engine's default providers
 * (`pulumi:providers:<pkg>` named `default…`), whose steps are internal (pulumi/pulumi `pkg/engine/update.go`
 * `isInternalStep`, `sdk/go/common/providers/reference.go` `IsDefaultProvider`). Reads (`.get`) would not count on a
 * new stack either, but the recorded plan holds registrations only.
 */
function counted(r: RecordedResource): boolean {
  return !(r.type.startsWith("pulumi:providers:") && r.name.startsWith("default"));
}

/**
 * The resource tree as `pulumi preview` prints a plan for a new stack: a `Type  Name  Plan  Info` table, `+` and
 * `create` on each resource, children under their parent with Pulumi's `├─ └─ │` guides
 * (pulumi/pulumi `pkg/backend/display/progress.go` `addIndentations`), display type tokens ({@link displayType}),
 * `[protected]` in the Info column; under each resource, its key inputs. Siblings sorted by name.
 * @example
 * renderTree(run.resources).split("\n")[1]; // " +   pulumi:pulumi:Stack  cloudrun-pipelines-dev  create"
 */
export function renderTree(resources: readonly RecordedResource[]): string {
  const children = new Map<string | undefined, RecordedResource[]>();
  for (const r of resources.filter(counted)) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const rows: { type: string; name: string; info: string; inputs: string[] }[] = [];
  const walk = (parent: string | undefined, indentation: string, root: boolean) => {
    const siblings = [...(children.get(parent) ?? [])].sort((a, b) => a.name.localeCompare(b.name));
    siblings.forEach((r, i) => {
      const last = i === siblings.length - 1;
      const nested = root ? indentation : indentation + (last ? "   " : "│  ");
      const guide = nested + (children.has(r.urn) ? "│  " : "   ");
      const inputs = (KEY_INPUTS[r.type] ?? (r.type in IAM_TARGETS ? ["role", "member"] : [])).flatMap((path) => {
        const value = valueAt(r.inputs, path);
        return value === undefined ? [] : [`${guide}${path}: ${compact(value)}`];
      });
      rows.push({
        type: `${root ? "" : indentation + (last ? "└─ " : "├─ ")}${displayType(r.type)}`,
        name: r.name,
        info: r.protect ? "[protected]" : "",
        inputs,
      });
      walk(r.urn, nested, false);
    });
  };
  walk(undefined, "", true);
  const [typeWidth, nameWidth] = [Math.max(4, ...rows.map((r) => r.type.length)), Math.max(4, ...rows.map((r) => r.name.length))];
  const line = (mark: string, type: string, name: string, plan: string, info: string) =>
    ` ${mark.padEnd(2)}  ${type.padEnd(typeWidth)}  ${name.padEnd(nameWidth)}  ${plan.padEnd(6)}  ${info}`.trimEnd();
  return [
    line("", "Type", "Name", "Plan", "Info"),
    ...rows.flatMap((r) => [line("+", r.type, r.name, "create", r.info), ...r.inputs.map((input) => `     ${input}`)]),
  ].join("\n");
}

/**
 * The closing summary of `pulumi preview` for a new stack: `Resources:` then `    + N to create`, N counted as Pulumi
 * counts (see {@link renderTree}: the stack, components and explicit providers included, default providers not; the
 * format of `renderSummaryEvent` in pulumi/pulumi `pkg/backend/display/diff.go`).
 * @example
 * renderSummary(run.resources); // "Resources:\n    + 111 to create"
 */
export function renderSummary(resources: readonly RecordedResource[]): string {
  return `Resources:\n    + ${resources.filter(counted).length} to create`;
}

/** The IAM grants as an aligned text table. */
export function renderIamTable(rows: readonly IamRow[]): string {
  const header: IamRow = { member: "MEMBER", role: "ROLE", resource: "RESOURCE" };
  const all = [header, ...rows];
  const width = (key: keyof IamRow) => Math.max(...all.map((r) => r[key].length));
  const [m, r] = [width("member"), width("role")];
  return all.map((row) => `${row.member.padEnd(m)}  ${row.role.padEnd(r)}  ${row.resource}`).join("\n");
}

/**
 * The architecture as a Mermaid flowchart, derived from the recorded plan: components as nodes; edges for the
 * image a job or service runs, the repository an image is pushed to, the event flows (a bucket notifying a topic, a
 * topic pushing to a service or pulled by a subscription, dead letters), and every IAM grant (from the workload,
 * trigger or schedule that holds it to what it is on).
 */
export function renderMermaid(resources: readonly RecordedResource[]): string {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const owner = (r: RecordedResource): RecordedResource | undefined => {
    let current = r.parent ? byUrn.get(r.parent) : undefined;
    while (current && (current.type === "pipelines:gcp:ServiceAccount" || current.custom)) current = current.parent ? byUrn.get(current.parent) : undefined;
    return current && current.type.startsWith("pipelines:") ? current : undefined;
  };
  const nodes = new Map<string, string>();
  const edges = new Set<string>();
  const node = (r: RecordedResource) => {
    const id = r.name.replace(/[^A-Za-z0-9]/g, "_");
    nodes.set(id, `${id}["${r.type.split(":").pop()}: ${r.name}"]`);
    return id;
  };
  const componentOf = (type: string, match: (inputs: Record<string, unknown>) => boolean) => {
    const child = resources.find((r) => r.type === type && match(r.inputs));
    return child && owner(child);
  };
  const serviceAt = (endpoint: string) => {
    const service = resources.find(
      (r) => r.type === "gcp:cloudrunv2/service:Service" && typeof r.outputs.uri === "string" && endpoint.startsWith(r.outputs.uri),
    );
    return service && owner(service);
  };
  for (const r of resources) {
    if (r.type === "docker:index/image:Image") {
      const image = owner(r);
      const repository = componentOf("gcp:artifactregistry/repository:Repository", (i) => String(r.inputs.imageName).includes(`/${i.repositoryId}/`));
      if (image && repository) edges.add(`${node(image)} -->|pushed to| ${node(repository)}`);
      for (const workload of resources.filter((w) =>
        [w.inputs, w.inputs.template].some((t) => valueAt(t, "template.containers.0.image") === r.outputs.repoDigest),
      )) {
        const component = owner(workload);
        if (image && component) edges.add(`${node(image)} -->|image| ${node(component)}`);
      }
    }
    // Event flows: a bucket notifies a topic, a topic pushes to a service or is pulled, undeliverable messages go to a dead-letter topic.
    const topic = (id: unknown) => componentOf("gcp:pubsub/topic:Topic", (i) => String(id).endsWith(`/topics/${i.name}`));
    if (r.type === "gcp:storage/notification:Notification") {
      const bucket = componentOf("gcp:storage/bucket:Bucket", (i) => i.name === r.inputs.bucket);
      const to = topic(r.inputs.topic);
      if (bucket && to) edges.add(`${node(bucket)} -->|notifies| ${node(to)}`);
    }
    if (r.type === "gcp:pubsub/subscription:Subscription") {
      const from = topic(r.inputs.topic);
      const endpoint = valueAt(r.inputs, "pushConfig.pushEndpoint");
      const service = endpoint === undefined ? undefined : serviceAt(String(endpoint));
      const deadLetter = topic(valueAt(r.inputs, "deadLetterPolicy.deadLetterTopic"));
      if (from && service) edges.add(`${node(from)} -->|push| ${node(service)}`);
      if (from && endpoint === undefined) edges.add(`${node(from)} -->|pull| ${subscriptionNode(nodes, String(r.inputs.name))}`);
      if (from && deadLetter) edges.add(`${node(from)} -->|dead letters| ${node(deadLetter)}`);
    }
    if (!(r.type in IAM_TARGETS)) continue;
    const holder = owner(r);
    const target = iamTarget(r, componentOf);
    const member = String(r.inputs.member);
    const agent = SERVICE_AGENTS.find(([pattern]) => pattern.test(member));
    const from = agent
      ? memberNode(nodes, agent[1])
      : holder && !member.startsWith("serviceAccount:") && r.type === "gcp:cloudrunv2/jobIamMember:JobIamMember"
        ? memberNode(nodes, member)
        : holder && node(holder);
    const to = target ? node(target) : projectNode(nodes, IAM_TARGETS[r.type](r.inputs));
    if (from && from !== to) edges.add(`${from} -->|${String(r.inputs.role).replace("roles/", "")}| ${to}`);
  }
  return ["flowchart LR", ...[...nodes.values()].sort().map((n) => `  ${n}`), ...[...edges].sort().map((e) => `  ${e}`)].join("\n");
}

function iamTarget(
  r: RecordedResource,
  componentOf: (type: string, match: (inputs: Record<string, unknown>) => boolean) => RecordedResource | undefined,
): RecordedResource | undefined {
  switch (r.type) {
    case "gcp:storage/bucketIAMMember:BucketIAMMember":
      return componentOf("gcp:storage/bucket:Bucket", (i) => i.name === r.inputs.bucket);
    case "gcp:bigquery/datasetIamMember:DatasetIamMember":
      return componentOf("gcp:bigquery/dataset:Dataset", (i) => i.datasetId === r.inputs.datasetId);
    case "gcp:cloudrunv2/jobIamMember:JobIamMember":
      return componentOf("gcp:cloudrunv2/job:Job", (i) => i.name === r.inputs.name);
    case "gcp:cloudrunv2/serviceIamMember:ServiceIamMember":
      return componentOf("gcp:cloudrunv2/service:Service", (i) => i.name === r.inputs.name);
    case "gcp:pubsub/topicIAMMember:TopicIAMMember":
      return componentOf("gcp:pubsub/topic:Topic", (i) => String(r.inputs.topic).endsWith(`/topics/${i.name}`));
    default:
      return undefined;
  }
}

function memberNode(nodes: Map<string, string>, member: string): string {
  const id = member.replace(/[^A-Za-z0-9]/g, "_");
  nodes.set(id, `${id}(["${member}"])`);
  return id;
}

/** Google-managed service agents, drawn as themselves rather than as the component that grants them a role. */
const SERVICE_AGENTS: [RegExp, string][] = [
  [/^serviceAccount:service-\d+@gs-project-accounts\.iam\.gserviceaccount\.com$/, "Cloud Storage service agent"],
  [/^serviceAccount:service-\d+@gcp-sa-pubsub\.iam\.gserviceaccount\.com$/, "Pub/Sub service agent"],
];

function subscriptionNode(nodes: Map<string, string>, name: string): string {
  const id = `subscription_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
  nodes.set(id, `${id}[/"subscription ${name}"/]`);
  return id;
}

function projectNode(nodes: Map<string, string>, label: string): string {
  const id = label.replace(/[^A-Za-z0-9]/g, "_");
  nodes.set(id, `${id}[("${label}")]`);
  return id;
}

function valueAt(value: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined), value);
}

function compact(value: unknown): string {
  if (Array.isArray(value) && value.length > 0 && value.every((v) => v !== null && typeof v === "object" && "name" in v)) {
    // Container env: NAME=value, or NAME=<secret ref> for Secret Manager references.
    return value
      .map((v: { name: unknown; value?: unknown; valueSource?: unknown }) => `${v.name}=${"value" in v ? v.value : JSON.stringify(v.valueSource)}`)
      .join(", ");
  }
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 240 ? `${text.slice(0, 237)}...` : text;
}
