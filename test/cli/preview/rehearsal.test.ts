import { expect } from "chai";
import { DeployGraph, Plan } from "../../../cli/src/preview/deploy-graph";
import { RecordedInvoke, RecordedResource } from "../../../cli/src/preview/plan";
import { rehearsalText, rehearse, rehearseRun, RehearsalResult } from "../../../cli/src/preview/rehearsal";
import { REHEARSAL_RULES } from "../../../cli/src/preview/rehearsal-rules";
import { ProgramRun, readStackConfig, runProgram } from "../../../cli/src/preview/run-program";
import { CHILD_TEST_TIMEOUT_MS } from "../../helpers/child";
import { planOf, PROD_PROTECTED, widestPlans } from "../../helpers/plan";

const urn = (type: string, name: string) => `urn:pulumi:test::fixture::${type}::${name}`;
const PROVIDER = urn("pulumi:providers:gcp", "gcp");

interface Options {
  deps?: RecordedResource[];
  parent?: RecordedResource;
  custom?: boolean;
  protect?: boolean;
  retainOnDelete?: boolean;
  outputs?: Record<string, unknown>;
}
/** A recorded resource as the mock runtime would record it, using the fixture's gcp provider. */
function res(type: string, name: string, inputs: Record<string, unknown> = {}, o: Options = {}): RecordedResource {
  const custom = o.custom ?? true;
  return {
    urn: urn(type, name),
    type,
    name,
    custom,
    parent: o.parent?.urn,
    inputs,
    outputs: { project: "fixture-project", ...inputs, ...o.outputs },
    protect: o.protect ?? false,
    retainOnDelete: o.retainOnDelete ?? false,
    dependencies: (o.deps ?? []).map((d) => d.urn),
    provider: custom && type.startsWith("gcp:") ? `${PROVIDER}::provider-id` : undefined,
  };
}
const invoke = (token: string, outputs: Record<string, unknown>, deps: RecordedResource[] = []): RecordedInvoke => ({
  token,
  inputs: {},
  outputs,
  dependencies: deps.map((d) => d.urn),
});
const plan = (resources: RecordedResource[], invokes: RecordedInvoke[] = []): Plan => ({
  resources: [res("pulumi:providers:gcp", "gcp"), ...resources],
  invokes,
});
const api = (service: string) => res("gcp:projects/service:Service", `apis-${service.split(".")[0]}`, { service, disableOnDestroy: false });

/** `<rule>: <step> <message>` of one rule over a plan. */
function findings(id: string, p: Plan, otherStacks = new Map<string, Plan>()): string[] {
  return rehearse(p, { otherStacks, rules: REHEARSAL_RULES.filter((r) => r.id === id) }).problems.map((f) => `${f.rule}: ${f.step} ${f.message}`);
}

const RUN = api("run.googleapis.com");
const IAM = api("iam.googleapis.com");
const STORAGE = api("storage.googleapis.com");
const PUBSUB = api("pubsub.googleapis.com");
const SECRETS = api("secretmanager.googleapis.com");
const JOB = "gcp:cloudrunv2/job:Job";
const BUCKET = "gcp:storage/bucket:Bucket";
const account = (id: string, deps = [IAM]) =>
  res("gcp:serviceaccount/account:Account", `${id}-sa`, { accountId: id }, { deps, outputs: { email: `${id}@fixture-project.iam.gserviceaccount.com` } });
const job = (name: string, containers: unknown[], deps: RecordedResource[], serviceAccount = "job@fixture-project.iam.gserviceaccount.com") =>
  res(JOB, name, { name, deletionProtection: false, template: { template: { serviceAccount, containers } } }, { deps });
const GCS_AGENT = "serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com";
const PUBSUB_AGENT = "serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com";

