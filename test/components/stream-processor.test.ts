import { expect } from "chai";
import { RESULT_SUBSCRIBER_ROLE, RESULT_TOPIC_ENV, StreamProcessor, StreamProcessorArgs } from "../../components/stream-processor";
import { shortHash } from "../../components/shared/naming";
import { projectNumber } from "../../cli/src/preview/mock-runtime";
import { promiseOf, registered, useMockRuntime } from "../helpers/pulumi";
import { isIamMember, itRejects, PUBSUB_AGENT, RUN_INVOKER, SERVICE, serviceArgs, serviceContainer, SUB_MEMBER, SUBSCRIPTION, TOPIC_MEMBER } from "./fixtures";

const REQUESTS = "projects/test-project/topics/dev-requests";
const RESULTS = "projects/test-project/topics/dev-results";
const SERVICE_MEMBER = "serviceAccount:dev-scorer@test-project.iam.gserviceaccount.com";
const INVOKER_MEMBER = "serviceAccount:dev-scorer-push@test-project.iam.gserviceaccount.com";
const CLIENT = "serviceAccount:backend@test-project.iam.gserviceaccount.com";

const args = (overrides: Partial<StreamProcessorArgs> = {}): StreamProcessorArgs => ({
  requestTopicName: "dev-requests",
  resultTopicName: "dev-results",
  service: serviceArgs("dev-scorer"),
  push: { subscriptionName: "dev-requests-push", invoker: { accountId: "dev-scorer-push", displayName: "Pushes requests" } },
  resultSubscriptions: { backend: { subscriptionName: "dev-results-backend" } },
  ...overrides,
});

