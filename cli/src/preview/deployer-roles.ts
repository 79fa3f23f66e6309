import { Plan } from "./deploy-graph";

/** What the deployer needs for one resource type or data source. */
export interface DeployerRoleRow {
  /** Predefined roles, on the project, that hold the permissions below. */
  readonly roles: readonly string[];
  /** The permissions the provider's calls need: create, and set IAM for an IAM member type. */
  readonly permissions: readonly string[];
  /** Where the permission is named, and where the role is shown to hold it. */
  readonly source: string;
  /** Roles needed only with some inputs, e.g. `iam.serviceAccountUser` where the resource runs as an account. */
  readonly extra?: (inputs: Record<string, unknown>) => readonly string[];
}

/** `iam.serviceAccounts.actAs`: deploying a resource that runs as an account needs it on that account. */
export const SERVICE_ACCOUNT_USER = "roles/iam.serviceAccountUser";

// Role contents are read from iann0036/iam-dataset `gcp/roles/<role>.json` (commit 2073fa52a, 2026-08-22), a copy of
// Google's roles list (https://cloud.google.com/iam/docs/roles-permissions); the permission each call needs from
// the product's own access-control page where it names one.
const DATASET = "iann0036/iam-dataset gcp/roles";
const actsAs =
  (...paths: string[][]) =>
  (inputs: Record<string, unknown>) =>
    paths.some((path) => typeof valueAt(inputs, path) === "string") ? [SERVICE_ACCOUNT_USER] : [];
const CLOUD_RUN_ACT_AS = "https://cloud.google.com/run/docs/securing/service-identity (deploying as an account needs iam.serviceAccounts.actAs)";

/**
 * For every resource type the components create (and the data sources they call), the predefined role holding the
 * permission to create it and, for an IAM member type, to set the IAM policy it edits. The deployer's roles are
 * derived from a plan with {@link deployerRoles}; `npm run preview` prints them, and `npm run config-docs` writes
 * them into README.md and the deploy workflows (tools/deployer-docs.ts).
 */
