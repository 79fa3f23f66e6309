// Whether the provider retries a grant that IAM refuses because the principal is not visible yet: `Error 400:
// Service account <email> does not exist`. Read from hashicorp/terraform-provider-google-beta at commit 93c65b2d60
// (2026-08-21):
// - every `*IamMember` create goes through `iamPolicyReadModifyWrite` (google-beta/tpgiamresource/iam.go; project
//   members through `BatchRequestModifyIamPolicy`, iam_batching.go, which calls the same). On an error from
//   `SetResourceIamPolicy` it retries a 409 conflict (`IsConflictError`); on `IamServiceAccountNotFound` (400 with
//   "Service account" and "does not exist", google-beta/transport/error_retry_predicates.go) it re-reads the policy and
//   retries only when that re-read fails and the etag changed; when the re-read succeeds it returns the error;
// - the transport retries only its default predicates (error_retry_predicates.go `defaultErrorRetryPredicates`:
//   network errors, 429/500/502/503, 409 "operation in progress", Compute readiness) and the ones a call adds. No IAM
//   updater below adds one that matches this 400, except that Pub/Sub topics add `PubsubTopicProjectNotReady` (a 400
//   whose body says "retry this operation"), which this error's text does not contain.
// Google's advice for this case: "you might need to wait for 60 seconds or more before you use the service account
// … If you … receive an error, you can retry the request with exponential backoff"
// (https://cloud.google.com/iam/docs/service-accounts-create, as quoted in copies of the page; Google's own copy was
// not readable here).

const TPG = "hashicorp/terraform-provider-google-beta google-beta";

/** For each IAM member type: whether the provider retries "principal does not exist", and where that is read. */
export const MISSING_PRINCIPAL_RETRY: ReadonlyMap<string, { readonly retries: boolean; readonly source: string }> = new Map(
  (
    [
      ["gcp:storage/bucketIAMMember:BucketIAMMember", "services/storage/iam_storage_bucket.go (SetResourceIamPolicy: SendRequest, no ErrorRetryPredicates)"],
      [
        "gcp:bigquery/datasetIamMember:DatasetIamMember",
        "services/bigquery/iam_bigquery_dataset.go (SetResourceIamPolicy: SendRequest, no ErrorRetryPredicates; IsBigqueryIAMQuotaError is used by dataset access only)",
      ],
      ["gcp:pubsub/topicIAMMember:TopicIAMMember", "services/pubsub/iam_pubsub_topic.go (SetResourceIamPolicy: PubsubTopicProjectNotReady only)"],
      [
        "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember",
        "services/pubsub/iam_pubsub_subscription.go (SetResourceIamPolicy: the client's Do(), no retry)",
      ],
      ["gcp:cloudrunv2/jobIamMember:JobIamMember", "services/cloudrunv2/iam_cloud_run_v2_job.go (SetResourceIamPolicy: SendRequest, no ErrorRetryPredicates)"],
      [
        "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
        "services/cloudrunv2/iam_cloud_run_v2_service.go (SetResourceIamPolicy: SendRequest, no ErrorRetryPredicates)",
      ],
      [
        "gcp:secretmanager/secretIamMember:SecretIamMember",
        "services/secretmanager/iam_secret_manager_secret.go (SetResourceIamPolicy: SendRequest, no ErrorRetryPredicates)",
      ],
      [
        "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
        "services/artifactregistry/iam_artifact_registry_repository.go (SetResourceIamPolicy: SendRequest, no ErrorRetryPredicates)",
      ],
      ["gcp:projects/iAMMember:IAMMember", "services/resourcemanager/iam_project.go (SetResourceIamPolicy: the client's Do(), no retry; IamWithBatching)"],
      [
        "gcp:logging/logViewIamMember:LogViewIamMember",
        "services/logging/iam_logging_log_view.go (SetResourceIamPolicy: SendRequest, no ErrorRetryPredicates)",
      ],
    ] as const
  ).map(([type, source]) => [type, { retries: false, source: `${TPG}/${source}; ${TPG}/tpgiamresource/iam.go (iamPolicyReadModifyWrite)` }]),
);