describe("deploy rehearsal: the engine's order", () => {
  // P is the provider; A is the child of the component C; B depends on C (that is, on A); D is the child of the
  // custom resource B; E needs only the provider; the data source X reads A's output.
  const c = res("pipelines:test:Component", "c", {}, { custom: false });
  const a = res("gcp:storage/bucket:Bucket", "a", {}, { parent: c });
  const b = res("gcp:pubsub/topic:Topic", "b", {}, { deps: [c] });
  const d = res("gcp:pubsub/subscription:Subscription", "d", {}, { parent: b });
  const e = res("gcp:pubsub/topic:Topic", "e");
  const x = invoke("gcp:organizations/getProject:getProject", {}, [a]);
  const graph = new DeployGraph(plan([c, a, b, d, e], [x]));

  it("creates in waves: a step starts once its dependencies (components expanded), its custom parent and its provider are done", () => {
    expect(graph.waves.map((w) => w.map((s) => s.label))).to.deep.equal([
      ["pulumi:providers:gcp gcp"],
      ["gcp:storage/bucket:Bucket a", "gcp:pubsub/topic:Topic e"],
      ["gcp:pubsub/topic:Topic b", "data source gcp:organizations/getProject:getProject"],
      ["gcp:pubsub/subscription:Subscription d"],
    ]);
  });

  it("destroys in reverse: a resource goes once everything depending on it is gone", () => {
    expect(graph.destroyWaves.map((w) => w.map((r) => r.name))).to.deep.equal([["d", "e"], ["b"], ["a"], ["gcp"]]);
  });

  it("knows each step's ancestors, not merely the earlier waves", () => {
    expect([...graph.ancestors(d.urn)].sort()).to.deep.equal([PROVIDER, a.urn, b.urn].sort());
    expect(graph.ancestors(e.urn).has(a.urn)).to.equal(false);
  });

  it("rejects a cycle, naming a step on it", () => {
    const p = res("gcp:pubsub/topic:Topic", "p");
    const q = { ...res("gcp:pubsub/topic:Topic", "q"), dependencies: [p.urn] };
    expect(() => new DeployGraph(plan([{ ...p, dependencies: [q.urn] }, q]))).to.throw(
      /the plan's dependencies form a cycle through urn:pulumi:test::fixture::gcp:pubsub\/topic:Topic::/,
    );
  });
});

