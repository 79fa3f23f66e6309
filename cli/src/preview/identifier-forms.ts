// Which inputs of each resource type the Google provider places into its request URLs, and in what form. Read from
// hashicorp/terraform-provider-google-beta (which pulumi-gcp is built from: pulumi/pulumi-gcp `.gitmodules`), at
// commit 93c65b2d60 (2026-08-21). The generated files build URLs with `tpgresource.ReplaceVars`, which puts each
// `{{field}}` in as the value stands, with no shortening (`google-beta/tpgresource/utils.go`, `BuildReplacementFunc`:
// only `ReplaceVarsForId` shortens); the IAM updaters build theirs with `fmt.Sprintf` from the values their producer
// read, after parsing a long name only for the one field they pass to `GetImportIdQualifiers`.

/**
 * The form the provider needs a URL field in:
 * - `id`: a short id, no `/` (a bucket, job or topic name; a location; a project id);
 * - `parent`: `projects/<id>` (or `folders/…`, `organizations/…`, `billingAccounts/…`);
 * - `id-or-name`: a short id, or the full resource name matching `name`, which the provider parses back to the id.
 */
export type IdentifierForm = { readonly form: "id" } | { readonly form: "parent" } | { readonly form: "id-or-name"; readonly name: RegExp };

/** The URL fields of one resource type (Pulumi input names), the URL template they go into, and where that is read. */
export interface UrlFields {
  readonly fields: Readonly<Record<string, IdentifierForm>>;
  /** The request URL, as the provider formats it (for the message). */
  readonly url: string;
  /** Repository path and function or line of the provider source. */
  readonly source: string;
}

const ID: IdentifierForm = { form: "id" };
const PARENT: IdentifierForm = { form: "parent" };
const NAME = (pattern: string): IdentifierForm => ({ form: "id-or-name", name: new RegExp(`^${pattern.replace(/\*/g, "[^/]+")}$`) });
const TPG = "hashicorp/terraform-provider-google-beta google-beta/services";

/**
 * For every resource type the components create (and the ones the rehearsal's fixtures use), the inputs the provider
 * formats into its request URL. A type with no Google URL (a Docker image push, a local command) has no fields.
 * A field the program leaves out (e.g. `project`, which then comes from the provider's configuration) is not checked.
 */
