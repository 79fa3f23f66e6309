import { expect } from "chai";
import { CloudRunJobArgs } from "../../components/cloud-run-job";
import { CloudRunServiceArgs } from "../../components/cloud-run-service";
import { projectNumber, RecordedResource, ResourceRecorder } from "../../cli/src/preview/mock-runtime";
import { CLOUD, DEV, errorOf, registered } from "../helpers/pulumi";

// What the component tests share: the resource types they look children up by, the members and args they build
// from, how they read a recorded job's or service's container, and their setup and bad-input steps.

export const ACCOUNT = "gcp:serviceaccount/account:Account";
export const JOB = "gcp:cloudrunv2/job:Job";
export const JOB_MEMBER = "gcp:cloudrunv2/jobIamMember:JobIamMember";
export const SERVICE = "gcp:cloudrunv2/service:Service";
export const RUN_INVOKER = "gcp:cloudrunv2/serviceIamMember:ServiceIamMember";
export const SCHEDULER = "gcp:cloudscheduler/job:Job";
export const TOPIC = "gcp:pubsub/topic:Topic";
export const TOPIC_MEMBER = "gcp:pubsub/topicIAMMember:TopicIAMMember";
export const SUBSCRIPTION = "gcp:pubsub/subscription:Subscription";
export const SUB_MEMBER = "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember";

/** The test project's Pub/Sub service agent, as an IAM member (its number is the mock runtime's). */
export const PUBSUB_AGENT = `serviceAccount:service-${projectNumber(CLOUD.project)}@gcp-sa-pubsub.iam.gserviceaccount.com`;

/** Whether a resource type is a non-authoritative IAM member (the providers spell it `IamMember` or `IAMMember`). */
export const isIamMember = (type: string) => /IamMember|IAMMember/.test(type);

/** A job's args with only what the component requires: a placeholder image, its own account named like the job, dev's policy. */
export const jobArgs = (jobName: string, overrides: Partial<CloudRunJobArgs> = {}): CloudRunJobArgs => ({
  jobName,
  location: CLOUD.region,
  image: "img@sha256:0",
  serviceAccount: { accountId: jobName, displayName: "x" },
  policy: DEV,
  ...overrides,
});

/** A service's args with only what the component requires, as {@link jobArgs}. */
export const serviceArgs = (serviceName: string, overrides: Partial<CloudRunServiceArgs> = {}): CloudRunServiceArgs => ({
  serviceName,
  location: CLOUD.region,
  image: "img@sha256:0",
  serviceAccount: { accountId: serviceName, displayName: "x" },
  policy: DEV,
  ...overrides,
});

/** A container as a recorded job or service declares it. */
export interface RecordedContainer {
  image: string;
  commands?: string[];
  args?: string[];
  envs: unknown[];
  resources: unknown;
}

/** The container of a recorded `gcp.cloudrunv2.Job` (its task template's only one). */
export const jobContainer = (job: RecordedResource): RecordedContainer =>
  (job.inputs.template as { template: { containers: RecordedContainer[] } }).template.containers[0];

/** The container of a recorded `gcp.cloudrunv2.Service` (its revision template's only one). */
export const serviceContainer = (service: RecordedResource): RecordedContainer =>
  (service.inputs.template as { containers: RecordedContainer[] }).containers[0];

/**
 * Call inside a `describe`: before each test, declares what the component under test needs (`declare`, e.g. the
 * service a trigger pushes to), waits for it, and forgets it, so that each test sees only what it declares itself.
 */
export function declareBeforeEach(recorder: ResourceRecorder, declare: () => void): void {
  beforeEach(async () => {
    declare();
    await registered(recorder);
    recorder.clear();
  });
}

/**
 * Call inside a `describe`: one test per case `[what, input, message]`, in which `declare(input)` throws synchronously
 * an error matching `message` and nothing was declared (every registration answered, none recorded).
 */
export function itRejects<T>(recorder: ResourceRecorder, cases: readonly (readonly [string, T, RegExp])[], declare: (input: T) => unknown): void {
  for (const [what, input, message] of cases) {
    it(`rejects ${what}, declaring nothing`, async () => {
      expect(errorOf(() => declare(input))).to.match(message);
      expect(await registered(recorder)).to.deep.equal([]);
    });
  }
}