describe("deploy rehearsal: each rule passes and fails", () => {
  it("api-enabled-upstream: a resource or data source waits for the Service enabling its API; unknown types are named", () => {
    expect(findings("api-enabled-upstream", plan([RUN, job("etl", [], [RUN])], [invoke("gcp:organizations/getProject:getProject", {})]))).to.deep.equal([]);
    expect(
      findings(
        "api-enabled-upstream",
        plan(
          [RUN, job("etl", [], []), res("gcp:spanner/instance:Instance", "db")],
          [invoke("gcp:storage/getProjectServiceAccount:getProjectServiceAccount", {})],
        ),
      ),
    ).to.deep.equal([
      "api-enabled-upstream: gcp:cloudrunv2/job:Job etl uses run.googleapis.com, which a gcp.projects.Service enables in the same deploy, but not before it (add it to dependsOn)",
      "api-enabled-upstream: gcp:spanner/instance:Instance db calls an API the rehearsal does not know: add its type's module to API_OF_MODULE (cli/src/preview/rehearsal-rules.ts) with its source",
      "api-enabled-upstream: data source gcp:storage/getProjectServiceAccount:getProjectServiceAccount uses storage.googleapis.com, which no gcp.projects.Service of the stack enables",
    ]);
  });

  it("principal-exists: accounts created upstream, agents made to exist upstream, people from config pass", () => {
    const sa = account("etl");
    const bucket = res(BUCKET, "raw", {}, { deps: [STORAGE] });
    const identity = res("gcp:projects/serviceIdentity:ServiceIdentity", "pubsub-agent", { service: "pubsub.googleapis.com" });
    const topic = res("gcp:pubsub/topic:Topic", "t", { name: "t" }, { deps: [PUBSUB] });
    const grant = (name: string, member: string, deps: RecordedResource[]) =>
      res("gcp:pubsub/topicIAMMember:TopicIAMMember", name, { topic: "t", role: "roles/pubsub.publisher", member }, { deps });
    const passing = plan(
      [
        IAM,
        STORAGE,
        PUBSUB,
        sa,
        bucket,
        identity,
        topic,
        res(
          "gcp:storage/bucketIAMMember:BucketIAMMember",
          "etl-raw",
          { bucket: "raw", role: "roles/storage.objectUser", member: `serviceAccount:${String(sa.outputs.email)}` },
          { deps: [bucket, sa] },
        ),
        res(
          "gcp:storage/bucketIAMMember:BucketIAMMember",
          "team-raw",
          { bucket: "raw", role: "roles/storage.objectViewer", member: "group:data@example.com" },
          { deps: [bucket] },
        ),
        grant("pubsub-agent", PUBSUB_AGENT, [topic, identity]),
        grant("gcs-agent", GCS_AGENT, [topic, bucket]),
      ],
      [
        invoke(
          "gcp:storage/getProjectServiceAccount:getProjectServiceAccount",
          { emailAddress: GCS_AGENT.slice("serviceAccount:".length), member: GCS_AGENT },
          [bucket],
        ),
      ],
    );
    expect(findings("principal-exists", passing)).to.deep.equal([]);
    const failing = plan([
      IAM,
      PUBSUB,
      sa,
      topic,
      grant("pubsub-agent", PUBSUB_AGENT, [topic]),
      grant("gcs-agent", GCS_AGENT, [topic]),
      grant("early", `serviceAccount:${String(sa.outputs.email)}`, [topic]),
      grant("nobody", "serviceAccount:ghost@fixture-project.iam.gserviceaccount.com", [topic]),
      grant("other-project", "serviceAccount:deployer@elsewhere.iam.gserviceaccount.com", [topic]),
    ]);
    expect(findings("principal-exists", failing)).to.deep.equal([
      "principal-exists: gcp:pubsub/topicIAMMember:TopicIAMMember pubsub-agent grants roles/pubsub.publisher to the service agent service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com, which nothing upstream makes exist (gcp.projects.ServiceIdentity; for Cloud Storage, gcp.storage.getProjectServiceAccount)",
      "principal-exists: gcp:pubsub/topicIAMMember:TopicIAMMember gcs-agent grants roles/pubsub.publisher to the service agent service-123456789012@gs-project-accounts.iam.gserviceaccount.com, which nothing upstream makes exist (gcp.projects.ServiceIdentity; for Cloud Storage, gcp.storage.getProjectServiceAccount)",
      "principal-exists: gcp:pubsub/topicIAMMember:TopicIAMMember early grants roles/pubsub.publisher to etl@fixture-project.iam.gserviceaccount.com, which gcp:serviceaccount/account:Account etl-sa creates in the same deploy, but not before it",
      "principal-exists: gcp:pubsub/topicIAMMember:TopicIAMMember nobody grants roles/pubsub.publisher to ghost@fixture-project.iam.gserviceaccount.com of this stack's project, which no gcp.serviceaccount.Account creates",
    ]);
  });

  it("notification-after-publisher-grant: the notification waits for the Cloud Storage agent's publisher grant on its topic", () => {
    const topic = res("gcp:pubsub/topic:Topic", "uploads", { name: "uploads" }, { deps: [PUBSUB] });
    const grant = res(
      "gcp:pubsub/topicIAMMember:TopicIAMMember",
      "gcs-agent",
      { topic: "projects/fixture-project/topics/uploads", role: "roles/pubsub.publisher", member: GCS_AGENT },
      { deps: [topic] },
    );
    const notification = (deps: RecordedResource[]) =>
      res("gcp:storage/notification:Notification", "n", { bucket: "raw", topic: "projects/fixture-project/topics/uploads" }, { deps });
    expect(findings("notification-after-publisher-grant", plan([PUBSUB, topic, grant, notification([grant, topic])]))).to.deep.equal([]);
    expect(findings("notification-after-publisher-grant", plan([PUBSUB, topic, grant, notification([topic])]))).to.deep.equal([
      "notification-after-publisher-grant: gcp:storage/notification:Notification n is created before the Cloud Storage service agent may publish to the topic uploads (no roles/pubsub.publisher grant to it upstream)",
    ]);
  });

  it("secret-env-after-access: a job with secret env waits for its account's accessor grant and the secret's version", () => {
    const secret = res("gcp:secretmanager/secret:Secret", "token", { secretId: "token" }, { deps: [SECRETS] });
    const version = res("gcp:secretmanager/secretVersion:SecretVersion", "token-v", { secret: "projects/fixture-project/secrets/token" }, { deps: [secret] });
    const access = res(
      "gcp:secretmanager/secretIamMember:SecretIamMember",
      "token-job",
      {
        secretId: "projects/fixture-project/secrets/token",
        role: "roles/secretmanager.secretAccessor",
        member: "serviceAccount:job@fixture-project.iam.gserviceaccount.com",
      },
      { deps: [secret] },
    );
    const containers = [{ image: "example/etl:fixture", envs: [{ name: "TOKEN", valueSource: { secretKeyRef: { secret: "token", version: "1" } } }] }];
    expect(findings("secret-env-after-access", plan([SECRETS, RUN, secret, version, access, job("etl", containers, [RUN, version, access])]))).to.deep.equal(
      [],
    );
    expect(findings("secret-env-after-access", plan([SECRETS, RUN, secret, version, access, job("etl", containers, [RUN, secret])]))).to.deep.equal([
      "secret-env-after-access: gcp:cloudrunv2/job:Job etl uses the secret token before its account job@fixture-project.iam.gserviceaccount.com holds roles/secretmanager.secretAccessor on it",
      "secret-env-after-access: gcp:cloudrunv2/job:Job etl uses the secret token (version 1) before any version of it is created",
    ]);
  });

  it("cross-stack-protected: an image from another stack's repository passes only where that stack protects the repository", () => {
    const image = "europe-west1-docker.pkg.dev/other-project/dev-images/etl:fixture";
    const consumer = plan([RUN, job("etl", [{ image }], [RUN])]);
    const repository = (protect: boolean) =>
      plan([
        res(
          "gcp:artifactregistry/repository:Repository",
          "images",
          { repositoryId: "dev-images" },
          { protect, outputs: { registryUri: "europe-west1-docker.pkg.dev/other-project/dev-images" } },
        ),
      ]);
    expect(findings("cross-stack-protected", consumer, new Map([["dev", repository(true)]]))).to.deep.equal([]);
    expect(findings("cross-stack-protected", consumer, new Map([["dev", repository(false)]]))).to.deep.equal([
      `cross-stack-protected: gcp:cloudrunv2/job:Job etl runs ${image} from stack dev's repository images, which is not protected: \`pulumi destroy\` of dev deletes it`,
    ]);
  });

  it("destroy-completes: no guard left to a provider default; protected or explicitly guarded resources are kept on purpose", () => {
    const bucket = (inputs: Record<string, unknown>, protect = false) =>
      res(BUCKET, "raw", { softDeletePolicy: { retentionDurationSeconds: 0 }, ...inputs }, { deps: [STORAGE], protect });
    expect(findings("destroy-completes", plan([STORAGE, bucket({ forceDestroy: true })]))).to.deep.equal([]);
    expect(
      findings(
        "destroy-completes",
        plan([STORAGE, bucket({}, true), { ...job("guarded", [], [RUN]), inputs: { name: "guarded", deletionProtection: true } }, RUN]),
      ),
    ).to.deep.equal([]);
    expect(
      findings("destroy-completes", plan([STORAGE, bucket({}), job("etl", [], [RUN]), { ...job("guarded", [], []), inputs: { name: "guarded" } }, RUN])),
    ).to.deep.equal([
      "destroy-completes: gcp:storage/bucket:Bucket raw cannot be deleted while it holds objects: `pulumi destroy` fails here and leaves the 2 resources it depends on",
      "destroy-completes: gcp:cloudrunv2/job:Job guarded has deletion protection (the provider's default is true): `pulumi destroy` fails here and leaves the 1 resources it depends on",
    ]);
  });

  it("destroy-leaves-nothing-billable: no soft-deleted objects and nothing retained after a destroyable stack's destroy", () => {
    const bucket = (softDeletePolicy?: object, retainOnDelete = false) =>
      res(BUCKET, "raw", { forceDestroy: true, ...(softDeletePolicy ? { softDeletePolicy } : {}) }, { deps: [STORAGE], retainOnDelete });
    expect(findings("destroy-leaves-nothing-billable", plan([STORAGE, bucket({ retentionDurationSeconds: 0 })]))).to.deep.equal([]);
    expect(findings("destroy-leaves-nothing-billable", plan([STORAGE, bucket()]))).to.deep.equal([
      "destroy-leaves-nothing-billable: gcp:storage/bucket:Bucket raw keeps deleted objects, billed, for 7 days after `pulumi destroy` (softDeletePolicy.retentionDurationSeconds: 0 turns soft delete off)",
    ]);
    expect(findings("destroy-leaves-nothing-billable", plan([STORAGE, bucket({ retentionDurationSeconds: 0 }, true)]))).to.deep.equal([
      "destroy-leaves-nothing-billable: gcp:storage/bucket:Bucket raw is retained on delete (retainOnDelete): `pulumi destroy` leaves it in the cloud",
    ]);
  });
});

