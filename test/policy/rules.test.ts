import { expect } from "chai";
import { stringify } from "yaml";
import { configFromPulumi } from "../../config";
import { RecordedResource } from "../../cli/src/preview/mock-runtime";
import { ALLOWED_PROJECT_ROLES, findingText, findViolations, protectsData, RULES, RuleContext, violationText } from "../../cli/src/preview/rules";

/** Every violation of every rule as the preview prints it (`<rule id>: <type> <name> <message>`). */
const violations = (resources: Parameters<typeof findViolations>[0], context: RuleContext) => findViolations(resources, context).map(violationText);
import { readStackConfig } from "../../cli/src/preview/run-program";
import { planOf, recordedResource } from "../helpers/plan";

const PROVIDER_URN = "urn:pulumi:t::p::pulumi:providers:gcp::gcp";

/** A recorded resource for rule fixtures, under the fixture's gcp provider. */
const fake = (type: string, name: string, inputs: Record<string, unknown>, extra: Partial<RecordedResource> = {}): RecordedResource =>
  recordedResource(type, name, inputs, { urn: `urn:pulumi:t::p::${type}::${name}`, provider: `${PROVIDER_URN}::id`, ...extra });
const provider = fake(
  "pulumi:providers:gcp",
  "gcp",
  { defaultLabels: JSON.stringify({ app: "a", stack: "t", "managed-by": "pulumi" }) },
  { urn: PROVIDER_URN, provider: undefined },
);
const job = (name: string, serviceAccount: string | undefined, deletionProtection = false) =>
  fake("gcp:cloudrunv2/job:Job", name, { deletionProtection, template: { template: { serviceAccount } } });
const bucket = (inputs: Record<string, unknown>, protect = false) =>
  fake("gcp:storage/bucket:Bucket", "b", { uniformBucketLevelAccess: true, publicAccessPrevention: "enforced", forceDestroy: true, ...inputs }, { protect });
const service = (name: string, serviceAccount: string) =>
  fake("gcp:cloudrunv2/service:Service", name, { deletionProtection: false, template: { serviceAccount } });
const workflow = (call: Record<string, unknown>) =>
  fake("gcp:workflows/workflow:Workflow", "w", {
    serviceAccount: "w@p.iam.gserviceaccount.com",
    sourceContents: stringify({ main: { steps: [{ start: { call: "http.post", args: call, result: "r" } }] } }),
  });
const scheduler = (httpTarget: Record<string, unknown>) => fake("gcp:cloudscheduler/job:Job", "s", { httpTarget });
const DEV = { protectData: false };
const PROD = { protectData: true };

