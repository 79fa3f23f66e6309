import * as gcp from "./shared/gcp";
import * as pulumi from "@pulumi/pulumi";
import { checkCloudRunServiceArgs, CloudRunService, CloudRunServiceArgs } from "./cloud-run-service";
import {
  ACK_DEADLINE_SECONDS,
  checkPushSubscriptionArgs,
  NEVER_EXPIRE,
  SUBSCRIPTION_RETENTION_SECONDS,
  PushSubscription,
  PushSubscriptionArgs,
} from "./push-subscription";
import { PipelineComponent } from "./shared/component";
import { InputError } from "./shared/errors";
import { childName, NAME_RULES, shortHash } from "./shared/naming";
import { Duration, durationString, toSecondsWithin } from "./shared/units";
import { checkWorkloadArgs } from "./shared/workload";
import { checkTopicName, Topic, TOPIC_PUBLISH_ROLE } from "./topic";

/** Role a client gets on each result subscription to pull and acknowledge its answers: `roles/pubsub.subscriber` (src: https://cloud.google.com/pubsub/docs/access-control#roles). */
export const RESULT_SUBSCRIBER_ROLE = "roles/pubsub.subscriber";
/** Environment variable that names the result topic (full id) in the service. */
export const RESULT_TOPIC_ENV = "RESULT_TOPIC";

/**
 * Environment variable with the seconds the service may spend publishing one answer: half the push subscription's
 * ack deadline. For push, the ack deadline is also the request's timeout (src: `ackDeadlineSeconds` in
 * `@pulumi/gcp` `pubsub/subscription.d.ts`; gcp-pulumi-facts §1.9), so a publish that outlives it would make
 * Pub/Sub redeliver while the first attempt is still publishing; the service answers 500 before that instead.
 */
export const PUBLISH_DEADLINE_ENV = "PUBLISH_DEADLINE_SECONDS";

/** A pull subscription on the result topic, for one backend. */
export interface ResultSubscription {
  /** Physical subscription id (see `NAME_RULES.pubsub`). */
  subscriptionName: string;
  /**
   * Only results whose attributes match, e.g. `attributes.tenant = "acme"` (Pub/Sub filter syntax; immutable: a
   * change replaces the subscription) (src: https://cloud.google.com/pubsub/docs/subscription-message-filter).
   * @default every result
   */
  filter?: string;
  /** Time a client has to acknowledge a pulled result (10 to 600 seconds). @default "30 seconds" */
  ackDeadline?: Duration;
  /** How long unacknowledged results are kept. @default "1 day" */
  messageRetention?: Duration;
}

export interface StreamProcessorArgs {
  /** Physical id of the topic requests are published to. */
  requestTopicName: string;
  /** Physical id of the topic results are published to. */
  resultTopicName: string;
  /** The service that answers each request; it is created here, with the result topic's publish link added to its links. */
  service: Omit<CloudRunServiceArgs, "invokers" | "public">;
  /** The push subscription from the request topic to the service (invoker, ack deadline, retries, dead-lettering). */
  push: Omit<PushSubscriptionArgs, "topic" | "service">;
  /** Pull subscriptions on the result topic, by key (e.g. `{ backend: {...} }`). */
  resultSubscriptions: Record<string, ResultSubscription>;
  /** IAM members who may publish requests (`roles/pubsub.publisher` on the request topic) and pull results (`roles/pubsub.subscriber` on each result subscription). */
  clients?: string[];
}

/**
 * A request/response stream over Pub/Sub: requests published to the request topic are pushed to a private Cloud
 * Run service ({@link PushSubscription}: OIDC invoker, retries, dead-letter topic), which publishes each answer to
 * the result topic, with the request's correlation id as an attribute, so that a backend pulling from a result
 * subscription takes exactly its own answer.
 *
 * The service's account may publish to the result topic only (`roles/pubsub.publisher` on that topic, env
 * `RESULT_TOPIC`); it holds nothing on the request topic, since requests arrive by push. Result subscriptions never
 * expire.
 * @example
 * ```ts
 * import { environmentPolicy, StreamProcessor } from "./components";
 *
 * const stream = new StreamProcessor("stream", {
 *   requestTopicName: "dev-requests",
 *   resultTopicName: "dev-results",
 *   service: {
 *     serviceName: "dev-stream",
 *     location: "europe-west1",
 *     image: "europe-west1-docker.pkg.dev/my-project/images/stream@sha256:<digest>",
 *     serviceAccount: { accountId: "dev-stream", displayName: "Stream" },
 *     policy: environmentPolicy(false),
 *   },
 *   push: { subscriptionName: "dev-requests-push", invoker: { accountId: "dev-stream-push", displayName: "Pushes requests" } },
 *   resultSubscriptions: { backend: { subscriptionName: "dev-results-backend" } },
 *   clients: ["serviceAccount:backend@my-project.iam.gserviceaccount.com"],
 * });
 * export const requestTopic = stream.requestTopicId;
 * ```
 */