describe("deploy rehearsal: the blind spots of the third review (first-deploy-review-3.md), each a rule", () => {
  const destroyableProvider = res("pulumi:providers:gcp", "gcp", { defaultLabels: JSON.stringify({ "data-protection": "destroyable" }) });
  const destroyablePlan = (resources: RecordedResource[]): Plan => ({ resources: [destroyableProvider, ...resources], invokes: [] });
  const topic = (inputs: Record<string, unknown>) => res("gcp:pubsub/topic:Topic", "t", { name: "t", ...inputs }, { deps: [PUBSUB] });

  it('destroy-leaves-nothing-billable: deletionPolicy "ABANDON" on any resource leaves it in the cloud', () => {
    expect(findings("destroy-leaves-nothing-billable", plan([PUBSUB, topic({ deletionPolicy: "DELETE" })]))).to.deep.equal([]);
    expect(findings("destroy-leaves-nothing-billable", plan([PUBSUB, topic({ deletionPolicy: "ABANDON" })]))).to.deep.equal([
      'destroy-leaves-nothing-billable: gcp:pubsub/topic:Topic t has deletionPolicy "ABANDON": `pulumi destroy` drops it from state and leaves it in the cloud, billed as before',
    ]);
  });

  it('destroy-completes: deletionPolicy "PREVENT" fails the delete; kept on purpose in a protected stack, a problem in a destroyable one', () => {
    expect(findings("destroy-completes", plan([PUBSUB, topic({ deletionPolicy: "PREVENT" })]))).to.deep.equal([]);
    expect(rehearse(plan([PUBSUB, topic({ deletionPolicy: "PREVENT" })])).destroy.blocked.map((b) => b.resource.name)).to.deep.equal(["t"]);
    expect(findings("destroy-completes", destroyablePlan([PUBSUB, topic({})]))).to.deep.equal([]);
    expect(findings("destroy-completes", destroyablePlan([PUBSUB, topic({ deletionPolicy: "PREVENT" })]))).to.deep.equal([
      'destroy-completes: gcp:pubsub/topic:Topic t has deletionPolicy "PREVENT" (the provider fails its delete): `pulumi destroy` fails here and leaves the 2 resources it depends on',
    ]);
  });

  it("image-pushed-upstream: a job running an image the deploy pushes (built, or copied with gcrane) waits for the push", () => {
    const AR = api("artifactregistry.googleapis.com");
    const name = "europe-west1-docker.pkg.dev/fixture-project/images/etl";
    const built = res("docker:index/image:Image", "etl-image", { imageName: `${name}:src-1` }, { deps: [AR] });
    const copied = res(
      "command:local:Command",
      "etl-copy",
      {
        create: `gcrane cp europe-west1-docker.pkg.dev/other/dev-images/etl\\@sha256\\:${"a".repeat(64)} ${name.replace(/:/g, "\\:")}\\:promoted-aaaaaaaaaaaa`,
      },
      { deps: [AR] },
    );
    const runs = (push: RecordedResource, deps: RecordedResource[]) =>
      plan([AR, RUN, push, job("etl", [{ image: `${name}@sha256:${"b".repeat(64)}` }], [RUN, ...deps])]);
    expect(findings("image-pushed-upstream", runs(built, [built]))).to.deep.equal([]);
    expect(findings("image-pushed-upstream", runs(copied, [copied]))).to.deep.equal([]);
    expect(findings("image-pushed-upstream", runs(built, []))).to.deep.equal([
      `image-pushed-upstream: gcp:cloudrunv2/job:Job etl runs ${name}@sha256:${"b".repeat(64)}, which docker:index/image:Image etl-image pushes in the same deploy, but does not wait for it (add it to dependsOn, or run its repoDigest output)`,
    ]);
    expect(findings("image-pushed-upstream", runs(copied, []))).to.have.length(1);
    // An image no step of the plan pushes (another project's, a public one) is outside the rule.
    expect(findings("image-pushed-upstream", plan([RUN, job("etl", [{ image: "us-docker.pkg.dev/cloudrun/container/job:latest" }], [RUN])]))).to.deep.equal([]);
  });

  it("principal-exists: a grant to a Google-managed default account waits for what creates it (its API, or App Engine's application)", () => {
    const COMPUTE = api("compute.googleapis.com");
    const bucket = res(BUCKET, "raw", { name: "raw" }, { deps: [STORAGE] });
    const grant = (member: string, deps: RecordedResource[]) =>
      res(
        "gcp:storage/bucketIAMMember:BucketIAMMember",
        "default-raw",
        { bucket: "raw", role: "roles/storage.objectViewer", member },
        { deps: [bucket, ...deps] },
      );
    const compute = "serviceAccount:123456789012-compute@developer.gserviceaccount.com";
    const appspot = "serviceAccount:fixture-project@appspot.gserviceaccount.com";
    const app = res("gcp:appengine/application:Application", "app", { locationId: "europe-west" });
    expect(findings("principal-exists", plan([STORAGE, COMPUTE, bucket, grant(compute, [COMPUTE])]))).to.deep.equal([]);
    expect(findings("principal-exists", plan([STORAGE, bucket, app, grant(appspot, [app])]))).to.deep.equal([]);
    expect(findings("principal-exists", plan([STORAGE, COMPUTE, bucket, grant(compute, [])]))).to.deep.equal([
      "principal-exists: gcp:storage/bucketIAMMember:BucketIAMMember default-raw grants roles/storage.objectViewer to the Compute Engine default service account 123456789012-compute@developer.gserviceaccount.com, which exists only once compute.googleapis.com is enabled, and nothing upstream does that (UNVERIFIED (third-party guides; see DEFAULT_ACCOUNTS))",
    ]);
    expect(findings("principal-exists", plan([STORAGE, bucket, grant(appspot, [])]))).to.deep.equal([
      "principal-exists: gcp:storage/bucketIAMMember:BucketIAMMember default-raw grants roles/storage.objectViewer to the App Engine default service account fixture-project@appspot.gserviceaccount.com, which exists only once an App Engine application (gcp.appengine.Application) exists, and nothing upstream does that (UNVERIFIED (third-party guides; see DEFAULT_ACCOUNTS))",
    ]);
  });

  it("identifier-forms: URL fields in the form the provider formats them; a type the table lacks is named", () => {
    const LOGGING = api("logging.googleapis.com");
    const view = res(
      "gcp:logging/logView:LogView",
      "view",
      { parent: "projects/p", location: "global", bucket: "projects/p/locations/global/buckets/_Default", name: "jobs" },
      { deps: [LOGGING] },
    );
    const reader = (bucket: string) =>
      res(
        "gcp:logging/logViewIamMember:LogViewIamMember",
        "reader",
        { parent: "projects/p", location: "global", bucket, name: "jobs", role: "roles/logging.viewAccessor", member: "group:g@example.com" },
        { deps: [view] },
      );
    expect(findings("identifier-forms", plan([LOGGING, view, reader("_Default")]))).to.deep.equal([]);
    expect(findings("identifier-forms", plan([LOGGING, view, reader("projects/p/locations/global/buckets/_Default")]))).to.deep.equal([
      'identifier-forms: gcp:logging/logViewIamMember:LogViewIamMember reader passes bucket "projects/p/locations/global/buckets/_Default" into {parent}/locations/{location}/buckets/{bucket}/views/{name}:setIamPolicy as it stands, where it must be a short id (no /) (hashicorp/terraform-provider-google-beta google-beta/services/logging/iam_logging_log_view.go (LoggingLogViewIamUpdaterProducer, qualifyLogViewUrl))',
    ]);
    // The reverse: a short id where a full name is taken is fine only where the provider parses it (a job IAM member's
    // name), not where it is the parent.
    expect(
      findings("identifier-forms", plan([res("gcp:cloudrunv2/jobIamMember:JobIamMember", "j", { name: "projects/p/locations/r/jobs/etl", location: "r" })])),
    ).to.deep.equal([]);
    expect(findings("identifier-forms", plan([{ ...view, inputs: { ...view.inputs, parent: "p" } }]))).to.deep.equal([
      'identifier-forms: gcp:logging/logView:LogView view passes parent "p" into {parent}/locations/{location}/buckets/{bucket}/views?viewId={name} as it stands, where it must be projects/<id> (or folders/<id>, organizations/<id>) (hashicorp/terraform-provider-google-beta google-beta/services/logging/resource_logging_log_view.go (resourceLoggingLogViewEncoder, resourceLoggingLogViewCreate))',
    ]);
    expect(findings("identifier-forms", plan([res("gcp:spanner/instance:Instance", "db")]))).to.deep.equal([
      "identifier-forms: gcp:spanner/instance:Instance db has inputs the provider may format into its request URL, which the rehearsal does not know: add its type to URL_FIELDS (cli/src/preview/identifier-forms.ts) with the provider source",
    ]);
  });
});

