import { expect } from "chai";
import { Bucket } from "../../components/bucket";
import { CloudRunService, CloudRunServiceArgs, SERVICE_INVOKER_ROLE } from "../../components/cloud-run-service";
import { ProjectApis } from "../../components/project-apis";
import { shortHash } from "../../components/shared/naming";
import { Topic } from "../../components/topic";
import { projectNumber } from "../../cli/src/preview/mock-runtime";
import { DEV, PROD, promiseOf, registered, useMockRuntime } from "../helpers/pulumi";
import { ACCOUNT, isIamMember, itRejects, RUN_INVOKER, SERVICE, serviceArgs, serviceContainer } from "./fixtures";

const DIGEST = "europe-west1-docker.pkg.dev/test-project/dev-images/scorer@sha256:" + "b".repeat(64);
const SA_EMAIL = "dev-scorer@test-project.iam.gserviceaccount.com";
const MEMBER = `serviceAccount:${SA_EMAIL}`;
const URI = `https://dev-scorer-${projectNumber("test-project")}.europe-west1.run.app`;

const base = (overrides: Partial<CloudRunServiceArgs> = {}): CloudRunServiceArgs =>
  serviceArgs("dev-scorer", { image: DIGEST, serviceAccount: { accountId: "dev-scorer", displayName: "Scorer (dev)" }, ...overrides });