/** Per rule: a plan that complies and one that does not, with the violation expected. */
const FIXTURES: Record<string, { context: typeof DEV; passing: RecordedResource[]; failing: RecordedResource[]; expected: string }> = {
  "no-public-access": {
    context: DEV,
    passing: [fake("gcp:storage/bucketIAMMember:BucketIAMMember", "m", { role: "roles/storage.objectViewer", member: "group:g@example.com" })],
    failing: [fake("gcp:storage/bucketIAMMember:BucketIAMMember", "m", { role: "roles/storage.objectViewer", member: "allUsers" })],
    expected: "no-public-access: gcp:storage/bucketIAMMember:BucketIAMMember m grants access to a public member",
  },
  "no-domain-wide-access": {
    context: DEV,
    passing: [fake("gcp:cloudrunv2/jobIamMember:JobIamMember", "m", { role: "roles/run.invoker", member: "group:data-eng@example.com" })],
    failing: [fake("gcp:cloudrunv2/jobIamMember:JobIamMember", "m", { role: "roles/run.invoker", member: "domain:example.com" })],
    expected: "no-domain-wide-access: gcp:cloudrunv2/jobIamMember:JobIamMember m grants access to a whole domain (domain:example.com)",
  },
  "no-primitive-roles": {
    context: DEV,
    passing: [fake("gcp:projects/iAMMember:IAMMember", "m", { role: "roles/bigquery.jobUser", member: "user:a@example.com" })],
    failing: [fake("gcp:cloudrunv2/jobIamMember:JobIamMember", "m", { role: "roles/editor", member: "user:a@example.com" })],
    expected: "no-primitive-roles: gcp:cloudrunv2/jobIamMember:JobIamMember m grants the primitive role roles/editor",
  },
  "project-grants-allow-listed": {
    context: DEV,
    passing: [
      fake("gcp:projects/iAMMember:IAMMember", "m", { role: "roles/bigquery.jobUser", member: "serviceAccount:load@p.iam.gserviceaccount.com" }),
      fake("gcp:projects/iAMMember:IAMMember", "i", { role: "roles/workflows.invoker", member: "serviceAccount:sched@p.iam.gserviceaccount.com" }),
    ],
    failing: [
      fake("gcp:projects/iAMMember:IAMMember", "m", { role: "roles/storage.admin", member: "serviceAccount:load@p.iam.gserviceaccount.com" }),
      fake("gcp:projects/iAMMember:IAMMember", "pub", { role: "roles/pubsub.publisher", member: "serviceAccount:stream@p.iam.gserviceaccount.com" }),
    ],
    expected:
      "project-grants-allow-listed: gcp:projects/iAMMember:IAMMember pub grants roles/pubsub.publisher on the project to serviceAccount:stream@p.iam.gserviceaccount.com, which is not allow-listed",
  },
  "buckets-uniform-and-private": {
    context: DEV,
    passing: [bucket({})],
    failing: [bucket({ publicAccessPrevention: "inherited" })],
    expected: "buckets-uniform-and-private: gcp:storage/bucket:Bucket b lacks uniform bucket-level access or enforced public access prevention",
  },
  "workloads-own-account": {
    context: DEV,
    passing: [
      job("a", "a@p.iam.gserviceaccount.com"),
      service("b", "b@p.iam.gserviceaccount.com"),
      fake("gcp:workflows/workflow:Workflow", "w", { serviceAccount: "w@p.iam.gserviceaccount.com" }),
    ],
    failing: [
      job("a", "a@p.iam.gserviceaccount.com"),
      service("b", "a@p.iam.gserviceaccount.com"),
      job("c", undefined),
      job("d", "1-compute@developer.gserviceaccount.com"),
    ],
    expected: "workloads-own-account: gcp:cloudrunv2/service:Service b shares the account a@p.iam.gserviceaccount.com with another workload",
  },
  "scheduler-oauth-for-google-apis": {
    context: DEV,
    passing: [scheduler({ uri: "https://run.googleapis.com/v2/x:run", oauthToken: { serviceAccountEmail: "s@p" } })],
    failing: [scheduler({ uri: "https://run.googleapis.com/v2/x:run", oidcToken: { serviceAccountEmail: "s@p" } })],
    expected: "scheduler-oauth-for-google-apis: gcp:cloudscheduler/job:Job s calls a Google API without an OAuth token",
  },
  "workflows-oauth-for-google-apis": {
    context: DEV,
    passing: [workflow({ url: '${"https://run.googleapis.com/v2/" + job + ":run"}', auth: { type: "OAuth2" } }), workflow({ url: "https://example.com/hook" })],
    failing: [workflow({ url: '${"https://run.googleapis.com/v2/" + job + ":run"}' })],
    expected:
      'workflows-oauth-for-google-apis: gcp:workflows/workflow:Workflow w calls ${"https://run.googleapis.com/v2/" + job + ":run"} without an OAuth2 token',
  },
  "standard-labels": {
    context: DEV,
    passing: [provider, bucket({})],
    failing: [provider, bucket({}), { ...bucket({}), name: "c", provider: "urn:pulumi:t::p::pulumi:providers:gcp::default::id" }],
    expected: "standard-labels: gcp:storage/bucket:Bucket c does not use the stack's gcp provider (no default labels)",
  },
  "no-plaintext-secrets": {
    context: DEV,
    passing: [
      fake("gcp:secretmanager/secretVersion:SecretVersion", "v", { secret: "s", secretData: "[secret]" }),
      fake("docker:index/image:Image", "i", { imageName: "x", registry: "[secret]" }),
    ],
    failing: [fake("gcp:secretmanager/secretVersion:SecretVersion", "v", { secret: "s", secretData: "hunter2" })],
    expected: "no-plaintext-secrets: gcp:secretmanager/secretVersion:SecretVersion v takes a secret value in plain text; wrap it with pulumi.secret()",
  },
  "apis-never-disabled": {
    context: DEV,
    passing: [fake("gcp:projects/service:Service", "run", { service: "run.googleapis.com", disableOnDestroy: false })],
    failing: [fake("gcp:projects/service:Service", "run", { service: "run.googleapis.com" })],
    expected: "apis-never-disabled: gcp:projects/service:Service run may disable its API on destroy",
  },
  "data-protected": {
    context: PROD,
    passing: [bucket({ forceDestroy: false }, true), job("j", "j@p", true)],
    failing: [bucket({ forceDestroy: false }, true), job("j", "j@p", false)],
    expected: "data-protected: gcp:cloudrunv2/job:Job j lacks deletion protection",
  },
  destroyable: {
    context: DEV,
    passing: [bucket({}), job("j", "j@p", false), fake("gcp:bigquery/dataset:Dataset", "d", { deleteContentsOnDestroy: true })],
    failing: [bucket({}), fake("gcp:bigquery/dataset:Dataset", "d", { deleteContentsOnDestroy: false })],
    expected: "destroyable: gcp:bigquery/dataset:Dataset d cannot be deleted while it holds tables",
  },
};