describe("deploy rehearsal: the verdict", () => {
  it("one line for a clean destroyable stack", () => {
    const text = rehearsalText(
      rehearse(plan([STORAGE, res(BUCKET, "raw", { forceDestroy: true, softDeletePolicy: { retentionDurationSeconds: 0 } }, { deps: [STORAGE] })])),
    );
    expect(text).to.equal("Deploy rehearsal: first deploy: 3 resources in 3 waves, 0 problems; destroy: leaves nothing billable\n");
  });

  it("a destroyable stack that leaves something behind says how many of the problems are destroy's", () => {
    const text = rehearsalText(rehearse(plan([STORAGE, res(BUCKET, "raw", { forceDestroy: true }, { deps: [STORAGE] })])));
    expect(text.split("\n")[0]).to.equal(
      "Deploy rehearsal: first deploy: 3 resources in 3 waves, 1 problems; destroy: leaves things behind (1 of the problems)",
    );
  });

  it("a note counts the grants to service accounts the same deploy creates, which the provider does not retry while IAM does not see them", () => {
    const sa = account("etl");
    const bucket = res(BUCKET, "raw", { forceDestroy: true, softDeletePolicy: { retentionDurationSeconds: 0 } }, { deps: [STORAGE] });
    const grant = res(
      "gcp:storage/bucketIAMMember:BucketIAMMember",
      "etl-raw",
      { bucket: "raw", role: "roles/storage.objectUser", member: `serviceAccount:${String(sa.outputs.email)}` },
      { deps: [bucket, sa] },
    );
    const result = rehearse(plan([IAM, STORAGE, sa, bucket, grant]));
    expect(result.freshAccountGrants).to.deep.equal([{ step: "gcp:storage/bucketIAMMember:BucketIAMMember etl-raw", retries: false }]);
    expect(rehearsalText(result).split("\n")[1]).to.equal(
      '  note: 1 IAM members grant roles to service accounts this deploy creates, and the provider does not retry such a grant while IAM does not see the account yet: if `pulumi up` stops on "Service account … does not exist", run it again after a minute (README, "If the first `pulumi up` fails on a grant")',
    );
  });

  it("what a protected stack keeps, then each problem with its rule, step and source", () => {
    const bucket = res(BUCKET, "raw", {}, { deps: [STORAGE], protect: true });
    const text = rehearsalText(rehearse(plan([STORAGE, bucket, job("etl", [], [])])));
    expect(text).to.equal(
      [
        "Deploy rehearsal: first deploy: 4 resources in 3 waves, 1 problems; destroy: keeps 3 resources (protected: raw; 0 with a deletion guard; 2 they depend on)",
        "  - api-enabled-upstream: gcp:cloudrunv2/job:Job etl uses run.googleapis.com, which no gcp.projects.Service of the stack enables (https://cloud.google.com/service-usage/docs/overview https://github.com/google/knative-gcp/issues/243)",
        "",
      ].join("\n"),
    );
  });
});

