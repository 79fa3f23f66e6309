import * as gcp from "./shared/gcp";
import * as pulumi from "@pulumi/pulumi";
import { CloudRunService, SERVICE_INVOKER_ROLE } from "./cloud-run-service";
import { ServiceAccount } from "./service-account";
import { checkServiceAccountArgs, ServiceAccountArgs } from "./shared/identity";
import { applyTransform, PipelineComponent, Transform } from "./shared/component";
import { InputError } from "./shared/errors";
import { childName, NAME_RULES } from "./shared/naming";
import { Duration, durationString, toSeconds, toSecondsWithin } from "./shared/units";
import { Topic, TOPIC_PUBLISH_ROLE } from "./topic";

/**
 * Role the project's Pub/Sub service agent gets on the push subscription, so it can acknowledge a message it
 * forwards to the dead-letter topic: `roles/pubsub.subscriber` (src: https://cloud.google.com/pubsub/docs/handling-failures#grant_forwarding_permissions).
 * It also gets {@link TOPIC_PUBLISH_ROLE} on the dead-letter topic, to forward the message there.
 */
export const DEAD_LETTER_SUBSCRIBER_ROLE = "roles/pubsub.subscriber";

/** A subscription never expires: Pub/Sub deletes a subscription after 31 idle days by default (src: `@pulumi/gcp` `pubsub/subscription.d.ts` `expirationPolicy`; chainguard-dev/terraform-infra-common#70). */
export const NEVER_EXPIRE = { ttl: "" };

/** Ack deadline of a subscription: 10 to 600 seconds (src: https://cloud.google.com/pubsub/docs/lease-management). */
export const ACK_DEADLINE_SECONDS = { min: 10, max: 600 };
/** Retry backoff: 0 to 600 seconds (src: https://cloud.google.com/pubsub/docs/handling-failures#exponential_backoff). */
const MAX_BACKOFF_SECONDS = 600;
/** Delivery attempts before dead-lettering: 5 to 100 (src: `@pulumi/gcp` `SubscriptionDeadLetterPolicy.maxDeliveryAttempts`). */
const DELIVERY_ATTEMPTS = { min: 5, max: 100 };
/** Subscription message retention: 10 minutes to 7 days (src: https://cloud.google.com/pubsub/docs/subscription-properties#retention_duration). */
export const SUBSCRIPTION_RETENTION_SECONDS = { min: 600, max: 7 * 86_400 };

/** The API whose service agent forwards dead-lettered messages. */
export const PUBSUB_API = "pubsub.googleapis.com";

/**
 * The IAM member of the project's Pub/Sub service agent, `serviceAccount:service-<project number>@gcp-sa-pubsub.iam.gserviceaccount.com`
 * (src: https://cloud.google.com/pubsub/docs/handling-failures#grant_forwarding_permissions): the `member` the
 * `gcp.projects.ServiceIdentity` returns, or, where it returns none, the documented form. The provider sets the
 * email only when the Service Usage API returns one, which it does not for every service
 * (src: hashicorp/terraform-provider-google `resource_project_service_identity.go` "This API may not return the
 * service identity's details"; hashicorp/terraform-provider-google#18649).
 */
export function pubsubServiceAgent(identityMember: string | undefined, projectNumber: string): string {
  return identityMember && /^serviceAccount:.+@.+$/.test(identityMember)
    ? identityMember
    : `serviceAccount:service-${projectNumber}@gcp-sa-pubsub.iam.gserviceaccount.com`;
}

export interface PushSubscriptionArgs {
  /** Physical subscription id (see `NAME_RULES.pubsub`); the dead-letter topic and its subscription are named `<id>-dead-letter`. */
  subscriptionName: string;
  /** The topic whose messages are pushed. */
  topic: Topic;
  /** The service the messages are pushed to, with an OIDC token of `invoker`. */
  service: CloudRunService;
  /** Path on the service's URL. @default "/" */
  path?: string;
  /** The identity Pub/Sub signs the push request's OIDC token as; it gets {@link SERVICE_INVOKER_ROLE} on `service` only. */
  invoker: ServiceAccountArgs;
  /** Time the service has to answer a push; for push it is also the HTTP request's timeout (10 to 600 seconds). @default "60 seconds" */
  ackDeadline?: Duration;
  /** Backoff between redeliveries of a message the service did not acknowledge (a non-2xx answer). @default 10 seconds to 600 seconds */
  retry?: { minBackoff?: Duration; maxBackoff?: Duration };
  /** Deliveries of one message before it goes to the dead-letter topic, 5 to 100. @default 5 */
  maxDeliveryAttempts?: number;
  /** How long unacknowledged messages are kept, here and on the dead-letter subscription (10 minutes to 7 days). @default "7 days" */
  messageRetention?: Duration;
  /** Escape hatch to any field of the push `gcp.pubsub.Subscription`. */
  transform?: { subscription?: Transform<gcp.pubsub.SubscriptionArgs> };
}

