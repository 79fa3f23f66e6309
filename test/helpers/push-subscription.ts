/**
 * The inputs PushSubscription declares for its push subscription `name` on the topic `topic` (a short name) of
 * `target.project`, pushing to `target.serviceUri` with `target.invokerEmail`'s OIDC token: what varies given, the policy
 * it fixes written once (7 days' retention, never expires, retries backing off from 10 s to 600 s, the dead-letter topic
 * `<name>-dead-letter`, the push to `<service uri>/` with the service URI as the token's audience).
 */
export const pushSubscriptionInputs = (
  subscription: { name: string; topic: string; ackDeadlineSeconds: number; maxDeliveryAttempts: number },
  target: { project: string; serviceUri: string; invokerEmail: string },
) => ({
  name: subscription.name,
  topic: `projects/${target.project}/topics/${subscription.topic}`,
  ackDeadlineSeconds: subscription.ackDeadlineSeconds,
  messageRetentionDuration: "604800s",
  expirationPolicy: { ttl: "" },
  retryPolicy: { minimumBackoff: "10s", maximumBackoff: "600s" },
  deadLetterPolicy: {
    deadLetterTopic: `projects/${target.project}/topics/${subscription.name}-dead-letter`,
    maxDeliveryAttempts: subscription.maxDeliveryAttempts,
  },
  pushConfig: { pushEndpoint: `${target.serviceUri}/`, oidcToken: { serviceAccountEmail: target.invokerEmail, audience: target.serviceUri } },
});
