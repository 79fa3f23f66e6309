/**
 * The library's one import path: every component, its args and output types, and everything those args need.
 * Programs import from here only, e.g. `import { Bucket, CloudRunJob, environmentPolicy } from "@cloudrun-pipelines/components";`
 * (what is not exported here is internal and may change).
 *
 * Each component is a Pulumi ComponentResource with the type token `pipelines:gcp:<Class>`; it takes
 * `(name, args, opts)`, where `opts` carries the provider (project, region, default labels) and `dependsOn: [apis]`.
 */

// The project and its environment.
export { ProjectApis, REQUIRED_APIS } from "./project-apis";
export type { ProjectApisArgs } from "./project-apis";
export { environmentPolicy, isSoftDeleteRetentionDays, SOFT_DELETE_RETENTION_DAYS } from "./shared/policy";
export type { EnvironmentPolicy } from "./shared/policy";

// Data.
export { Bucket, BUCKET_READ_ROLE, BUCKET_WRITE_ROLE, existingBucketRead } from "./bucket";
export type { BucketArgs } from "./bucket";
export { BIGQUERY_JOB_USER_ROLE, Dataset, DATASET_READ_ROLE, DATASET_WRITE_ROLE } from "./dataset";
export type { DatasetArgs } from "./dataset";
export { Secret } from "./secret";
export type { SecretArgs } from "./secret";

// Workloads and their identities.
export { MAX_ENV_VARS, MAX_TASK_COUNT, MAX_TASK_TIMEOUT_SECONDS } from "./shared/limits";
export { CloudRunJob, MAX_RETRIES, RUNNER_ROLES } from "./cloud-run-job";
export type { CloudRunJobArgs } from "./cloud-run-job";
export { CloudRunService, MAX_CONCURRENCY, MAX_REQUEST_TIMEOUT_SECONDS, SERVICE_INVOKER_ROLE } from "./cloud-run-service";
export type { CloudRunServiceArgs, Ingress } from "./cloud-run-service";
export { ServiceAccount } from "./service-account";
export type { CreateServiceAccount, ExistingServiceAccount, ServiceAccountArgs } from "./shared/identity";

// Images.
export { ArtifactRepository, IMAGE_READER_ROLE } from "./artifact-repository";
export type { ArtifactRepositoryArgs } from "./artifact-repository";
export { ContainerImage } from "./container-image";
export type { ContainerImageArgs } from "./container-image";
export { PromotedImage } from "./promoted-image";
export type { PromotedImageArgs } from "./promoted-image";

// Triggers, chains and streams.
export { JobSchedule, SCHEDULE_INVOKER_ROLE } from "./job-schedule";
export type { JobScheduleArgs } from "./job-schedule";
export { JobChain, WORKFLOWS_INVOKER_ROLE } from "./job-chain";
export type { JobChainArgs, JobChainStep } from "./job-chain";
export { CHAIN_ENV } from "./shared/chain-env";
export { Topic, TOPIC_PUBLISH_ROLE } from "./topic";
export type { TopicArgs } from "./topic";
export { ACK_DEADLINE_SECONDS, DEAD_LETTER_SUBSCRIBER_ROLE, PushSubscription, SUBSCRIPTION_RETENTION_SECONDS } from "./push-subscription";
export type { PushSubscriptionArgs } from "./push-subscription";
export { BucketTrigger } from "./bucket-trigger";
export type { BucketTriggerArgs } from "./bucket-trigger";
export { RESULT_SUBSCRIBER_ROLE, RESULT_TOPIC_ENV, StreamProcessor } from "./stream-processor";
export type { ResultSubscription, StreamProcessorArgs } from "./stream-processor";

// Logs and alerts.
export { JobLogView, LOG_VIEW_READER_ROLE } from "./log-view";
export type { JobLogViewArgs } from "./log-view";
export { MONITORING_API, PipelineAlerts } from "./pipeline-alerts";
export type { PipelineAlertsArgs } from "./pipeline-alerts";

// What args are made of.
export type { Transform } from "./shared/component";
export type { Cpu, SecretEnv } from "./shared/container";
export { InputError } from "./shared/errors";
export type { Grant, Link } from "./shared/links";
export { childName, NAME_RULES, physicalName, shortHash } from "./shared/naming";
export type { NameKind } from "./shared/naming";
export type { ScheduleArgs, ScheduleRetry } from "./shared/schedule";
export type { Duration, Size } from "./shared/units";
export type { WorkloadArgs } from "./shared/workload";

// Checks a program's own config can reuse: the forms the components accept, and Google's published locations.
export { cronProblem, EMAIL, IMAGE_BY_DIGEST, IMAGE_NAME, memberProblem, timeZoneProblem } from "./shared/formats";
export { BIGQUERY_LOCATIONS, CLOUD_RUN_REGIONS } from "./shared/locations";