export class StreamProcessor extends PipelineComponent {
  public readonly requestTopicId: pulumi.Output<string>;
  public readonly resultTopicId: pulumi.Output<string>;
  /** Full ids of the result subscriptions, by key. */
  public readonly resultSubscriptionIds: Record<string, pulumi.Output<string>>;
  public readonly service: CloudRunService;
  /** The push subscription's short name (for the dead-letter alert). */
  public readonly pushSubscriptionName: pulumi.Output<string>;
  public readonly deadLetterSubscriptionName: pulumi.Output<string>;

  constructor(name: string, args: StreamProcessorArgs, opts?: pulumi.ComponentResourceOptions) {
    const field = `StreamProcessor(${name})`;
    const results = normalize(field, args);
    checkTopicName(`${field}.requestTopicName`, args.requestTopicName);
    checkTopicName(`${field}.resultTopicName`, args.resultTopicName);
    checkCloudRunServiceArgs(`${field}.service`, args.service);
    const { ackDeadline } = checkPushSubscriptionArgs(`${field}.push`, args.push);
    super("pipelines:gcp:StreamProcessor", name, opts);

    const requests = new Topic(childName(name, "requests"), { topicName: args.requestTopicName }, this.child());
    const resultTopic = new Topic(childName(name, "results"), { topicName: args.resultTopicName, envName: RESULT_TOPIC_ENV }, this.child());
    const env = { ...args.service.env, [PUBLISH_DEADLINE_ENV]: String(Math.floor(ackDeadline / 2)) };
    const service = new CloudRunService(
      childName(name, "service"),
      { ...args.service, env, links: [...(args.service.links ?? []), resultTopic.publish] },
      this.child(),
    );
    const push = new PushSubscription(childName(name, "push"), { ...args.push, topic: requests, service }, this.child());

    this.resultSubscriptionIds = {};
    for (const [key, sub] of results) {
      const subscription = new gcp.pubsub.Subscription(
        childName(name, "results", key),
        {
          name: sub.subscriptionName,
          topic: resultTopic.id,
          ackDeadlineSeconds: sub.ackDeadline,
          messageRetentionDuration: sub.retention,
          expirationPolicy: NEVER_EXPIRE,
          ...(sub.filter !== undefined && { filter: sub.filter }),
        },
        this.child(),
      );
      this.resultSubscriptionIds[key] = subscription.id;
      for (const member of new Set(args.clients ?? [])) {
        new gcp.pubsub.SubscriptionIAMMember(
          childName(name, "results", key, "client", shortHash(member)),
          { subscription: subscription.name, role: RESULT_SUBSCRIBER_ROLE, member },
          this.child(),
        );
      }
    }
    for (const member of new Set(args.clients ?? [])) {
      new gcp.pubsub.TopicIAMMember(
        childName(name, "requests", "client", shortHash(member)),
        { topic: requests.id, role: TOPIC_PUBLISH_ROLE, member },
        this.child(),
      );
    }

    this.requestTopicId = requests.id;
    this.resultTopicId = resultTopic.id;
    this.service = service;
    this.pushSubscriptionName = push.name;
    this.deadLetterSubscriptionName = push.deadLetterSubscriptionName;
    this.registerOutputs({
      requestTopicId: this.requestTopicId,
      resultTopicId: this.resultTopicId,
      resultSubscriptionIds: this.resultSubscriptionIds,
      pushSubscriptionName: this.pushSubscriptionName,
    });
  }
}

function normalize(field: string, args: StreamProcessorArgs) {
  if (args.requestTopicName === args.resultTopicName) {
    throw new InputError(
      `${field}.resultTopicName`,
      `"${args.resultTopicName}" is also the request topic`,
      "give results their own topic, or the service would answer its own answers",
    );
  }
  for (const own of [RESULT_TOPIC_ENV, PUBLISH_DEADLINE_ENV]) {
    if (own in { ...args.service.env, ...args.service.secretEnv }) {
      throw new InputError(`${field}.service.env`, `${own} is set by the stream processor`, `leave ${own} out of env and secretEnv`);
    }
  }
  checkWorkloadArgs(field, undefined, { clients: args.clients });
  const entries = Object.entries(args.resultSubscriptions);
  if (entries.length === 0) {
    throw new InputError(
      `${field}.resultSubscriptions`,
      "is empty",
      "add at least one pull subscription on the result topic: results published to a topic with no subscription are dropped",
    );
  }
  return entries.map(([key, sub]) => {
    const at = `${field}.resultSubscriptions.${key}`;
    if (!NAME_RULES.pubsub.pattern.test(sub.subscriptionName)) {
      throw new InputError(
        `${at}.subscriptionName`,
        `"${sub.subscriptionName}" is not a valid subscription id`,
        "use 3-255 lowercase letters, digits and hyphens, starting with a letter",
      );
    }
    const ackDeadline = toSecondsWithin(sub.ackDeadline ?? "30 seconds", `${at}.ackDeadline`, ACK_DEADLINE_SECONDS, "use 10 to 600 seconds");
    const retention = toSecondsWithin(sub.messageRetention ?? "1 day", `${at}.messageRetention`, SUBSCRIPTION_RETENTION_SECONDS, "use 10 minutes to 7 days");
    return [key, { subscriptionName: sub.subscriptionName, filter: sub.filter, ackDeadline, retention: durationString(retention) }] as const;
  });
}
