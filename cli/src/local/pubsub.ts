import { PubSub } from "@google-cloud/pubsub";
import { LocalPlan, PlannedSubscription } from "./plan";

/** gRPC status ALREADY_EXISTS. */
const ALREADY_EXISTS = 6;

/** Seconds of a duration string of the plan, `"604800s"` → 604800. */
const seconds = (duration: string) => ({ seconds: Number(duration.replace(/s$/, "")) });

/** What {@link applyPlan} did, for the log and the tests. */
export interface Applied {
  /** Full topic ids. */
  readonly topics: readonly string[];
  /** Subscription names, with the local push endpoint where there is one. */
  readonly subscriptions: readonly { readonly name: string; readonly pushEndpoint?: string }[];
  /** Push subscriptions left out: their service is not running here. */
  readonly skipped: readonly string[];
}

/**
 * Creates the plan's topics and subscriptions on the emulator, with the plan's settings: ack deadline, message
 * retention, retry policy, dead-letter policy and max delivery attempts, filter; expiration never (the plan's
 * `ttl: ""`). A push subscription's endpoint is the plan's with the service's URL replaced by where that service
 * runs here (`endpoints`: plan URL → local URL); one whose service is not running here is left out. A subscription
 * that already exists (an emulator reused through `PUBSUB_EMULATOR_HOST`) is deleted and created again, so its
 * settings and endpoint are the plan's.
 *
 * The emulator honours dead-letter policies for push subscriptions: checked against emulator 0.8.20 (a push
 * answered 422 five times went to the dead-letter topic with `CloudPubSubDeadLetterSourceDeliveryCount: 5`). No
 * document of Google's says so; the emulator warns that its "implementation may be incomplete or differ from the
 * real system". The emulator does not send the push's OIDC token (`pushConfig.oidcToken` is not set here).
 * @param retryBackoff - replaces the plan's retry backoff (both bounds), e.g. `"1s"`, for tests that wait for a
 *   message to be dead-lettered; the number of attempts stays the plan's.
 * @example
 * const pubsub = new PubSub({ projectId: plan.project, apiEndpoint: "127.0.0.1:8085", emulatorMode: true });
 * await applyPlan(pubsub, plan, new Map([["https://dev-scorer-….run.app", "http://127.0.0.1:8080"]]));
 */
export async function applyPlan(pubsub: PubSub, plan: LocalPlan, endpoints: ReadonlyMap<string, string>, retryBackoff?: string): Promise<Applied> {
  for (const topic of plan.topics) {
    const retention = topic.messageRetentionDuration && { messageRetentionDuration: seconds(topic.messageRetentionDuration) };
    await pubsub.createTopic({ name: topic.id, ...retention }).catch(ignore(ALREADY_EXISTS));
  }
  const created: { name: string; pushEndpoint?: string }[] = [];
  const skipped: string[] = [];
  for (const sub of plan.subscriptions) {
    const pushEndpoint = sub.pushEndpoint === undefined ? undefined : localEndpoint(sub.pushEndpoint, endpoints);
    if (sub.pushEndpoint !== undefined && pushEndpoint === undefined) {
      skipped.push(sub.name);
      continue;
    }
    const subscription = pubsub.subscription(sub.name);
    const [exists] = await subscription.exists();
    if (exists) await subscription.delete();
    await pubsub.topic(sub.topic).createSubscription(sub.name, subscriptionOptions(sub, pushEndpoint, retryBackoff));
    created.push({ name: sub.name, ...(pushEndpoint && { pushEndpoint }) });
  }
  return { topics: plan.topics.map((t) => t.id), subscriptions: created, skipped };
}

/** The emulator's CreateSubscription options for a planned subscription. */
export function subscriptionOptions(sub: PlannedSubscription, pushEndpoint: string | undefined, retryBackoff?: string) {
  const retry = retryBackoff ? { minimumBackoff: retryBackoff, maximumBackoff: retryBackoff } : sub.retryPolicy;
  return {
    ...(sub.ackDeadlineSeconds !== undefined && { ackDeadlineSeconds: sub.ackDeadlineSeconds }),
    ...(sub.messageRetentionDuration !== undefined && { messageRetentionDuration: seconds(sub.messageRetentionDuration) }),
    ...(retry && {
      retryPolicy: {
        ...(retry.minimumBackoff && { minimumBackoff: seconds(retry.minimumBackoff) }),
        ...(retry.maximumBackoff && { maximumBackoff: seconds(retry.maximumBackoff) }),
      },
    }),
    ...(sub.deadLetterPolicy && { deadLetterPolicy: { ...sub.deadLetterPolicy } }),
    ...(sub.filter !== undefined && { filter: sub.filter }),
    ...(pushEndpoint && { pushConfig: { pushEndpoint } }),
  };
}

/** The local push endpoint for a planned one, or undefined when its service is not running here. */
export function localEndpoint(planned: string, endpoints: ReadonlyMap<string, string>): string | undefined {
  for (const [cloud, local] of endpoints) {
    if (planned === cloud || planned.startsWith(`${cloud}/`)) return `${local}${planned.slice(cloud.length)}`;
  }
  return undefined;
}

function ignore(code: number) {
  return (err: Error & { code?: number }) => {
    if (err.code !== code) throw err;
  };
}