describe("CloudRunService", () => {
  const recorder = useMockRuntime();

  it("defaults: ingress all, 0 to 10 instances, concurrency 80, timeout 300s, 1 vCPU with 512Mi, its own account, dev without deletion protection", async () => {
    const service = new CloudRunService("scorer", base());
    await registered(recorder);
    expect(recorder.get(SERVICE, "scorer-service").inputs).to.deep.equal({
      name: "dev-scorer",
      location: "europe-west1",
      ingress: "INGRESS_TRAFFIC_ALL",
      deletionProtection: false,
      template: {
        serviceAccount: SA_EMAIL,
        timeout: "300s",
        maxInstanceRequestConcurrency: 80,
        scaling: { minInstanceCount: 0, maxInstanceCount: 10 },
        containers: [{ image: DIGEST, envs: [], resources: { limits: { cpu: "1", memory: "512Mi" } } }],
      },
    });
    expect(recorder.get(ACCOUNT, "scorer-sa-account").inputs).to.deep.equal({ accountId: "dev-scorer", displayName: "Scorer (dev)" });
    expect(await promiseOf(service.id)).to.equal("projects/test-project/locations/europe-west1/services/dev-scorer");
    expect(await promiseOf(service.name)).to.equal("dev-scorer");
    expect(await promiseOf(service.uri)).to.equal(URI);
    expect(await promiseOf(service.serviceAccountEmail)).to.equal(SA_EMAIL);
  });

  it("declares every given field exactly: command, args, env sorted, cpu with memory, concurrency, scaling, timeout in seconds, ingress; prod keeps deletion protection", async () => {
    new CloudRunService(
      "scorer",
      base({
        command: ["node", "/app/dist/server.js"],
        args: ["--port", "8080"],
        env: { Z_LAST: "z", A_FIRST: "a", M_MID: "m" },
        cpu: 2,
        memory: "1 GiB",
        concurrency: 1,
        minInstances: 1,
        maxInstances: 3,
        requestTimeout: "10 minutes",
        ingress: "internal",
        policy: PROD,
      }),
    );
    await registered(recorder);
    expect(recorder.get(SERVICE, "scorer-service").inputs).to.deep.equal({
      name: "dev-scorer",
      location: "europe-west1",
      ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY",
      deletionProtection: true,
      template: {
        serviceAccount: SA_EMAIL,
        timeout: "600s",
        maxInstanceRequestConcurrency: 1,
        scaling: { minInstanceCount: 1, maxInstanceCount: 3 },
        containers: [
          {
            image: DIGEST,
            commands: ["node", "/app/dist/server.js"],
            args: ["--port", "8080"],
            envs: [
              { name: "A_FIRST", value: "a" },
              { name: "M_MID", value: "m" },
              { name: "Z_LAST", value: "z" },
            ],
            resources: { limits: { cpu: "2", memory: "1Gi" } },
          },
        ],
      },
    });
  });

  it("the limits of the API are accepted: concurrency 1000, a 60-minute timeout, internal-and-load-balancer ingress", async () => {
    new CloudRunService("scorer", base({ concurrency: 1000, requestTimeout: "60 minutes", ingress: "internal-and-load-balancer" }));
    await registered(recorder);
    expect(recorder.get(SERVICE, "scorer-service").inputs).to.deep.include({ ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" });
    expect(recorder.get(SERVICE, "scorer-service").inputs.template).to.deep.include({ timeout: "3600s", maxInstanceRequestConcurrency: 1000 });
  });

  it("private by default: no IAM member at all, no allUsers anywhere", async () => {
    new CloudRunService("scorer", base());
    const resources = await registered(recorder);
    expect(resources.filter((r) => isIamMember(r.type))).to.deep.equal([]);
    expect(JSON.stringify(resources.map((r) => r.inputs))).not.to.include("allUsers");
  });

  it("invokers: one roles/run.invoker member each (duplicates once) on this service only, and no allUsers", async () => {
    expect(SERVICE_INVOKER_ROLE).to.equal("roles/run.invoker");
    new CloudRunService("scorer", base({ invokers: ["user:ana@example.com", "group:data-eng@example.com", "user:ana@example.com"] }));
    const resources = await registered(recorder);
    const members = resources.filter((r) => isIamMember(r.type));
    expect(members.map((m) => m.type)).to.deep.equal([RUN_INVOKER, RUN_INVOKER]);
    expect(members.map((m) => m.inputs)).to.have.deep.members([
      { name: "dev-scorer", location: "europe-west1", project: "test-project", role: "roles/run.invoker", member: "user:ana@example.com" },
      { name: "dev-scorer", location: "europe-west1", project: "test-project", role: "roles/run.invoker", member: "group:data-eng@example.com" },
    ]);
    expect(members.map((m) => m.inputs.member)).not.to.include("allUsers");
  });

  it("public: true adds exactly one allUsers invoker, named public", async () => {
    new CloudRunService("scorer", base({ public: true }));
    const resources = await registered(recorder);
    expect(resources.filter((r) => isIamMember(r.type)).map((m) => [m.type, m.name, m.inputs])).to.deep.equal([
      [
        RUN_INVOKER,
        "scorer-invoker-public",
        { name: "dev-scorer", location: "europe-west1", project: "test-project", role: "roles/run.invoker", member: "allUsers" },
      ],
    ]);
  });

  it("public: false is the same as unset: no allUsers member", async () => {
    new CloudRunService("scorer", base({ public: false, invokers: ["user:ana@example.com"] }));
    const resources = await registered(recorder);
    expect(resources.filter((r) => isIamMember(r.type)).map((m) => m.inputs.member)).to.deep.equal(["user:ana@example.com"]);
  });

  it("links: the service's account gets each link's role on that resource, the env vars are merged and sorted, and the service waits for the grants", async () => {
    const results = new Topic("results", { topicName: "dev-results", envName: "RESULT_TOPIC" });
    const input = new Bucket("input", { bucketName: "p-dev-input", location: "europe-west1", envName: "INPUT_BUCKET", policy: DEV });
    new CloudRunService("scorer", base({ env: { MODEL: "v1" }, links: [results.publish, input.read] }));
    const resources = await registered(recorder);
    const service = recorder.get(SERVICE, "scorer-service");
    expect(serviceContainer(service).envs).to.deep.equal([
      { name: "INPUT_BUCKET", value: "p-dev-input" },
      { name: "MODEL", value: "v1" },
      { name: "RESULT_TOPIC", value: "projects/test-project/topics/dev-results" },
    ]);
    const members = resources.filter((r) => isIamMember(r.type));
    expect(members.map((m) => [m.type, m.name, m.inputs])).to.have.deep.members([
      [
        "gcp:pubsub/topicIAMMember:TopicIAMMember",
        "scorer-results-publisher",
        { topic: "projects/test-project/topics/dev-results", role: "roles/pubsub.publisher", member: MEMBER },
      ],
      [
        "gcp:storage/bucketIAMMember:BucketIAMMember",
        "scorer-input-objectViewer",
        { bucket: "p-dev-input", role: "roles/storage.objectViewer", member: MEMBER },
      ],
    ]);
    expect(members).to.have.length(2);
    for (const m of members) expect(service.dependencies, m.name).to.include(m.urn);
  });

  it("secretEnv: a secretKeyRef env entry and roles/secretmanager.secretAccessor on that secret, granted before the service", async () => {
    new CloudRunService("scorer", base({ secretEnv: { API_KEY: { secret: "projects/test-project/secrets/api-key", version: "3" } } }));
    await registered(recorder);
    const service = recorder.get(SERVICE, "scorer-service");
    expect(serviceContainer(service).envs).to.deep.equal([
      { name: "API_KEY", valueSource: { secretKeyRef: { secret: "projects/test-project/secrets/api-key", version: "3" } } },
    ]);
    const grant = recorder.get("gcp:secretmanager/secretIamMember:SecretIamMember", "scorer-secret-api_key");
    expect(grant.inputs).to.deep.equal({ secretId: "projects/test-project/secrets/api-key", role: "roles/secretmanager.secretAccessor", member: MEMBER });
    expect(service.dependencies).to.include(grant.urn);
  });

  it("an existing account: nothing created, the revision runs as that account", async () => {
    const email = "scorer@test-project.iam.gserviceaccount.com";
    const service = new CloudRunService("scorer", base({ serviceAccount: { email } }));
    const resources = await registered(recorder);
    expect(resources.filter((r) => r.type === ACCOUNT)).to.deep.equal([]);
    expect((recorder.get(SERVICE, "scorer-service").inputs.template as { serviceAccount: string }).serviceAccount).to.equal(email);
    expect(await promiseOf(service.serviceAccountEmail)).to.equal(email);
  });

  it("children wait for the component's dependsOn", async () => {
    const apis = new ProjectApis("apis", { services: ["run.googleapis.com"] });
    new CloudRunService("scorer", base({ invokers: ["user:ana@example.com"] }), { dependsOn: [apis] });
    const resources = await registered(recorder);
    const api = recorder.get("gcp:projects/service:Service", "apis-run").urn;
    const children = resources.filter((x) => x.custom && x.type !== "gcp:projects/service:Service");
    expect(children.map((r) => r.name)).to.have.members(["scorer-sa-account", "scorer-service", `scorer-invoker-${shortHash("user:ana@example.com")}`]);
    for (const r of children) {
      expect(r.dependencies, r.name).to.include(api);
    }
  });

  const invalid: [string, Partial<CloudRunServiceArgs>, RegExp][] = [
    ["concurrency 0", { concurrency: 0 }, /^CloudRunService\(s\)\.concurrency: 0 is out of range; use a whole number from 1 to 1000$/],
    ["concurrency 1001", { concurrency: 1001 }, /^CloudRunService\(s\)\.concurrency: 1001 is out of range; use a whole number from 1 to 1000$/],
    [
      "maxInstances below minInstances",
      { minInstances: 3, maxInstances: 2 },
      /^CloudRunService\(s\)\.maxInstances: 2 is out of range; use a whole number of at least 1 and at least minInstances \(3\)$/,
    ],
    ["maxInstances 0", { maxInstances: 0 }, /^CloudRunService\(s\)\.maxInstances: 0 is out of range/],
    ["negative minInstances", { minInstances: -1 }, /^CloudRunService\(s\)\.minInstances: -1 is not a whole number of instances/],
    ["a 2-hour request timeout", { requestTimeout: "2 hours" }, /^CloudRunService\(s\)\.requestTimeout: "2 hours" is longer than 60 minutes/],
    ["a service name with upper case", { serviceName: "Dev-Scorer" }, /^CloudRunService\(s\)\.serviceName: "Dev-Scorer" is not a valid service name/],
    ["a service name of 64 characters", { serviceName: "a".repeat(64) }, /^CloudRunService\(s\)\.serviceName: "a{64}" is not a valid service name/],
    ["a service name ending with a hyphen", { serviceName: "dev-scorer-" }, /^CloudRunService\(s\)\.serviceName: "dev-scorer-" is not a valid service name/],
    [
      "allUsers as an invoker (public must be asked for with public: true)",
      { invokers: ["allUsers"] },
      /^CloudRunService\(s\)\.invokers: "allUsers" is not an IAM member this stack grants access to/,
    ],
    [
      "allAuthenticatedUsers as an invoker",
      { invokers: ["allAuthenticatedUsers"] },
      /^CloudRunService\(s\)\.invokers: "allAuthenticatedUsers" is not an IAM member this stack grants access to/,
    ],
    ["a reserved env name", { env: { PORT: "8080" } }, /^CloudRunService\(s\)\.env: PORT is set by Cloud Run itself/],
    ["memory that does not fit the CPU", { cpu: 1, memory: "8 GiB" }, /^CloudRunService\(s\)\.memory: 8 GiB does not fit 1 vCPU/],
    [
      "the Compute default account",
      { serviceAccount: { email: "123-compute@developer.gserviceaccount.com" } },
      /^CloudRunService\(s\)\.serviceAccount\.email: "123-compute@developer\.gserviceaccount\.com" is a default service account/,
    ],
  ];
  itRejects(recorder, invalid, (overrides) => new CloudRunService("s", base(overrides)));
});
