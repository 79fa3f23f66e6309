import { expect } from "chai";
import { Bucket } from "../../components/bucket";
import { BucketTrigger, BucketTriggerArgs } from "../../components/bucket-trigger";
import { CloudRunService } from "../../components/cloud-run-service";
import { projectNumber } from "../../cli/src/preview/mock-runtime";
import { DEV, promiseOf, registered, useMockRuntime } from "../helpers/pulumi";
import { declareBeforeEach, isIamMember, itRejects, PUBSUB_AGENT, RUN_INVOKER, serviceArgs, SUB_MEMBER, SUBSCRIPTION, TOPIC, TOPIC_MEMBER } from "./fixtures";
import { pushSubscriptionInputs } from "../helpers/push-subscription";

const NOTIFICATION = "gcp:storage/notification:Notification";
const PN = projectNumber("test-project");
const GCS_AGENT = `serviceAccount:service-${PN}@gs-project-accounts.iam.gserviceaccount.com`;
const INVOKER_EMAIL = "dev-ingest-push@test-project.iam.gserviceaccount.com";
const URI = `https://dev-ingest-${PN}.europe-west1.run.app`;
/** Where the push goes, and who pushes. */
const PUSH_TARGET = { project: "test-project", serviceUri: URI, invokerEmail: INVOKER_EMAIL };
/** The notification's inputs when no prefix is given. */
const NOTIFICATION_INPUTS = {
  bucket: "p-dev-raw",
  topic: "projects/test-project/topics/dev-raw-events",
  payloadFormat: "JSON_API_V1",
  eventTypes: ["OBJECT_FINALIZE"],
};

let bucket: Bucket;
let service: CloudRunService;
const args = (overrides: Partial<BucketTriggerArgs> = {}): BucketTriggerArgs => ({
  bucket,
  service,
  topicName: "dev-raw-events",
  push: { subscriptionName: "dev-raw-push", invoker: { accountId: "dev-ingest-push", displayName: "Pushes raw events" } },
  ...overrides,
});
const declareTargets = () => {
  bucket = new Bucket("raw", { bucketName: "p-dev-raw", location: "europe-west1", envName: "RAW_BUCKET", policy: DEV });
  service = new CloudRunService("ingest", serviceArgs("dev-ingest"));
};