/**
 * A push subscription that delivers a topic's messages to a private Cloud Run service, with nothing lost:
 * - Pub/Sub calls the service's URL with an OIDC token of a dedicated invoker account, whose audience is the
 *   service's URL, and that account holds {@link SERVICE_INVOKER_ROLE} on that service only
 *   (src: https://cloud.google.com/run/docs/triggering/pubsub-push). Pub/Sub mints the token as its service agent,
 *   which has the right through `roles/pubsub.serviceAgent` in projects whose agent was created after 2021-04-08;
 *   older projects must grant it `roles/iam.serviceAccountTokenCreator` (src: https://cloud.google.com/pubsub/docs/push).
 * - A message the service does not acknowledge (any answer but 2xx, or no answer within the ack deadline) is
 *   redelivered with exponential backoff, and after `maxDeliveryAttempts` forwarded to a dead-letter topic,
 *   which has its own pull subscription so forwarded messages are kept (a topic with no subscription drops
 *   them). Forwarding needs the project's Pub/Sub service agent to publish to the dead-letter topic and to
 *   subscribe to this subscription (src: https://cloud.google.com/pubsub/docs/handling-failures). The agent is
 *   made to exist first (a `gcp.projects.ServiceIdentity` for `pubsub.googleapis.com`), then granted.
 * - Neither subscription expires after 31 idle days, Pub/Sub's default.
 * @example
 * ```ts
 * import { CloudRunService, environmentPolicy, PushSubscription, Topic } from "./components";
 *
 * const requests = new Topic("requests", { topicName: "dev-requests" });
 * const worker = new CloudRunService("worker", {
 *   serviceName: "dev-worker",
 *   location: "europe-west1",
 *   image: "europe-west1-docker.pkg.dev/my-project/images/worker@sha256:<digest>",
 *   serviceAccount: { accountId: "dev-worker", displayName: "Worker" },
 *   policy: environmentPolicy(false),
 * });
 * new PushSubscription("requests-push", {
 *   subscriptionName: "dev-requests-push",
 *   topic: requests,
 *   service: worker,
 *   invoker: { accountId: "dev-requests-push", displayName: "Pushes requests" },
 *   ackDeadline: "2 minutes",
 *   maxDeliveryAttempts: 10,
 * });
 * ```
 */
export class PushSubscription extends PipelineComponent {
  /** Full id, `projects/<project>/subscriptions/<name>`. */
  public readonly id: pulumi.Output<string>;
  /** The push subscription's short name: what the dead-letter metric `pubsub.googleapis.com/subscription/dead_letter_message_count` is labelled with. */
  public readonly name: pulumi.Output<string>;
  /** The dead-letter topic's full id. */
  public readonly deadLetterTopicId: pulumi.Output<string>;
  /** The dead-letter subscription's short name: where failed messages wait to be inspected or replayed. */
  public readonly deadLetterSubscriptionName: pulumi.Output<string>;
  /** Email of the account whose OIDC token the pushes carry. */
  public readonly invokerEmail: pulumi.Output<string>;