export const DEPLOYER_ROLES: ReadonlyMap<string, DeployerRoleRow> = new Map<string, DeployerRoleRow>([
  [
    "gcp:projects/service:Service",
    {
      // The provider reads the project back through Cloud Resource Manager after enabling (resource_google_project_service.go).
      roles: ["roles/serviceusage.serviceUsageAdmin", "roles/browser"],
      permissions: ["serviceusage.services.enable", "resourcemanager.projects.get"],
      source: `${DATASET}/serviceusage.serviceUsageAdmin.json, browser.json; hashicorp/terraform-provider-google-beta google-beta/services/resourcemanager/resource_google_project_service.go`,
    },
  ],
  [
    "gcp:projects/serviceIdentity:ServiceIdentity",
    {
      roles: [],
      permissions: [],
      source: 'https://cloud.google.com/iam/docs/create-service-agents ("Triggering service agent creation doesn\'t require any IAM permissions")',
    },
  ],
  [
    "gcp:projects/iAMMember:IAMMember",
    {
      roles: ["roles/resourcemanager.projectIamAdmin"],
      permissions: ["resourcemanager.projects.setIamPolicy"],
      source: `${DATASET}/resourcemanager.projectIamAdmin.json`,
    },
  ],
  [
    "gcp:serviceaccount/account:Account",
    { roles: ["roles/iam.serviceAccountAdmin"], permissions: ["iam.serviceAccounts.create"], source: `${DATASET}/iam.serviceAccountAdmin.json` },
  ],
  ...(["gcp:storage/bucket:Bucket", "gcp:storage/bucketIAMMember:BucketIAMMember", "gcp:storage/notification:Notification"] as const).map(
    (type): [string, DeployerRoleRow] => [
      type,
      {
        roles: ["roles/storage.admin"],
        permissions: ["storage.buckets.create", "storage.buckets.setIamPolicy", "storage.buckets.update"],
        source: `https://cloud.google.com/storage/docs/access-control/iam-json (buckets insert, setIamPolicy; notifications insert: storage.buckets.update); ${DATASET}/storage.admin.json`,
      },
    ],
  ),
  ...(["gcp:bigquery/dataset:Dataset", "gcp:bigquery/datasetIamMember:DatasetIamMember"] as const).map((type): [string, DeployerRoleRow] => [
    type,
    {
      roles: ["roles/bigquery.dataOwner"],
      permissions: ["bigquery.datasets.create", "bigquery.datasets.update", "bigquery.datasets.setIamPolicy"],
      source: `${DATASET}/bigquery.dataOwner.json`,
    },
  ]),
  ...(["gcp:artifactregistry/repository:Repository", "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember"] as const).map(
    (type): [string, DeployerRoleRow] => [
      type,
      {
        roles: ["roles/artifactregistry.admin"],
        permissions: ["artifactregistry.repositories.create", "artifactregistry.repositories.setIamPolicy"],
        source: `${DATASET}/artifactregistry.admin.json`,
      },
    ],
  ),
  [
    "docker:index/image:Image",
    {
      roles: ["roles/artifactregistry.writer"],
      permissions: ["artifactregistry.repositories.uploadArtifacts"],
      source: `https://cloud.google.com/artifact-registry/docs/docker/pushing-and-pulling; ${DATASET}/artifactregistry.writer.json`,
    },
  ],
  [
    "command:local:Command",
    {
      // Runs on the deployer's machine with its credentials: only the promoted-image copy (components/promoted-image.ts) calls Google.
      roles: [],
      permissions: [],
      source: "node_modules/@pulumi/command/local/command.d.ts",
      extra: (inputs) => (/\bgcrane cp\b/.test(String(inputs.create ?? "")) ? ["roles/artifactregistry.writer"] : []),
    },
  ],
  ...(["gcp:cloudrunv2/job:Job", "gcp:cloudrunv2/service:Service"] as const).map((type): [string, DeployerRoleRow] => [
    type,
    {
      roles: ["roles/run.admin"],
      permissions: ["run.jobs.create", "run.services.create", "run.jobs.setIamPolicy", "run.services.setIamPolicy"],
      source: `${DATASET}/run.admin.json; ${CLOUD_RUN_ACT_AS}`,
      extra: actsAs(["template", "serviceAccount"], ["template", "template", "serviceAccount"]),
    },
  ]),
  ...(["gcp:cloudrunv2/jobIamMember:JobIamMember", "gcp:cloudrunv2/serviceIamMember:ServiceIamMember"] as const).map((type): [string, DeployerRoleRow] => [
    type,
    { roles: ["roles/run.admin"], permissions: ["run.jobs.setIamPolicy", "run.services.setIamPolicy"], source: `${DATASET}/run.admin.json` },
  ]),
  [
    "gcp:cloudscheduler/job:Job",
    {
      roles: ["roles/cloudscheduler.admin"],
      permissions: ["cloudscheduler.jobs.create"],
      source: `${DATASET}/cloudscheduler.admin.json; https://cloud.google.com/scheduler/docs/http-target-auth (a job with a token of an account needs iam.serviceAccounts.actAs on it)`,
      extra: actsAs(["httpTarget", "oauthToken", "serviceAccountEmail"], ["httpTarget", "oidcToken", "serviceAccountEmail"]),
    },
  ],
  ...(
    [
      "gcp:pubsub/topic:Topic",
      "gcp:pubsub/subscription:Subscription",
      "gcp:pubsub/topicIAMMember:TopicIAMMember",
      "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember",
    ] as const
  ).map((type): [string, DeployerRoleRow] => [
    type,
    {
      roles: ["roles/pubsub.admin"],
      permissions: [
        "pubsub.topics.create",
        "pubsub.subscriptions.create",
        "pubsub.topics.attachSubscription",
        "pubsub.topics.setIamPolicy",
        "pubsub.subscriptions.setIamPolicy",
      ],
      // UNVERIFIED: that a push subscription with an OIDC token needs actAs on its account (no Google page found
      // here states it); the deployer holds the role for the Cloud Run workloads anyway.
      source: `https://cloud.google.com/pubsub/docs/create-push-subscription ("Required roles"); ${DATASET}/pubsub.admin.json`,
      extra: type === "gcp:pubsub/subscription:Subscription" ? actsAs(["pushConfig", "oidcToken", "serviceAccountEmail"]) : undefined,
    },
  ]),
  ...(["gcp:secretmanager/secret:Secret", "gcp:secretmanager/secretVersion:SecretVersion", "gcp:secretmanager/secretIamMember:SecretIamMember"] as const).map(
    (type): [string, DeployerRoleRow] => [
      type,
      {
        roles: ["roles/secretmanager.admin"],
        permissions: ["secretmanager.secrets.create", "secretmanager.versions.add", "secretmanager.secrets.setIamPolicy"],
        source: `${DATASET}/secretmanager.admin.json`,
      },
    ],
  ),
  [
    "gcp:workflows/workflow:Workflow",
    {
      roles: ["roles/workflows.editor"],
      permissions: ["workflows.workflows.create"],
      source: `${DATASET}/workflows.editor.json; https://cloud.google.com/workflows/docs/authentication (deploying with an account needs iam.serviceAccounts.actAs)`,
      extra: actsAs(["serviceAccount"]),
    },
  ],
  [
    "gcp:monitoring/alertPolicy:AlertPolicy",
    { roles: ["roles/monitoring.alertPolicyEditor"], permissions: ["monitoring.alertPolicies.create"], source: `${DATASET}/monitoring.alertPolicyEditor.json` },
  ],
  [
    "gcp:monitoring/notificationChannel:NotificationChannel",
    {
      roles: ["roles/monitoring.notificationChannelEditor"],
      permissions: ["monitoring.notificationChannels.create"],
      source: `${DATASET}/monitoring.notificationChannelEditor.json`,
    },
  ],
  ...(["gcp:logging/logView:LogView", "gcp:logging/logViewIamMember:LogViewIamMember"] as const).map((type): [string, DeployerRoleRow] => [
    type,
    {
      // roles/logging.configWriter holds views.create but not views.setIamPolicy (same dataset).
      roles: ["roles/logging.admin"],
      permissions: ["logging.views.create", "logging.views.setIamPolicy"],
      source: `${DATASET}/logging.admin.json, logging.configWriter.json`,
    },
  ]),
  // Data sources.
  [
    "gcp:organizations/getProject:getProject",
    {
      roles: ["roles/browser"],
      permissions: ["resourcemanager.projects.get"],
      source: `https://cloud.google.com/resource-manager/reference/rest/v1/projects/get; ${DATASET}/browser.json`,
    },
  ],
  [
    "gcp:storage/getProjectServiceAccount:getProjectServiceAccount",
    {
      roles: ["roles/browser"],
      permissions: ["resourcemanager.projects.get"],
      source: `https://cloud.google.com/storage/docs/getting-service-agent ("resourcemanager.projects.get … required to access the service agent"); ${DATASET}/browser.json`,
    },
  ],
  ["gcp:organizations/getClientConfig:getClientConfig", { roles: [], permissions: [], source: "reads the provider's own configuration and token" }],
]);

