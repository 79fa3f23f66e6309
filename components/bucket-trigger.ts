import * as gcp from "./shared/gcp";
import * as pulumi from "@pulumi/pulumi";
import { Bucket } from "./bucket";
import { CloudRunService } from "./cloud-run-service";
import { checkPushSubscriptionArgs, PushSubscription, PushSubscriptionArgs } from "./push-subscription";
import { applyTransform, PipelineComponent, Transform } from "./shared/component";
import { InputError } from "./shared/errors";
import { childName } from "./shared/naming";
import { checkTopicName, Topic, TOPIC_PUBLISH_ROLE } from "./topic";

export interface BucketTriggerArgs {
  /** The bucket whose new objects trigger the service. */
  bucket: Bucket;
  /** Only objects whose name starts with this prefix, e.g. `"incoming/"`. @default every object */
  objectNamePrefix?: string;
  /** The service each notification is pushed to. */
  service: CloudRunService;
  /** Physical id of the notification topic (see `NAME_RULES.pubsub`). */
  topicName: string;
  /** The push subscription from the topic to the service (its id, invoker, ack deadline, retries, dead-lettering, and its own `transform`), as `StreamProcessor.push`. */
  push: Omit<PushSubscriptionArgs, "topic" | "service">;
  /** Escape hatch to any field of the `gcp.storage.Notification` (the subscription's is `push.transform`). */
  transform?: { notification?: Transform<gcp.storage.NotificationArgs> };
}

/**
 * Runs a Cloud Run service for each new object in a bucket: a GCS notification (`OBJECT_FINALIZE`, JSON_API_V1
 * payload, optional prefix) publishes to a topic, and a {@link PushSubscription} pushes each message to the service
 * with an OIDC token, with retries and a dead-letter topic. The event is in the message's attributes
 * (`eventType`, `bucketId`, `objectId`, `objectGeneration`; src: https://cloud.google.com/storage/docs/pubsub-notifications#attributes).
 *
 * GCS publishes as the project's Cloud Storage service agent, which gets {@link TOPIC_PUBLISH_ROLE} on this topic
 * only, before the notification is created: creating it without that grant fails with "…does not have permission
 * to publish messages" (hashicorp/terraform-provider-google#4354). The agent's email comes from
 * `gcp.storage.getProjectServiceAccount`, which also creates the agent if the project has none yet
 * (src: `@pulumi/gcp` `storage/getProjectServiceAccount.d.ts`).
 *
 * GCS delivers each notification at least once, so the service must be idempotent for an object generation.
 * @example
 * ```ts
 * import { Bucket, BucketTrigger, CloudRunService, environmentPolicy } from "./components";
 *
 * const policy = environmentPolicy(false);
 * const landing = new Bucket("landing", { bucketName: "my-project-dev-landing", location: "europe-west1", envName: "LANDING_BUCKET", policy });
 * const validator = new CloudRunService("validator", {
 *   serviceName: "dev-validator",
 *   location: "europe-west1",
 *   image: "europe-west1-docker.pkg.dev/my-project/images/validator@sha256:<digest>",
 *   serviceAccount: { accountId: "dev-validator", displayName: "Validator" },
 *   links: [landing.read],
 *   policy,
 * });
 * new BucketTrigger("landing-trigger", {
 *   bucket: landing,
 *   objectNamePrefix: "incoming/",
 *   service: validator,
 *   topicName: "dev-landing-events",
 *   push: { subscriptionName: "dev-landing-push", invoker: { accountId: "dev-landing-push", displayName: "Pushes landing events" } },
 * });
 * ```
 */
export class BucketTrigger extends PipelineComponent {
  /** The notification topic's full id. */
  public readonly topicId: pulumi.Output<string>;
  /** The push subscription's short name (for the dead-letter alert), as `StreamProcessor.pushSubscriptionName`. */
  public readonly pushSubscriptionName: pulumi.Output<string>;
  /** The dead-letter subscription's short name. */
  public readonly deadLetterSubscriptionName: pulumi.Output<string>;

  constructor(name: string, args: BucketTriggerArgs, opts?: pulumi.ComponentResourceOptions) {
    const field = `BucketTrigger(${name})`;
    if (args.objectNamePrefix !== undefined && (args.objectNamePrefix.length === 0 || args.objectNamePrefix.startsWith("/"))) {
      throw new InputError(
        `${field}.objectNamePrefix`,
        `"${args.objectNamePrefix}" is not an object name prefix`,
        'leave it unset for every object, or write a prefix without a leading slash, e.g. "incoming/"',
      );
    }
    const { bucket, objectNamePrefix, service, topicName, push, transform } = args;
    checkTopicName(`${field}.topicName`, topicName);
    checkPushSubscriptionArgs(`${field}.push`, push);
    super("pipelines:gcp:BucketTrigger", name, opts);

    const topic = new Topic(childName(name, "notifications"), { topicName }, this.child());
    const gcsAgent = gcp.storage.getProjectServiceAccountOutput({ project: service.project }, { parent: this });
    const agentGrant = new gcp.pubsub.TopicIAMMember(
      childName(name, "gcs-agent-publisher"),
      { topic: topic.id, role: TOPIC_PUBLISH_ROLE, member: gcsAgent.member },
      this.child(),
    );
    // The subscription exists before the notification, so the first event already has somewhere to go.
    const subscription = new PushSubscription(childName(name, "push"), { ...push, topic, service }, this.child());
    new gcp.storage.Notification(
      childName(name, "notification"),
      applyTransform<gcp.storage.NotificationArgs>(
        {
          bucket: bucket.name,
          topic: topic.id,
          payloadFormat: "JSON_API_V1",
          eventTypes: ["OBJECT_FINALIZE"],
          ...(objectNamePrefix !== undefined && { objectNamePrefix }),
        },
        transform?.notification,
      ),
      this.child({ dependsOn: [agentGrant, subscription] }),
    );

    this.topicId = topic.id;
    this.pushSubscriptionName = subscription.name;
    this.deadLetterSubscriptionName = subscription.deadLetterSubscriptionName;
    this.registerOutputs({
      topicId: this.topicId,
      pushSubscriptionName: this.pushSubscriptionName,
      deadLetterSubscriptionName: this.deadLetterSubscriptionName,
    });
  }
}