  constructor(name: string, args: PushSubscriptionArgs, opts?: pulumi.ComponentResourceOptions) {
    const settings = checkPushSubscriptionArgs(`PushSubscription(${name})`, args);
    super("pipelines:gcp:PushSubscription", name, opts);

    const invoker = new ServiceAccount(childName(name, "invoker"), args.invoker, this.child());
    const invokerGrant = new gcp.cloudrunv2.ServiceIamMember(
      childName(name, "invoker", "run-invoker"),
      { name: args.service.name, location: args.service.location, project: args.service.project, role: SERVICE_INVOKER_ROLE, member: invoker.member },
      this.child(),
    );

    const deadLetterName = `${args.subscriptionName}-dead-letter`;
    const deadLetter = new Topic(childName(name, "dead-letter"), { topicName: deadLetterName }, this.child());
    new gcp.pubsub.Subscription(
      childName(name, "dead-letter", "subscription"),
      { name: deadLetterName, topic: deadLetter.id, messageRetentionDuration: settings.retention, expirationPolicy: NEVER_EXPIRE, ackDeadlineSeconds: 60 },
      this.child(),
    );
    // A service agent that does not exist yet cannot be granted a role, and Google creates Pub/Sub's "at some
    // point after you activate and use the API" (src: https://cloud.google.com/iam/docs/create-service-agents;
    // https://cloud.google.com/iam/docs/service-agents): the ServiceIdentity makes it exist, and both grants wait
    // for it (the same fix: terraform-google-modules/terraform-google-bigquery#252). It is a beta resource of the
    // Terraform provider, and pulumi-gcp is built from terraform-provider-google-beta
    // (src: pulumi/pulumi-gcp `provider/go.mod`), so the default provider has it. Each PushSubscription declares
    // its own: creating it again returns the existing agent ("can be used to retrieve the emails" of agents), and
    // destroying it is a no-op, so two in one project never conflict (src: `@pulumi/gcp` `projects/serviceIdentity.d.ts`).
    const identity = new gcp.projects.ServiceIdentity(childName(name, "pubsub-agent"), { project: args.service.project, service: PUBSUB_API }, this.child());
    const project = gcp.organizations.getProjectOutput({ projectId: args.service.project }, { parent: this });
    const agent = pulumi.all([identity.member, project.number]).apply(([member, number]) => pubsubServiceAgent(member, number));
    const forwardGrant = new gcp.pubsub.TopicIAMMember(
      childName(name, "dead-letter", "agent-publisher"),
      { topic: deadLetter.id, role: TOPIC_PUBLISH_ROLE, member: agent },
      this.child({ dependsOn: [identity] }),
    );

    const subscription = new gcp.pubsub.Subscription(
      childName(name, "subscription"),
      applyTransform<gcp.pubsub.SubscriptionArgs>(
        {
          name: args.subscriptionName,
          topic: args.topic.id,
          ackDeadlineSeconds: settings.ackDeadline,
          messageRetentionDuration: settings.retention,
          expirationPolicy: NEVER_EXPIRE,
          retryPolicy: { minimumBackoff: settings.minBackoff, maximumBackoff: settings.maxBackoff },
          deadLetterPolicy: { deadLetterTopic: deadLetter.id, maxDeliveryAttempts: settings.maxDeliveryAttempts },
          pushConfig: {
            pushEndpoint: pulumi.interpolate`${args.service.uri}${settings.path}`,
            oidcToken: { serviceAccountEmail: invoker.email, audience: args.service.uri },
          },
        },
        args.transform?.subscription,
      ),
      // The first push must find its invoker allowed, and the first failure a dead-letter topic it may publish to.
      this.child({ dependsOn: [invokerGrant, forwardGrant] }),
    );
    new gcp.pubsub.SubscriptionIAMMember(
      childName(name, "dead-letter", "agent-subscriber"),
      { subscription: subscription.name, role: DEAD_LETTER_SUBSCRIBER_ROLE, member: agent },
      this.child({ dependsOn: [identity] }),
    );

    this.id = subscription.id;
    this.name = subscription.name;
    this.deadLetterTopicId = deadLetter.id;
    this.deadLetterSubscriptionName = pulumi.output(deadLetterName);
    this.invokerEmail = invoker.email;
    this.registerOutputs({
      id: this.id,
      name: this.name,
      deadLetterTopicId: this.deadLetterTopicId,
      deadLetterSubscriptionName: this.deadLetterSubscriptionName,
      invokerEmail: this.invokerEmail,
    });
  }
}

/**
 * Checks a {@link PushSubscription}'s own args (not its topic and service, which are built before it); components
 * that declare one call it before declaring anything.
 * @param field - the args' path in the user's program, e.g. `PushSubscription(push)` or `BucketTrigger(landing-trigger).push`
 * @throws InputError naming `<field>.<arg>`.
 */
export function checkPushSubscriptionArgs(field: string, args: Omit<PushSubscriptionArgs, "topic" | "service">) {
  checkServiceAccountArgs(`${field}.invoker`, args.invoker);
  if (!NAME_RULES.pubsub.pattern.test(`${args.subscriptionName}-dead-letter`)) {
    throw new InputError(
      `${field}.subscriptionName`,
      `"${args.subscriptionName}" is not a valid subscription id`,
      'use 3-243 lowercase letters, digits and hyphens, starting with a letter ("-dead-letter" is appended for the dead-letter topic)',
    );
  }
  const path = args.path ?? "/";
  if (!path.startsWith("/")) throw new InputError(`${field}.path`, `"${path}" does not start with /`, 'write a path such as "/" or "/push"');
  const ackDeadline = toSecondsWithin(args.ackDeadline ?? "60 seconds", `${field}.ackDeadline`, ACK_DEADLINE_SECONDS, "use 10 to 600 seconds");
  const minBackoff = toSeconds(args.retry?.minBackoff ?? "10 seconds", `${field}.retry.minBackoff`);
  const maxBackoff = toSeconds(args.retry?.maxBackoff ?? "600 seconds", `${field}.retry.maxBackoff`);
  if (maxBackoff > MAX_BACKOFF_SECONDS || minBackoff > maxBackoff) {
    throw new InputError(
      `${field}.retry`,
      `minBackoff ${minBackoff}s, maxBackoff ${maxBackoff}s`,
      "use backoffs of at most 600 seconds, minBackoff at most maxBackoff",
    );
  }
  const maxDeliveryAttempts = args.maxDeliveryAttempts ?? 5;
  if (!Number.isInteger(maxDeliveryAttempts) || maxDeliveryAttempts < DELIVERY_ATTEMPTS.min || maxDeliveryAttempts > DELIVERY_ATTEMPTS.max) {
    throw new InputError(`${field}.maxDeliveryAttempts`, `${maxDeliveryAttempts} is out of range`, "use a whole number from 5 to 100");
  }
  const retention = toSecondsWithin(args.messageRetention ?? "7 days", `${field}.messageRetention`, SUBSCRIPTION_RETENTION_SECONDS, "use 10 minutes to 7 days");
  return {
    path,
    ackDeadline,
    minBackoff: durationString(minBackoff),
    maxBackoff: durationString(maxBackoff),
    maxDeliveryAttempts,
    retention: durationString(retention),
  };
}
