import { expect } from "chai";
import { CloudRunService } from "../../components/cloud-run-service";
import { DEAD_LETTER_SUBSCRIBER_ROLE, pubsubServiceAgent, PushSubscription, PushSubscriptionArgs } from "../../components/push-subscription";
import { Topic } from "../../components/topic";
import { projectNumber } from "../../cli/src/preview/mock-runtime";
import { promiseOf, registered, useMockRuntime } from "../helpers/pulumi";
import { declareBeforeEach, isIamMember, itRejects, PUBSUB_AGENT, RUN_INVOKER, serviceArgs, SUB_MEMBER, SUBSCRIPTION, TOPIC, TOPIC_MEMBER } from "./fixtures";
import { pushSubscriptionInputs } from "../helpers/push-subscription";

const URI = `https://dev-scorer-${projectNumber("test-project")}.europe-west1.run.app`;
const INVOKER_EMAIL = "dev-scorer-push@test-project.iam.gserviceaccount.com";
/** Where the push goes, and who pushes. */
const PUSH_TARGET = { project: "test-project", serviceUri: URI, invokerEmail: INVOKER_EMAIL };
const SERVICE_IDENTITY = "gcp:projects/serviceIdentity:ServiceIdentity";

describe("PushSubscription", () => {
  const recorder = useMockRuntime();
  let topic: Topic;
  let service: CloudRunService;
  const args = (overrides: Partial<PushSubscriptionArgs> = {}): PushSubscriptionArgs => ({
    subscriptionName: "dev-requests-push",
    topic,
    service,
    invoker: { accountId: "dev-scorer-push", displayName: "Pushes requests to the scorer" },
    ...overrides,
  });
  declareBeforeEach(recorder, () => {
    topic = new Topic("requests", { topicName: "dev-requests" });
    service = new CloudRunService("scorer", serviceArgs("dev-scorer"));
  });

  it("declares the push subscription exactly: endpoint uri + /, OIDC token of the invoker with the service uri as audience, 60 s ack, 10-600 s backoff, dead letter after 5, never expires, 7 days retention", async () => {
    const sub = new PushSubscription("push", args());
    await registered(recorder);
    expect(recorder.get(SUBSCRIPTION, "push-subscription").inputs).to.deep.equal(
      pushSubscriptionInputs({ name: "dev-requests-push", topic: "dev-requests", ackDeadlineSeconds: 60, maxDeliveryAttempts: 5 }, PUSH_TARGET),
    );
    expect(await promiseOf(sub.id)).to.equal("projects/test-project/subscriptions/dev-requests-push");
    expect(await promiseOf(sub.name)).to.equal("dev-requests-push");
    expect(await promiseOf(sub.deadLetterTopicId)).to.equal("projects/test-project/topics/dev-requests-push-dead-letter");
    expect(await promiseOf(sub.deadLetterSubscriptionName)).to.equal("dev-requests-push-dead-letter");
    expect(await promiseOf(sub.invokerEmail)).to.equal(INVOKER_EMAIL);
  });

  it("the caller's path, ack deadline, backoffs, attempts and retention", async () => {
    new PushSubscription(
      "push",
      args({
        path: "/push",
        ackDeadline: "5 minutes",
        retry: { minBackoff: "1 minute", maxBackoff: "5 minutes" },
        maxDeliveryAttempts: 100,
        messageRetention: "1 day",
      }),
    );
    await registered(recorder);
    expect(recorder.get(SUBSCRIPTION, "push-subscription").inputs).to.deep.include({
      ackDeadlineSeconds: 300,
      messageRetentionDuration: "86400s",
      retryPolicy: { minimumBackoff: "60s", maximumBackoff: "300s" },
      deadLetterPolicy: { deadLetterTopic: "projects/test-project/topics/dev-requests-push-dead-letter", maxDeliveryAttempts: 100 },
      pushConfig: { pushEndpoint: `${URI}/push`, oidcToken: { serviceAccountEmail: INVOKER_EMAIL, audience: URI } },
    });
    expect(recorder.get(SUBSCRIPTION, "push-dead-letter-subscription").inputs.messageRetentionDuration).to.equal("86400s");
  });

  it("a dead-letter topic named <sub>-dead-letter with its own pull subscription that never expires (forwarded messages are kept)", async () => {
    new PushSubscription("push", args());
    const resources = await registered(recorder);
    expect(recorder.get(TOPIC, "push-dead-letter-topic").inputs).to.deep.equal({ name: "dev-requests-push-dead-letter" });
    expect(recorder.get(SUBSCRIPTION, "push-dead-letter-subscription").inputs).to.deep.equal({
      name: "dev-requests-push-dead-letter",
      topic: "projects/test-project/topics/dev-requests-push-dead-letter",
      messageRetentionDuration: "604800s",
      expirationPolicy: { ttl: "" },
      ackDeadlineSeconds: 60,
    });
    expect(resources.filter((r) => r.type === TOPIC).map((r) => r.name)).to.deep.equal(["push-dead-letter-topic"]);
    expect(resources.filter((r) => r.type === SUBSCRIPTION).map((r) => r.name)).to.have.members(["push-dead-letter-subscription", "push-subscription"]);
  });

  it("exact IAM: the invoker may call this service only; the Pub/Sub agent may publish to the dead-letter topic and subscribe to the push subscription; nothing else", async () => {
    expect(DEAD_LETTER_SUBSCRIBER_ROLE).to.equal("roles/pubsub.subscriber");
    new PushSubscription("push", args());
    const resources = await registered(recorder);
    const members = resources.filter((r) => isIamMember(r.type));
    expect(members.map((m) => [m.type, m.name, m.inputs])).to.have.deep.members([
      [
        RUN_INVOKER,
        "push-invoker-run-invoker",
        { name: "dev-scorer", location: "europe-west1", project: "test-project", role: "roles/run.invoker", member: `serviceAccount:${INVOKER_EMAIL}` },
      ],
      [
        TOPIC_MEMBER,
        "push-dead-letter-agent-publisher",
        { topic: "projects/test-project/topics/dev-requests-push-dead-letter", role: "roles/pubsub.publisher", member: PUBSUB_AGENT },
      ],
      [SUB_MEMBER, "push-dead-letter-agent-subscriber", { subscription: "dev-requests-push", role: "roles/pubsub.subscriber", member: PUBSUB_AGENT }],
    ]);
    expect(members).to.have.length(3);
    expect(JSON.stringify(resources.map((r) => r.inputs))).not.to.match(/allUsers|allAuthenticatedUsers/);
  });

  it("the push subscription waits for the invoker grant and the dead-letter publisher grant (the first push and the first failure must succeed)", async () => {
    new PushSubscription("push", args());
    await registered(recorder);
    const deps = recorder.get(SUBSCRIPTION, "push-subscription").dependencies;
    expect(deps).to.include(recorder.get(RUN_INVOKER, "push-invoker-run-invoker").urn);
    expect(deps).to.include(recorder.get(TOPIC_MEMBER, "push-dead-letter-agent-publisher").urn);
  });

  it("the Pub/Sub service agent is made to exist (a ServiceIdentity) before either grant binds it (an agent that does not exist cannot be granted)", async () => {
    new PushSubscription("push", args());
    const resources = await registered(recorder);
    const identities = resources.filter((r) => r.type === SERVICE_IDENTITY);
    expect(identities.map((r) => [r.name, r.inputs])).to.deep.equal([["push-pubsub-agent", { project: "test-project", service: "pubsub.googleapis.com" }]]);
    for (const grant of [recorder.get(TOPIC_MEMBER, "push-dead-letter-agent-publisher"), recorder.get(SUB_MEMBER, "push-dead-letter-agent-subscriber")]) {
      expect(grant.dependencies, grant.name).to.include(identities[0].urn);
      expect(grant.inputs.member).to.equal(PUBSUB_AGENT);
    }
  });

  it("the agent's member is the ServiceIdentity's; the documented form only where the API returned no email", () => {
    const fromIdentity = "serviceAccount:service-42@gcp-sa-pubsub.iam.gserviceaccount.com";
    expect(pubsubServiceAgent(fromIdentity, "7")).to.equal(fromIdentity);
    expect(pubsubServiceAgent(undefined, "7")).to.equal("serviceAccount:service-7@gcp-sa-pubsub.iam.gserviceaccount.com");
    expect(pubsubServiceAgent("serviceAccount:", "7")).to.equal("serviceAccount:service-7@gcp-sa-pubsub.iam.gserviceaccount.com");
  });

  it("an existing invoker account: nothing created, the token and the grant are for that account", async () => {
    const email = "pusher@test-project.iam.gserviceaccount.com";
    new PushSubscription("push", args({ invoker: { email } }));
    const resources = await registered(recorder);
    expect(resources.filter((r) => r.type === "gcp:serviceaccount/account:Account")).to.deep.equal([]);
    expect((recorder.get(SUBSCRIPTION, "push-subscription").inputs.pushConfig as { oidcToken: unknown }).oidcToken).to.deep.equal({
      serviceAccountEmail: email,
      audience: URI,
    });
    expect(recorder.get(RUN_INVOKER, "push-invoker-run-invoker").inputs.member).to.equal(`serviceAccount:${email}`);
  });

  const invalid: [string, Partial<PushSubscriptionArgs>, RegExp][] = [
    ["4 delivery attempts", { maxDeliveryAttempts: 4 }, /^PushSubscription\(p\)\.maxDeliveryAttempts: 4 is out of range; use a whole number from 5 to 100$/],
    [
      "101 delivery attempts",
      { maxDeliveryAttempts: 101 },
      /^PushSubscription\(p\)\.maxDeliveryAttempts: 101 is out of range; use a whole number from 5 to 100$/,
    ],
    ["a 5-second ack deadline", { ackDeadline: "5 seconds" }, /^PushSubscription\(p\)\.ackDeadline: "5 seconds" is out of range; use 10 to 600 seconds$/],
    ["an 11-minute ack deadline", { ackDeadline: "11 minutes" }, /^PushSubscription\(p\)\.ackDeadline: "11 minutes" is out of range/],
    ["a path without a leading slash", { path: "push" }, /^PushSubscription\(p\)\.path: "push" does not start with \//],
    ["a max backoff over 600 s", { retry: { maxBackoff: "11 minutes" } }, /^PushSubscription\(p\)\.retry: minBackoff 10s, maxBackoff 660s/],
    [
      "min backoff above max backoff",
      { retry: { minBackoff: "2 minutes", maxBackoff: "1 minute" } },
      /^PushSubscription\(p\)\.retry: minBackoff 120s, maxBackoff 60s/,
    ],
    ["an 8-day retention", { messageRetention: "8 days" }, /^PushSubscription\(p\)\.messageRetention: "8 days" is out of range; use 10 minutes to 7 days$/],
    ["an upper-case subscription id", { subscriptionName: "Dev-Push" }, /^PushSubscription\(p\)\.subscriptionName: "Dev-Push" is not a valid subscription id/],
    [
      "a subscription id too long for its dead-letter topic",
      { subscriptionName: "a".repeat(244) },
      /^PushSubscription\(p\)\.subscriptionName: "a{244}" is not a valid subscription id/,
    ],
    [
      "the Compute default account as invoker",
      { invoker: { email: "1-compute@developer.gserviceaccount.com" } },
      /^PushSubscription\(p\)\.invoker\.email: "1-compute@developer\.gserviceaccount\.com" is a default service account/,
    ],
  ];
  itRejects(recorder, invalid, (overrides) => new PushSubscription("p", args(overrides)));
});
