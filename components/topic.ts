import * as gcp from "./shared/gcp";
import * as pulumi from "@pulumi/pulumi";
import { applyTransform, PipelineComponent, Transform } from "./shared/component";
import { InputError } from "./shared/errors";
import { checkEnvName, Grant, Link } from "./shared/links";
import { childName, NAME_RULES } from "./shared/naming";
import { Duration, durationString, toSecondsWithin } from "./shared/units";

/**
 * Role a workload gets on the topic for `publish`: `roles/pubsub.publisher` (`pubsub.topics.publish`, and nothing
 * else) (src: https://cloud.google.com/pubsub/docs/access-control#roles).
 */
export const TOPIC_PUBLISH_ROLE = "roles/pubsub.publisher";

/** Topic message retention: 10 minutes to 31 days (src: https://cloud.google.com/pubsub/docs/replay-overview#topic_message_retention). */
const RETENTION_SECONDS = { min: 600, max: 31 * 86_400 };

export interface TopicArgs {
  /** Physical topic id (see `NAME_RULES.pubsub`). Changing it replaces the topic. */
  topicName: string;
  /** Environment variable that names the topic (its full id, `projects/<p>/topics/<t>`) in workloads linked with `publish`, e.g. `RESULT_TOPIC`. @default none (the link sets no variable) */
  envName?: string;
  /** Keep published messages on the topic this long, so a new subscription can replay them (10 minutes to 31 days). @default not kept (only subscriptions retain messages) */
  messageRetention?: Duration;
  /** Escape hatch to any field of the `gcp.pubsub.Topic`. */
  transform?: { topic?: Transform<gcp.pubsub.TopicArgs> };
}

/**
 * Checks a {@link Topic}'s args; components that declare a topic call it before declaring anything.
 * @returns the message retention in seconds, if set.
 * @param field - the args' path in the user's program, e.g. `Topic(requests)` or `StreamProcessor(stream)`
 * @throws InputError naming `<field>.<arg>`.
 */
export function checkTopicArgs(field: string, args: TopicArgs): number | undefined {
  checkTopicName(`${field}.topicName`, args.topicName);
  if (args.envName !== undefined) checkEnvName(`${field}.envName`, args.envName, "RESULT_TOPIC");
  const retention =
    args.messageRetention && toSecondsWithin(args.messageRetention, `${field}.messageRetention`, RETENTION_SECONDS, "use 10 minutes to 31 days");
  return retention;
}

/**
 * Checks a topic id (see `NAME_RULES.pubsub`).
 * @throws InputError naming `field` (the arg that holds the id, e.g. `StreamProcessor(stream).requestTopicName`).
 */
export function checkTopicName(field: string, topicName: string): void {
  if (!NAME_RULES.pubsub.pattern.test(topicName)) {
    throw new InputError(
      field,
      `"${topicName}" is not a valid topic id`,
      "use 3-255 lowercase letters, digits and hyphens, starting with a letter and not with goog",
    );
  }
}

/**
 * A Pub/Sub topic. Workloads publish through its link, {@link Topic.publish}: `roles/pubsub.publisher` on this
 * topic only, and the topic's id in `envName`. Messages published to a topic with no subscription are dropped
 * (src: https://cloud.google.com/pubsub/docs/subscriber), so every topic here gets a subscription from the
 * component that uses it.
 * @example
 * ```ts
 * import { CloudRunService, environmentPolicy, Topic } from "./components";
 *
 * const results = new Topic("results", { topicName: "dev-results", envName: "RESULT_TOPIC", messageRetention: "1 day" });
 * new CloudRunService("worker", {
 *   serviceName: "dev-worker",
 *   location: "europe-west1",
 *   image: "europe-west1-docker.pkg.dev/my-project/images/worker@sha256:<digest>",
 *   serviceAccount: { accountId: "dev-worker", displayName: "Worker" },
 *   links: [results.publish],
 *   policy: environmentPolicy(false),
 * });
 * ```
 */
export class Topic extends PipelineComponent {
  /** Full id, `projects/<project>/topics/<name>`: what publishers, subscriptions and notifications take. */
  public readonly id: pulumi.Output<string>;
  /** The topic's short name. */
  public readonly name: pulumi.Output<string>;
  private readonly componentName: string;
  private readonly envName?: string;

  constructor(name: string, args: TopicArgs, opts?: pulumi.ComponentResourceOptions) {
    const retention = checkTopicArgs(`Topic(${name})`, args);
    super("pipelines:gcp:Topic", name, opts);
    this.componentName = name;
    this.envName = args.envName;
    const topic = new gcp.pubsub.Topic(
      childName(name, "topic"),
      applyTransform<gcp.pubsub.TopicArgs>(
        { name: args.topicName, ...(retention !== undefined && { messageRetentionDuration: durationString(retention) }) },
        args.transform?.topic,
      ),
      this.child(),
    );
    this.id = topic.id;
    this.name = topic.name;
    this.registerOutputs({ id: this.id, name: this.name });
  }

  /** Publish access: `roles/pubsub.publisher` on this topic, and the topic's id in `envName` (if set). */
  public get publish(): Link {
    const topic = this.id;
    const grant: Grant = {
      key: `${this.componentName}-publisher`,
      role: TOPIC_PUBLISH_ROLE,
      scope: `topic ${this.componentName}`,
      bind: (name, member, opts) => new gcp.pubsub.TopicIAMMember(name, { topic, role: TOPIC_PUBLISH_ROLE, member }, opts),
    };
    return { env: this.envName !== undefined ? { [this.envName]: topic } : {}, grants: [grant] };
  }
}