export const URL_FIELDS: ReadonlyMap<string, UrlFields> = new Map<string, UrlFields>([
  [
    "gcp:artifactregistry/repository:Repository",
    {
      fields: { project: ID, location: ID, repositoryId: ID },
      url: "projects/{project}/locations/{location}/repositories?repository_id={repository_id}",
      source: `${TPG}/artifactregistry/resource_artifact_registry_repository.go (resourceArtifactRegistryRepositoryCreate)`,
    },
  ],
  [
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    {
      fields: { project: ID, location: ID, repository: NAME("projects/*/locations/*/repositories/*") },
      url: "projects/{project}/locations/{location}/repositories/{repository}:setIamPolicy",
      source: `${TPG}/artifactregistry/iam_artifact_registry_repository.go (ArtifactRegistryRepositoryIamUpdaterProducer, qualifyRepositoryUrl)`,
    },
  ],
  [
    "gcp:bigquery/dataset:Dataset",
    {
      fields: { project: ID, datasetId: ID },
      url: "projects/{project}/datasets/{dataset_id}",
      source: `${TPG}/bigquery/resource_bigquery_dataset.go (resourceBigQueryDatasetRead)`,
    },
  ],
  [
    "gcp:bigquery/datasetIamMember:DatasetIamMember",
    {
      fields: { project: ID, datasetId: ID },
      url: "projects/{project}/datasets/{dataset_id}?accessPolicyVersion=3",
      source: `${TPG}/bigquery/iam_bigquery_dataset.go (NewBigqueryDatasetIamUpdater: dataset_id as given; GetResourceId)`,
    },
  ],
  [
    "gcp:cloudrunv2/job:Job",
    {
      fields: { project: ID, location: ID, name: ID },
      url: "projects/{project}/locations/{location}/jobs?jobId={name}",
      source: `${TPG}/cloudrunv2/resource_cloud_run_v2_job.go (resourceCloudRunV2JobCreate)`,
    },
  ],
  [
    "gcp:cloudrunv2/jobIamMember:JobIamMember",
    {
      fields: { project: ID, location: ID, name: NAME("projects/*/locations/*/jobs/*") },
      url: "projects/{project}/locations/{location}/jobs/{name}:setIamPolicy",
      source: `${TPG}/cloudrunv2/iam_cloud_run_v2_job.go (CloudRunV2JobIamUpdaterProducer, qualifyJobUrl)`,
    },
  ],
  [
    "gcp:cloudrunv2/service:Service",
    {
      fields: { project: ID, location: ID, name: ID },
      url: "projects/{project}/locations/{location}/services?serviceId={name}",
      source: `${TPG}/cloudrunv2/resource_cloud_run_v2_service.go (resourceCloudRunV2ServiceCreate)`,
    },
  ],
  [
    "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
    {
      fields: { project: ID, location: ID, name: NAME("projects/*/locations/*/services/*") },
      url: "projects/{project}/locations/{location}/services/{name}:setIamPolicy",
      source: `${TPG}/cloudrunv2/iam_cloud_run_v2_service.go (CloudRunV2ServiceIamUpdaterProducer, qualifyServiceUrl)`,
    },
  ],
  [
    "gcp:cloudscheduler/job:Job",
    {
      fields: { project: ID, region: ID, name: ID },
      url: "projects/{project}/locations/{region}/jobs/{name}",
      source: `${TPG}/cloudscheduler/resource_cloud_scheduler_job.go (resourceCloudSchedulerJobRead; expandCloudSchedulerJobName)`,
    },
  ],
  [
    "gcp:logging/logView:LogView",
    {
      // The encoder shortens bucket and name, and takes parent and location from a full bucket name, before the URL.
      fields: { parent: PARENT, location: ID, bucket: NAME("*/*/locations/*/buckets/*"), name: NAME("*/*/locations/*/buckets/*/views/*") },
      url: "{parent}/locations/{location}/buckets/{bucket}/views?viewId={name}",
      source: `${TPG}/logging/resource_logging_log_view.go (resourceLoggingLogViewEncoder, resourceLoggingLogViewCreate)`,
    },
  ],
  [
    "gcp:logging/logViewIamMember:LogViewIamMember",
    {
      // Only name is parsed from a long form; bucket goes in as given.
      fields: { parent: PARENT, location: ID, bucket: ID, name: NAME("*/*/locations/*/buckets/*/views/*") },
      url: "{parent}/locations/{location}/buckets/{bucket}/views/{name}:setIamPolicy",
      source: `${TPG}/logging/iam_logging_log_view.go (LoggingLogViewIamUpdaterProducer, qualifyLogViewUrl)`,
    },
  ],
  [
    "gcp:monitoring/alertPolicy:AlertPolicy",
    {
      fields: { project: ID },
      url: "v3/projects/{project}/alertPolicies",
      source: `${TPG}/monitoring/resource_monitoring_alert_policy.go (resourceMonitoringAlertPolicyCreate)`,
    },
  ],
  [
    "gcp:monitoring/notificationChannel:NotificationChannel",
    {
      fields: { project: ID },
      url: "v3/projects/{project}/notificationChannels",
      source: `${TPG}/monitoring/resource_monitoring_notification_channel.go (resourceMonitoringNotificationChannelCreate)`,
    },
  ],
  [
    "gcp:projects/iAMMember:IAMMember",
    {
      fields: { project: NAME("projects/*") },
      url: "projects/{project}:setIamPolicy",
      source: `${TPG}/resourcemanager/iam_project.go (SetResourceIamPolicy: GetResourceNameFromSelfLink(project))`,
    },
  ],
  [
    "gcp:projects/service:Service",
    {
      fields: { project: NAME("projects/*"), service: ID },
      url: "projects/{project}/services/{service}",
      source: `${TPG}/resourcemanager/resource_google_project_service.go (GetResourceNameFromSelfLink(project))`,
    },
  ],
  [
    "gcp:projects/serviceIdentity:ServiceIdentity",
    {
      fields: { project: ID, service: ID },
      url: "projects/{project}/services/{service}:generateServiceIdentity",
      source: `${TPG}/resourcemanager/resource_project_service_identity.go (resourceProjectServiceIdentityCreate)`,
    },
  ],
  [
    "gcp:pubsub/subscription:Subscription",
    {
      fields: { project: ID, name: ID },
      url: "projects/{project}/subscriptions/{name}",
      source: `${TPG}/pubsub/resource_pubsub_subscription.go (resourcePubsubSubscriptionCreate)`,
    },
  ],
  [
    "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember",
    {
      fields: { project: ID, subscription: NAME("projects/*/subscriptions/*") },
      url: "projects/{project}/subscriptions/{subscription}:setIamPolicy",
      source: `${TPG}/pubsub/iam_pubsub_subscription.go (NewPubsubSubscriptionIamUpdater: GetComputedSubscriptionName, pubsub_utils.go)`,
    },
  ],
  [
    "gcp:pubsub/topic:Topic",
    {
      fields: { project: ID, name: ID },
      url: "projects/{project}/topics/{name}",
      source: `${TPG}/pubsub/resource_pubsub_topic.go (resourcePubsubTopicCreate)`,
    },
  ],
  [
    "gcp:pubsub/topicIAMMember:TopicIAMMember",
    {
      fields: { project: ID, topic: NAME("projects/*/topics/*") },
      url: "projects/{project}/topics/{topic}:setIamPolicy",
      source: `${TPG}/pubsub/iam_pubsub_topic.go (PubsubTopicIamUpdaterProducer, qualifyTopicUrl)`,
    },
  ],
  [
    "gcp:secretmanager/secret:Secret",
    {
      fields: { project: ID, secretId: ID },
      url: "projects/{project}/secrets?secretId={secret_id}",
      source: `${TPG}/secretmanager/resource_secret_manager_secret.go (resourceSecretManagerSecretCreate)`,
    },
  ],
  [
    "gcp:secretmanager/secretIamMember:SecretIamMember",
    {
      fields: { project: ID, secretId: NAME("projects/*/secrets/*") },
      url: "projects/{project}/secrets/{secret_id}:setIamPolicy",
      source: `${TPG}/secretmanager/iam_secret_manager_secret.go (SecretManagerSecretIamUpdaterProducer, qualifySecretUrl)`,
    },
  ],
  [
    "gcp:secretmanager/secretVersion:SecretVersion",
    {
      fields: { secret: NAME("projects/*/secrets/*") },
      url: "{secret}:addVersion",
      source: `${TPG}/secretmanager/resource_secret_manager_secret_version.go (resourceSecretManagerSecretVersionCreate: a short secret gets projects/<project>/secrets/ prepended)`,
    },
  ],
  [
    "gcp:serviceaccount/account:Account",
    {
      fields: { project: ID },
      url: "projects/{project}/serviceAccounts",
      source: `${TPG}/resourcemanager/resource_google_service_account.go (resourceGoogleServiceAccountCreate: "projects/"+project)`,
    },
  ],
  [
    "gcp:storage/bucket:Bucket",
    {
      fields: { project: ID, name: ID },
      url: "b?project={project}, then b/{name}",
      source: `${TPG}/storage/resource_storage_bucket.go (Buckets.Insert(project, …), Buckets.Get(name))`,
    },
  ],
  [
    "gcp:storage/bucketIAMMember:BucketIAMMember",
    {
      fields: { bucket: NAME("b/*") },
      url: "b/{bucket}/iam",
      source: `${TPG}/storage/iam_storage_bucket.go (StorageBucketIamUpdaterProducer, qualifyBucketUrl)`,
    },
  ],
  [
    "gcp:storage/notification:Notification",
    {
      fields: { bucket: ID },
      url: "b/{bucket}/notificationConfigs",
      source: `${TPG}/storage/fw_resource_storage_notification.go (Create: Notifications.Insert(bucket, …))`,
    },
  ],
  [
    "gcp:workflows/workflow:Workflow",
    {
      fields: { project: ID, region: ID, name: ID },
      url: "projects/{project}/locations/{region}/workflows?workflowId={name}",
      source: `${TPG}/workflows/resource_workflows_workflow.go (resourceWorkflowsWorkflowCreate)`,
    },
  ],
  // No Google provider URL: @pulumi/docker pushes to the registry named in imageName; a local command runs on the
  // deployer's machine (node_modules/@pulumi/command/local/command.d.ts).
  ["docker:index/image:Image", { fields: {}, url: "(none: a registry push)", source: "node_modules/@pulumi/docker/image.d.ts" }],
  ["command:local:Command", { fields: {}, url: "(none: a local command)", source: "node_modules/@pulumi/command/local/command.d.ts" }],
]);

const PARENT_NAME = /^(projects|folders|organizations|billingAccounts)\/[^/]+$/;

/**
 * Why `value` is not in `form`, or undefined when it is.
 * @example
 * identifierProblem("projects/p/locations/global/buckets/_Default", { form: "id" });
 * // "a short id (no /)"
 */
export function identifierProblem(value: string, form: IdentifierForm): string | undefined {
  switch (form.form) {
    case "id":
      return value.includes("/") || value === "" ? "a short id (no /)" : undefined;
    case "parent":
      return PARENT_NAME.test(value) ? undefined : "projects/<id> (or folders/<id>, organizations/<id>)";
    case "id-or-name":
      return (!value.includes("/") && value !== "") || form.name.test(value) ? undefined : `a short id or a full name matching ${form.name.source}`;
  }
}