describe("policy rules", () => {
  it("every rule has an id, a reason and fixtures", () => {
    expect(RULES.map((r) => r.id).sort()).to.deep.equal(Object.keys(FIXTURES).sort());
    for (const rule of RULES) expect(rule.why.length, rule.id).to.be.greaterThan(20);
  });

  it("project-grants-allow-listed: only bigquery.jobUser and workflows.invoker; Eventarc's receiver role and the Cloud Storage agent's project-wide publisher role are refused", () => {
    expect([...ALLOWED_PROJECT_ROLES]).to.deep.equal(["roles/bigquery.jobUser", "roles/workflows.invoker"]);
    const rule = RULES.find((r) => r.id === "project-grants-allow-listed")!;
    const gcsAgent = "serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com";
    const grants = [
      fake("gcp:projects/iAMMember:IAMMember", "receiver", { role: "roles/eventarc.eventReceiver", member: "serviceAccount:event@p.iam.gserviceaccount.com" }),
      fake("gcp:projects/iAMMember:IAMMember", "gcs-agent", { role: "roles/pubsub.publisher", member: gcsAgent }),
    ];
    expect(rule.check(grants, DEV).map(findingText)).to.deep.equal([
      "gcp:projects/iAMMember:IAMMember receiver grants roles/eventarc.eventReceiver on the project to serviceAccount:event@p.iam.gserviceaccount.com, which is not allow-listed",
      `gcp:projects/iAMMember:IAMMember gcs-agent grants roles/pubsub.publisher on the project to ${gcsAgent}, which is not allow-listed`,
    ]);
  });

  for (const rule of RULES) {
    it(`${rule.id}: passes its compliant fixture and flags its violating one`, () => {
      const fixture = FIXTURES[rule.id];
      expect(rule.check(fixture.passing, fixture.context)).to.deep.equal([]);
      expect(violations(fixture.failing, fixture.context).filter((v) => v.startsWith(`${rule.id}:`))).to.include(fixture.expected);
    });
  }

  for (const stack of ["dev", "prod", "staging"]) {
    it(`the ${stack} stack complies with every rule`, async () => {
      const config = readStackConfig(stack);
      const run = await planOf(stack);
      const { protectData } = configFromPulumi(config.values, stack, (k) => config.secretKeys.includes(k), true).policy;
      expect(violations(run.resources, { protectData })).to.deep.equal([]);
      expect(protectsData(run.resources), "the data-protection label the preview and the policy pack read").to.equal(protectData);
    });
  }
});