describe("BucketTrigger", () => {
  const recorder = useMockRuntime();
  declareBeforeEach(recorder, declareTargets);

  it("declares the notification exactly: the bucket, the topic's id, JSON_API_V1, OBJECT_FINALIZE, no prefix unless given", async () => {
    const trigger = new BucketTrigger("raw-trigger", args());
    await registered(recorder);
    expect(recorder.get(NOTIFICATION, "raw-trigger-notification").inputs).to.deep.equal(NOTIFICATION_INPUTS);
    expect(recorder.get(TOPIC, "raw-trigger-notifications-topic").inputs).to.deep.equal({ name: "dev-raw-events" });
    expect(await promiseOf(trigger.topicId)).to.equal("projects/test-project/topics/dev-raw-events");
    expect(await promiseOf(trigger.pushSubscriptionName)).to.equal("dev-raw-push");
    expect(await promiseOf(trigger.deadLetterSubscriptionName)).to.equal("dev-raw-push-dead-letter");
  });

  it("an object name prefix goes into the notification", async () => {
    new BucketTrigger("raw-trigger", args({ objectNamePrefix: "incoming/" }));
    await registered(recorder);
    expect(recorder.get(NOTIFICATION, "raw-trigger-notification").inputs).to.deep.equal({ ...NOTIFICATION_INPUTS, objectNamePrefix: "incoming/" });
  });

  it("the GCS service agent may publish to the notification topic, and the notification waits for that grant and for the push subscription", async () => {
    new BucketTrigger("raw-trigger", args());
    await registered(recorder);
    const grant = recorder.get(TOPIC_MEMBER, "raw-trigger-gcs-agent-publisher");
    expect(grant.inputs).to.deep.equal({ topic: "projects/test-project/topics/dev-raw-events", role: "roles/pubsub.publisher", member: GCS_AGENT });
    const deps = recorder.get(NOTIFICATION, "raw-trigger-notification").dependencies;
    expect(deps).to.include(grant.urn);
    expect(deps).to.include(recorder.get(SUBSCRIPTION, "raw-trigger-push-subscription").urn);
  });

  it("pushes each notification to the service: push subscription on the notification topic with the invoker's OIDC token", async () => {
    new BucketTrigger(
      "raw-trigger",
      args({
        push: { subscriptionName: "dev-raw-push", invoker: { accountId: "dev-ingest-push", displayName: "Pushes raw events" }, ackDeadline: "2 minutes" },
      }),
    );
    await registered(recorder);
    expect(recorder.get(SUBSCRIPTION, "raw-trigger-push-subscription").inputs).to.deep.equal(
      pushSubscriptionInputs({ name: "dev-raw-push", topic: "dev-raw-events", ackDeadlineSeconds: 120, maxDeliveryAttempts: 5 }, PUSH_TARGET),
    );
  });

  it("the whole set of IAM members is exactly: GCS agent publisher on the topic, invoker on the service, Pub/Sub agent publisher on the DLQ and subscriber on the push subscription; nothing public", async () => {
    new BucketTrigger("raw-trigger", args());
    const resources = await registered(recorder);
    const members = resources.filter((r) => isIamMember(r.type));
    expect(members.map((m) => [m.type, m.inputs])).to.have.deep.members([
      [TOPIC_MEMBER, { topic: "projects/test-project/topics/dev-raw-events", role: "roles/pubsub.publisher", member: GCS_AGENT }],
      [
        RUN_INVOKER,
        { name: "dev-ingest", location: "europe-west1", project: "test-project", role: "roles/run.invoker", member: `serviceAccount:${INVOKER_EMAIL}` },
      ],
      [TOPIC_MEMBER, { topic: "projects/test-project/topics/dev-raw-push-dead-letter", role: "roles/pubsub.publisher", member: PUBSUB_AGENT }],
      [SUB_MEMBER, { subscription: "dev-raw-push", role: "roles/pubsub.subscriber", member: PUBSUB_AGENT }],
    ]);
    expect(members).to.have.length(4);
    expect(JSON.stringify(resources.map((r) => r.inputs))).not.to.match(/allUsers|allAuthenticatedUsers/);
  });

  // The push subscription's and the topic's args are checked before the trigger declares anything, not only in their
  // own constructors: nothing half-declared is left waiting.
  const invalid: [string, Partial<BucketTriggerArgs>, RegExp][] = [
    ["an empty prefix", { objectNamePrefix: "" }, /^BucketTrigger\(t\)\.objectNamePrefix: "" is not an object name prefix/],
    ["a prefix with a leading slash", { objectNamePrefix: "/incoming/" }, /^BucketTrigger\(t\)\.objectNamePrefix: "\/incoming\/" is not an object name prefix/],
    [
      "4 delivery attempts",
      { push: { subscriptionName: "dev-raw-push", invoker: { accountId: "dev-ingest-push", displayName: "p" }, maxDeliveryAttempts: 4 } },
      /^BucketTrigger\(t\)\.push\.maxDeliveryAttempts: 4 is out of range/,
    ],
    [
      "an invalid invoker account id",
      { push: { subscriptionName: "dev-raw-push", invoker: { accountId: "Push", displayName: "p" } } },
      /^BucketTrigger\(t\)\.push\.invoker\.accountId: "Push" is not a valid account id/,
    ],
    ["an invalid topic id", { topicName: "Raw-Events" }, /^BucketTrigger\(t\)\.topicName: "Raw-Events" is not a valid topic id/],
  ];
  itRejects(recorder, invalid, (overrides) => new BucketTrigger("t", args(overrides)));
});