/**
 * Roles left out of the list when another listed role holds every permission the table asks of them (same dataset):
 * `projectIamAdmin` holds `resourcemanager.projects.get`, `artifactregistry.admin` holds `uploadArtifacts`.
 */
const IMPLIED_BY: ReadonlyMap<string, string> = new Map([
  ["roles/browser", "roles/resourcemanager.projectIamAdmin"],
  ["roles/artifactregistry.writer", "roles/artifactregistry.admin"],
]);

/** What the deployer of a plan needs. */
export interface DeployerNeeds {
  /** Predefined roles on the stack's project, sorted. */
  readonly roles: readonly string[];
  /** Registry paths of other stacks' repositories it copies images from: it needs `roles/artifactregistry.reader` there. */
  readonly readsFrom: readonly string[];
  /** Types and data sources the table lacks. */
  readonly unknown: readonly string[];
}

/**
 * The roles the deployer of `plan` needs, from {@link DEPLOYER_ROLES}; a role another listed role covers is left out.
 * @example
 * deployerRoles({ resources: [], invokes: [] }); // { roles: [], readsFrom: [], unknown: [] }
 */
export function deployerRoles(plan: Plan): DeployerNeeds {
  const roles = new Set<string>();
  const unknown = new Set<string>();
  const readsFrom = new Set<string>();
  const add = (token: string, inputs: Record<string, unknown>) => {
    const row = DEPLOYER_ROLES.get(token);
    if (!row) {
      unknown.add(token);
      return;
    }
    for (const role of [...row.roles, ...(row.extra?.(inputs) ?? [])]) roles.add(role);
  };
  for (const r of plan.resources) {
    if (!r.custom || r.type.startsWith("pulumi:providers:")) continue;
    add(r.type, r.inputs);
    const source = /gcrane cp '?([a-z0-9-]+-docker\.pkg\.dev\/[^/]+\/[^/]+)\//.exec(String(r.inputs.create ?? ""))?.[1];
    if (r.type === "command:local:Command" && source) readsFrom.add(source);
  }
  for (const invoke of plan.invokes) add(invoke.token, invoke.inputs);
  const listed = [...roles].filter((role) => !roles.has(IMPLIED_BY.get(role) ?? ""));
  return { roles: listed.sort(), readsFrom: [...readsFrom].sort(), unknown: [...unknown].sort() };
}

/**
 * One line: `deployer needs: roles/a, roles/b on the project` (and the readers it needs elsewhere), and the types the
 * table lacks.
 * @example
 * deployerText(deployerRoles({ resources: [], invokes: [] })); // "deployer needs: no role (an empty plan)\n"
 */
export function deployerText(needs: DeployerNeeds): string {
  const elsewhere = needs.readsFrom.map((path) => `; roles/artifactregistry.reader on ${path} (the source stack's imageReaders)`).join("");
  const unknown = needs.unknown.length > 0 ? `; unknown to cli/src/preview/deployer-roles.ts (add a row with its source): ${needs.unknown.join(", ")}` : "";
  const roles = needs.roles.length > 0 ? `${needs.roles.join(", ")} on the project` : "no role (an empty plan)";
  return `deployer needs: ${roles}${elsewhere}${unknown}\n`;
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined), value);
}