describe("StreamProcessor", () => {
  const recorder = useMockRuntime();

  it("the service's account may publish to the result topic only (nothing on the request topic), and RESULT_TOPIC is the result topic's id", async () => {
    expect(RESULT_TOPIC_ENV).to.equal("RESULT_TOPIC");
    const stream = new StreamProcessor("stream", args());
    const resources = await registered(recorder);
    const serviceMembers = resources.filter((r) => isIamMember(r.type) && r.inputs.member === SERVICE_MEMBER);
    expect(serviceMembers.map((m) => [m.type, m.inputs])).to.deep.equal([
      [TOPIC_MEMBER, { topic: RESULTS, role: "roles/pubsub.publisher", member: SERVICE_MEMBER }],
    ]);
    expect(resources.filter((r) => r.inputs.topic === REQUESTS && isIamMember(r.type))).to.deep.equal([]);
    const service = recorder.get(SERVICE, "stream-service-service");
    expect(serviceContainer(service).envs).to.deep.equal([
      { name: "PUBLISH_DEADLINE_SECONDS", value: "30" },
      { name: "RESULT_TOPIC", value: RESULTS },
    ]);
    expect(service.dependencies).to.include(serviceMembers[0].urn);
    expect(await promiseOf(stream.requestTopicId)).to.equal(REQUESTS);
    expect(await promiseOf(stream.resultTopicId)).to.equal(RESULTS);
    expect(await promiseOf(stream.pushSubscriptionName)).to.equal("dev-requests-push");
    expect(await promiseOf(stream.deadLetterSubscriptionName)).to.equal("dev-requests-push-dead-letter");
  });

  it("the service's own env and links are kept next to RESULT_TOPIC, sorted", async () => {
    new StreamProcessor("stream", args({ service: { ...args().service, env: { MODEL: "v2", A_FLAG: "1" } } }));
    await registered(recorder);
    const envs = serviceContainer(recorder.get(SERVICE, "stream-service-service")).envs;
    expect(envs).to.deep.equal([
      { name: "A_FLAG", value: "1" },
      { name: "MODEL", value: "v2" },
      { name: "PUBLISH_DEADLINE_SECONDS", value: "30" },
      { name: "RESULT_TOPIC", value: RESULTS },
    ]);
  });

  it("requests are pushed from the request topic to the service", async () => {
    new StreamProcessor("stream", args());
    await registered(recorder);
    const push = recorder.get(SUBSCRIPTION, "stream-push-subscription").inputs as { topic: string; name: string; pushConfig: { pushEndpoint: string } };
    expect(push.topic).to.equal(REQUESTS);
    expect(push.name).to.equal("dev-requests-push");
    expect(push.pushConfig.pushEndpoint).to.equal(`https://dev-scorer-${projectNumber("test-project")}.europe-west1.run.app/`);
  });

  it("result subscriptions: pull (no push config) on the result topic, filter when given, 30 s ack and 1 day retention by default, never expire", async () => {
    const stream = new StreamProcessor(
      "stream",
      args({
        resultSubscriptions: {
          backend: { subscriptionName: "dev-results-backend", filter: 'attributes.tenant = "acme"' },
          audit: { subscriptionName: "dev-results-audit", ackDeadline: "1 minute", messageRetention: "7 days" },
        },
      }),
    );
    await registered(recorder);
    expect(recorder.get(SUBSCRIPTION, "stream-results-backend").inputs).to.deep.equal({
      name: "dev-results-backend",
      topic: RESULTS,
      ackDeadlineSeconds: 30,
      messageRetentionDuration: "86400s",
      expirationPolicy: { ttl: "" },
      filter: 'attributes.tenant = "acme"',
    });
    expect(recorder.get(SUBSCRIPTION, "stream-results-audit").inputs).to.deep.equal({
      name: "dev-results-audit",
      topic: RESULTS,
      ackDeadlineSeconds: 60,
      messageRetentionDuration: "604800s",
      expirationPolicy: { ttl: "" },
    });
    expect(Object.keys(stream.resultSubscriptionIds)).to.deep.equal(["backend", "audit"]);
    expect(await promiseOf(stream.resultSubscriptionIds.backend)).to.equal("projects/test-project/subscriptions/dev-results-backend");
  });

  it("clients: publisher on the request topic and subscriber on each result subscription, once per client; the full IAM set is exactly that plus the push wiring", async () => {
    expect(RESULT_SUBSCRIBER_ROLE).to.equal("roles/pubsub.subscriber");
    new StreamProcessor(
      "stream",
      args({
        clients: [CLIENT, CLIENT],
        resultSubscriptions: { backend: { subscriptionName: "dev-results-backend" }, audit: { subscriptionName: "dev-results-audit" } },
      }),
    );
    const resources = await registered(recorder);
    const members = resources.filter((r) => isIamMember(r.type));
    expect(members.map((m) => [m.type, m.inputs])).to.have.deep.members([
      [TOPIC_MEMBER, { topic: REQUESTS, role: "roles/pubsub.publisher", member: CLIENT }],
      [SUB_MEMBER, { subscription: "dev-results-backend", role: "roles/pubsub.subscriber", member: CLIENT }],
      [SUB_MEMBER, { subscription: "dev-results-audit", role: "roles/pubsub.subscriber", member: CLIENT }],
      [TOPIC_MEMBER, { topic: RESULTS, role: "roles/pubsub.publisher", member: SERVICE_MEMBER }],
      [RUN_INVOKER, { name: "dev-scorer", location: "europe-west1", project: "test-project", role: "roles/run.invoker", member: INVOKER_MEMBER }],
      [TOPIC_MEMBER, { topic: "projects/test-project/topics/dev-requests-push-dead-letter", role: "roles/pubsub.publisher", member: PUBSUB_AGENT }],
      [SUB_MEMBER, { subscription: "dev-requests-push", role: "roles/pubsub.subscriber", member: PUBSUB_AGENT }],
    ]);
    expect(members).to.have.length(7);
    expect(recorder.get(TOPIC_MEMBER, `stream-requests-client-${shortHash(CLIENT)}`).inputs.member).to.equal(CLIENT);
    expect(JSON.stringify(resources.map((r) => r.inputs))).not.to.match(/allUsers|allAuthenticatedUsers/);
  });

  const invalid: [string, Partial<StreamProcessorArgs>, RegExp][] = [
    [
      "the same request and result topic",
      { resultTopicName: "dev-requests" },
      /^StreamProcessor\(s\)\.resultTopicName: "dev-requests" is also the request topic/,
    ],
    ["no result subscription", { resultSubscriptions: {} }, /^StreamProcessor\(s\)\.resultSubscriptions: is empty/],
    [
      "RESULT_TOPIC in the service's env",
      { service: { ...args().service, env: { RESULT_TOPIC: "x" } } },
      /^StreamProcessor\(s\)\.service\.env: RESULT_TOPIC is set by the stream processor/,
    ],
    [
      "PUBLISH_DEADLINE_SECONDS in the service's env",
      { service: { ...args().service, env: { PUBLISH_DEADLINE_SECONDS: "90" } } },
      /^StreamProcessor\(s\)\.service\.env: PUBLISH_DEADLINE_SECONDS is set by the stream processor/,
    ],
    ["allUsers as a client", { clients: ["allUsers"] }, /^StreamProcessor\(s\)\.clients: "allUsers" is not an IAM member this stack grants access to/],
    [
      "an invalid result subscription id",
      { resultSubscriptions: { backend: { subscriptionName: "Backend" } } },
      /^StreamProcessor\(s\)\.resultSubscriptions\.backend\.subscriptionName: "Backend" is not a valid subscription id/,
    ],
    [
      "a 5-second result ack deadline",
      { resultSubscriptions: { backend: { subscriptionName: "dev-results-backend", ackDeadline: "5 seconds" } } },
      /^StreamProcessor\(s\)\.resultSubscriptions\.backend\.ackDeadline: "5 seconds" is out of range/,
    ],
    // The service's and the push subscription's args are checked before the processor declares anything, not only
    // in their own constructors: nothing half-declared is left waiting.
    ["concurrency 0 for the service", { service: { ...args().service, concurrency: 0 } }, /^StreamProcessor\(s\)\.service\.concurrency: 0 is out of range/],
    ["an invalid request topic id", { requestTopicName: "Requests" }, /^StreamProcessor\(s\)\.requestTopicName: "Requests" is not a valid topic id/],
    [
      "an invalid service account id",
      { service: { ...args().service, serviceAccount: { accountId: "Svc", displayName: "s" } } },
      /^StreamProcessor\(s\)\.service\.serviceAccount\.accountId: "Svc" is not a valid account id/,
    ],
    [
      "4 delivery attempts for the push",
      { push: { ...args().push, maxDeliveryAttempts: 4 } },
      /^StreamProcessor\(s\)\.push\.maxDeliveryAttempts: 4 is out of range/,
    ],
  ];
  itRejects(recorder, invalid, (overrides) => new StreamProcessor("s", args(overrides)));
});