/** `<rule>: <step>` of a stack's findings. */
const keys = (result: RehearsalResult) => result.problems.map((p) => `${p.rule}: ${p.step}`);

describe("deploy rehearsal: every stack, through the plan the preview records", () => {
  const runs = new Map<string, ProgramRun>();
  before(async function () {
    // The shared plan of each stack (one program run per test process); generous, so a busy machine does not fail the hook.
    this.timeout(CHILD_TEST_TIMEOUT_MS);
    for (const stack of ["dev", "staging", "prod"]) runs.set(stack, await planOf(stack));
  });
  const rehearsed = (stack: string) => rehearseRun(runs.get(stack)!, async (other) => runs.get(other) ?? runProgram(other));

  it("dev: every resource in one wave, data sources included, and no problem", async () => {
    const result = await rehearsed("dev");
    const run = runs.get("dev")!;
    expect(result.waves.flat()).to.have.members([
      ...run.resources.filter((r) => r.custom).map((r) => `${r.type} ${r.name}`),
      ...run.invokes.map((i) => `data source ${i.token}`),
    ]);
    // The recording keeps what a data source waits for: the Cloud Storage agent's lookup takes the service's project, through the stack's provider.
    const gcsAgent = run.invokes.find((i) => i.token === "gcp:storage/getProjectServiceAccount:getProjectServiceAccount")!;
    expect(gcsAgent.dependencies).to.deep.equal([
      run.resources.find((r) => r.name === "scorer-service")!.urn,
      run.resources.find((r) => r.type === "pulumi:providers:gcp")!.urn,
    ]);
    expect(result.destroy.blocked).to.deep.equal([]);
    expect(keys(result)).to.deep.equal([]);
  });

  it("dev with a secret source token: extract waits for its accessor grant and the version (no secret-env finding)", async () => {
    const config = readStackConfig("dev");
    const run = await runProgram("dev", {
      values: { ...config.values, "cloudrun-pipelines:etlSourceToken": "fixture-token" },
      secretKeys: [...config.secretKeys, "cloudrun-pipelines:etlSourceToken"],
    });
    expect(run.resources.map((r) => r.type)).to.include("gcp:secretmanager/secretVersion:SecretVersion");
    expect(keys(await rehearseRun(run))).to.deep.equal([]);
  });

  it("every stack with runners and every optional grant (promoted images in prod): the log view's IAM takes short ids, every type is in URL_FIELDS, no problem", async () => {
    const widest = await widestPlans();
    expect(widest.map((run) => run.stack)).to.deep.equal(["dev", "prod", "staging"]);
    for (const run of widest) {
      expect(run.resources.map((r) => r.type)).to.include("gcp:logging/logViewIamMember:LogViewIamMember");
      const others = new Map(widest.map((w) => [w.stack, w]));
      expect(keys(await rehearseRun(run, async (other) => others.get(other) ?? runProgram(other))), run.stack).to.deep.equal([]);
    }
    expect(widest.find((run) => run.stack === "prod")!.resources.map((r) => r.type)).to.include("command:local:Command");
  });

  it("staging: destroyable like dev, and no problem", async () => {
    const result = await rehearsed("staging");
    expect(result.destroy.blocked).to.deep.equal([]);
    expect(keys(result)).to.deep.equal([]);
  });

  it("prod: keeps its data and its image repository on purpose, and no problem", async () => {
    const result = await rehearsed("prod");
    expect(result.destroy.blocked.every((b) => b.byDesign)).to.equal(true);
    expect(
      result.destroy.blocked
        .filter((b) => b.resource.protect)
        .map((b) => b.resource.name)
        .sort(),
    ).to.deep.equal(PROD_PROTECTED);
    expect(keys(result)).to.deep.equal([]);
  });
});
