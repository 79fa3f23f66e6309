import * as gcp from "../../components/shared/gcp";
import { expect } from "chai";
import { Bucket } from "../../components/bucket";
import { CloudRunJob, CloudRunJobArgs } from "../../components/cloud-run-job";
import { Dataset } from "../../components/dataset";
import { ProjectApis } from "../../components/project-apis";
import { DEV, errorOf, PROD, promiseOf, registered, useMockRuntime } from "../helpers/pulumi";
import { ACCOUNT, isIamMember, itRejects, JOB, JOB_MEMBER, jobArgs, jobContainer } from "./fixtures";

const DIGEST = "europe-west1-docker.pkg.dev/test-project/dev-images/etl@sha256:" + "a".repeat(64);
const SA_EMAIL = "dev-etl-load@test-project.iam.gserviceaccount.com";
const SECRET_MEMBER = "gcp:secretmanager/secretIamMember:SecretIamMember";
const MEMBER = `serviceAccount:${SA_EMAIL}`;

const base = (overrides: Partial<CloudRunJobArgs> = {}): CloudRunJobArgs =>
  jobArgs("dev-etl-load", { image: DIGEST, serviceAccount: { accountId: "dev-etl-load", displayName: "ETL load (dev)" }, ...overrides });

describe("CloudRunJob", () => {
  const recorder = useMockRuntime();

  it("declares the v2 job exactly: image by digest, command, args, env sorted, cpu with memory, tasks, retries, timeout in seconds, its own account; no launchStage", async () => {
    const job = new CloudRunJob(
      "load",
      base({
        command: ["node", "/app/dist/main.js", "load"],
        args: ["--year", "2021"],
        env: { Z_LAST: "z", A_FIRST: "a" },
        cpu: 2,
        memory: "1 GiB",
        taskCount: 4,
        parallelism: 2,
        maxRetries: 1,
        taskTimeout: "30 minutes",
      }),
    );
    await registered(recorder);
    expect(recorder.get(JOB, "load-job").inputs).to.deep.equal({
      name: "dev-etl-load",
      location: "europe-west1",
      deletionProtection: false,
      template: {
        taskCount: 4,
        parallelism: 2,
        template: {
          serviceAccount: SA_EMAIL,
          maxRetries: 1,
          timeout: "1800s",
          containers: [
            {
              image: DIGEST,
              commands: ["node", "/app/dist/main.js", "load"],
              args: ["--year", "2021"],
              envs: [
                { name: "A_FIRST", value: "a" },
                { name: "Z_LAST", value: "z" },
              ],
              resources: { limits: { cpu: "2", memory: "1Gi" } },
            },
          ],
        },
      },
    });
    expect(recorder.get("gcp:serviceaccount/account:Account", "load-sa-account").inputs.accountId).to.equal("dev-etl-load");
    expect(await promiseOf(job.id)).to.equal("projects/test-project/locations/europe-west1/jobs/dev-etl-load");
    expect(await promiseOf(job.serviceAccountEmail)).to.equal(SA_EMAIL);
  });

  it("defaults follow the API: 1 task, 3 retries, 600 s timeout, 1 vCPU with 512 MiB; no parallelism field; prod keeps deletion protection (the provider defaults it to true)", async () => {
    new CloudRunJob("load", base({ policy: PROD }));
    await registered(recorder);
    const inputs = recorder.get(JOB, "load-job").inputs as {
      deletionProtection: boolean;
      template: Record<string, unknown> & { template: Record<string, unknown> & { containers: Record<string, unknown>[] } };
    };
    expect(inputs.deletionProtection).to.equal(true);
    expect(inputs.template).not.to.have.property("parallelism");
    expect(inputs.template.taskCount).to.equal(1);
    expect(inputs.template.template).to.deep.include({ maxRetries: 3, timeout: "600s" });
    expect(inputs.template.template.containers[0]).to.deep.equal({ image: DIGEST, envs: [], resources: { limits: { cpu: "1", memory: "512Mi" } } });
  });

  it("links become IAM for the job's own account on each linked resource, env names the resources, and the job waits for every grant", async () => {
    const raw = new Bucket("raw", { bucketName: "p-dev-raw", location: "EU", envName: "RAW_BUCKET", policy: DEV });
    const warehouse = new Dataset("warehouse", { datasetId: "dev_warehouse", location: "EU", envName: "WAREHOUSE_DATASET", policy: DEV });
    const other = new Dataset("other", { datasetId: "dev_other", location: "EU", envName: "OTHER_DATASET", policy: DEV });
    new CloudRunJob("load", base({ links: [raw.read, warehouse.write, other.read] }));
    const resources = await registered(recorder);
    const job = recorder.get(JOB, "load-job");
    const container = jobContainer(job);
    expect(container.envs).to.deep.equal([
      { name: "OTHER_DATASET", value: "dev_other" },
      { name: "RAW_BUCKET", value: "p-dev-raw" },
      { name: "WAREHOUSE_DATASET", value: "dev_warehouse" },
    ]);
    const grants = resources.filter((r) => isIamMember(r.type));
    expect(grants).to.have.length(4);
    // Registration order is the RPC answers' order: compare as a set.
    expect(grants.map((g) => [g.type, g.name, g.inputs])).to.have.deep.members([
      ["gcp:storage/bucketIAMMember:BucketIAMMember", "load-raw-objectViewer", { bucket: "p-dev-raw", role: "roles/storage.objectViewer", member: MEMBER }],
      [
        "gcp:bigquery/datasetIamMember:DatasetIamMember",
        "load-warehouse-dataEditor",
        { datasetId: "dev_warehouse", role: "roles/bigquery.dataEditor", member: MEMBER },
      ],
      ["gcp:projects/iAMMember:IAMMember", "load-project-bigquery-jobUser", { project: "test-project", role: "roles/bigquery.jobUser", member: MEMBER }],
      [
        "gcp:bigquery/datasetIamMember:DatasetIamMember",
        "load-other-dataViewer",
        { datasetId: "dev_other", role: "roles/bigquery.dataViewer", member: MEMBER },
      ],
    ]);
    for (const g of grants) expect(g.parent, g.name).to.equal(recorder.get("pipelines:gcp:CloudRunJob", "load").urn);
    expect(job.dependencies).to.include.members(grants.map((g) => g.urn));
  });

  it("secret env: a Secret Manager reference, secretAccessor for the job's account on that secret only, and the job waits for it (else creation fails)", async () => {
    new CloudRunJob(
      "load",
      base({ secretEnv: { API_KEY: { secret: "projects/test-project/secrets/api-key" }, DB_PASSWORD: { secret: "db-password", version: "3" } } }),
    );
    await registered(recorder);
    const job = recorder.get(JOB, "load-job");
    const container = jobContainer(job);
    expect(container.envs).to.deep.equal([
      { name: "API_KEY", valueSource: { secretKeyRef: { secret: "projects/test-project/secrets/api-key", version: "latest" } } },
      { name: "DB_PASSWORD", valueSource: { secretKeyRef: { secret: "db-password", version: "3" } } },
    ]);
    const accessor = recorder.get("gcp:secretmanager/secretIamMember:SecretIamMember", "load-secret-api_key");
    expect(accessor.inputs).to.deep.equal({
      secretId: "projects/test-project/secrets/api-key",
      role: "roles/secretmanager.secretAccessor",
      member: `serviceAccount:${SA_EMAIL}`,
    });
    expect(job.dependencies).to.include(accessor.urn);
    expect(job.dependencies).to.include(recorder.get("gcp:secretmanager/secretIamMember:SecretIamMember", "load-secret-db_password").urn);
  });

  it("runners get exactly run.jobsExecutorWithOverrides and run.viewer on this job; an existing account is used as given", async () => {
    new CloudRunJob("load", base({ runners: ["group:data@example.com"], serviceAccount: { email: "shared@test-project.iam.gserviceaccount.com" } }));
    const resources = await registered(recorder);
    expect(resources.filter((r) => r.type === "gcp:serviceaccount/account:Account")).to.deep.equal([]);
    expect((recorder.get(JOB, "load-job").inputs.template as { template: { serviceAccount: string } }).template.serviceAccount).to.equal(
      "shared@test-project.iam.gserviceaccount.com",
    );
    expect(resources.filter((r) => r.type === "gcp:cloudrunv2/jobIamMember:JobIamMember").map((r) => r.inputs)).to.deep.equal([
      {
        name: "dev-etl-load",
        location: "europe-west1",
        project: "test-project",
        role: "roles/run.jobsExecutorWithOverrides",
        member: "group:data@example.com",
      },
      { name: "dev-etl-load", location: "europe-west1", project: "test-project", role: "roles/run.viewer", member: "group:data@example.com" },
    ]);
  });

  it("the transform hook reaches any provider field", async () => {
    new CloudRunJob("load", base({ transform: { job: { launchStage: "BETA" } as Partial<gcp.cloudrunv2.JobArgs> } }));
    await registered(recorder);
    expect(recorder.get(JOB, "load-job").inputs.launchStage).to.equal("BETA");
  });

  const invalid: [string, Partial<CloudRunJobArgs>, RegExp][] = [
    ["cpu 3", { cpu: 3 as 1 }, /^CloudRunJob\(j\)\.cpu: 3 is not an allowed vCPU count; use 1, 2, 4, 6 or 8$/],
    ["memory below 512 MiB", { memory: "256 MiB" }, /^CloudRunJob\(j\)\.memory: 256 MiB does not fit 1 vCPU; use 512Mi to 4Gi with 1 vCPU$/],
    ["1 GiB with 4 vCPU", { cpu: 4, memory: "1 GiB" }, /^CloudRunJob\(j\)\.memory: 1 GiB does not fit 4 vCPU; use 2Gi to 16Gi with 4 vCPU$/],
    ["taskCount 0", { taskCount: 0 }, /^CloudRunJob\(j\)\.taskCount: 0 is out of range; use a whole number from 1 to 10000$/],
    ["taskCount 10001", { taskCount: 10001 }, /^CloudRunJob\(j\)\.taskCount: 10001 is out of range/],
    [
      "parallelism above taskCount",
      { taskCount: 2, parallelism: 3 },
      /^CloudRunJob\(j\)\.parallelism: 3 is out of range; use a whole number from 1 to taskCount \(2\)/,
    ],
    ["maxRetries 11", { maxRetries: 11 }, /^CloudRunJob\(j\)\.maxRetries: 11 is out of range; use a whole number from 0 to 10$/],
    ["timeout over 168 hours", { taskTimeout: "169 hours" }, /^CloudRunJob\(j\)\.taskTimeout: "169 hours" is longer than 168 hours/],
    ["zero timeout", { taskTimeout: "0 seconds" }, /^CloudRunJob\(j\)\.taskTimeout: "0 seconds" is 0 seconds/],
    ["job name", { jobName: "Dev_Load" }, /^CloudRunJob\(j\)\.jobName: "Dev_Load" is not a valid job name/],
    ["reserved env", { env: { CLOUD_RUN_TASK_INDEX: "1" } }, /^CloudRunJob\(j\)\.env: CLOUD_RUN_TASK_INDEX is set by Cloud Run itself/],
    ["env name", { env: { "MY-VAR": "1" } }, /^CloudRunJob\(j\)\.env: "MY-VAR" is not a valid variable name/],
    ["plain and secret", { env: { KEY: "1" }, secretEnv: { KEY: { secret: "s" } } }, /^CloudRunJob\(j\)\.secretEnv: KEY is also a plain env variable/],
    ["public runner", { runners: ["allUsers"] }, /^CloudRunJob\(j\)\.runners: "allUsers" is not an IAM member this stack grants access to/],
    [
      "default account",
      { serviceAccount: { email: "1-compute@developer.gserviceaccount.com" } },
      /^CloudRunJob\(j\)\.serviceAccount\.email: .* is a default service account/,
    ],
  ];
  itRejects(recorder, invalid, (overrides) => new CloudRunJob("j", base(overrides)));

  it("rejects a variable set by a link and by env", async () => {
    const raw = new Bucket("raw", { bucketName: "p-dev-raw", location: "EU", envName: "RAW_BUCKET", policy: DEV });
    await registered(recorder);
    recorder.clear();
    expect(errorOf(() => new CloudRunJob("j", base({ links: [raw.read], env: { RAW_BUCKET: "x" } })))).to.match(
      /^CloudRunJob\(j\): the environment variable RAW_BUCKET is set by two links or by a link and env/,
    );
    expect(await registered(recorder)).to.deep.equal([]);
  });

  it("rejects the same variable from a link and from secretEnv, declaring nothing", async () => {
    const raw = new Bucket("raw", { bucketName: "p-dev-raw", location: "EU", envName: "RAW_BUCKET", policy: DEV });
    await registered(recorder);
    recorder.clear();
    expect(errorOf(() => new CloudRunJob("j", base({ links: [raw.read], secretEnv: { RAW_BUCKET: { secret: "s" } } })))).to.match(
      /^CloudRunJob\(j\): the environment variable RAW_BUCKET is set by two links or by a link and env/,
    );
    expect(await registered(recorder)).to.deep.equal([]);
  });

  it("deletion protection: the provider defaults it to true, so dev sets false (else destroy and replacement fail) and prod true", async () => {
    new CloudRunJob("dev", base({ jobName: "dev-etl-load" }));
    new CloudRunJob("prod", base({ jobName: "prod-etl-load", serviceAccount: { accountId: "prod-etl-load", displayName: "x" }, policy: PROD }));
    await registered(recorder);
    expect(recorder.get(JOB, "dev-job").inputs.deletionProtection).to.equal(false);
    expect(recorder.get(JOB, "prod-job").inputs.deletionProtection).to.equal(true);
  });

  it("cpu set together with memory: with only memory given, the limits still carry cpu (else the API adds one and every update diffs)", async () => {
    new CloudRunJob("load", base({ memory: "2 GiB" }));
    await registered(recorder);
    const container = jobContainer(recorder.get(JOB, "load-job"));
    expect(container.resources).to.deep.equal({ limits: { cpu: "1", memory: "2Gi" } });
  });

  it("never the default Compute account: the task template always names the job's own account, and no runtime trigger (launchStage, execution tokens) is set", async () => {
    new CloudRunJob("load", base());
    await registered(recorder);
    const inputs = recorder.get(JOB, "load-job").inputs;
    expect(Object.keys(inputs).sort()).to.deep.equal(["deletionProtection", "location", "name", "template"]);
    expect((inputs.template as { template: { serviceAccount: string } }).template.serviceAccount).to.equal(SA_EMAIL);
    expect(recorder.get(ACCOUNT, "load-sa-account").inputs).to.deep.equal({ accountId: "dev-etl-load", displayName: "ETL load (dev)" });
  });

  it("env from links merged with the job's env, one list sorted by name (a stable order keeps diffs to the variable that changed)", async () => {
    const raw = new Bucket("raw", { bucketName: "p-dev-raw", location: "EU", envName: "RAW_BUCKET", policy: DEV });
    new CloudRunJob("load", base({ links: [raw.read], env: { ZONE: "z", LOG_LEVEL: "info", APP: "etl" }, secretEnv: { KEY: { secret: "k" } } }));
    await registered(recorder);
    const container = jobContainer(recorder.get(JOB, "load-job"));
    expect(container.envs).to.deep.equal([
      { name: "APP", value: "etl" },
      { name: "KEY", valueSource: { secretKeyRef: { secret: "k", version: "latest" } } },
      { name: "LOG_LEVEL", value: "info" },
      { name: "RAW_BUCKET", value: "p-dev-raw" },
      { name: "ZONE", value: "z" },
    ]);
  });

  it("a job with secret env waits for its secretAccessor grant, which is on that secret for the job's own account only", async () => {
    new CloudRunJob("load", base({ secretEnv: { API_KEY: { secret: "api-key", version: "2" } } }));
    const resources = await registered(recorder);
    const accessors = resources.filter((r) => r.type === SECRET_MEMBER);
    expect(accessors.map((a) => [a.name, a.inputs])).to.deep.equal([
      ["load-secret-api_key", { secretId: "api-key", role: "roles/secretmanager.secretAccessor", member: MEMBER }],
    ]);
    expect(recorder.get(JOB, "load-job").dependencies).to.include(accessors[0].urn);
  });

  it("two variables from the same secret give one secretAccessor member (two members of one binding: deleting either removes the access of both)", async () => {
    new CloudRunJob("load", base({ secretEnv: { DB_USER: { secret: "db", version: "1" }, DB_PASSWORD: { secret: "db", version: "2" } } }));
    const resources = await registered(recorder);
    expect(resources.filter((r) => r.type === SECRET_MEMBER).map((r) => r.inputs)).to.deep.equal([
      { secretId: "db", role: "roles/secretmanager.secretAccessor", member: MEMBER },
    ]);
  });

  it("a runner listed twice gets its two roles once (two resources with one URN make the engine fail the deploy)", async () => {
    new CloudRunJob("load", base({ runners: ["user:ana@example.com", "user:ana@example.com"] }));
    const runners = (await registered(recorder)).filter((r) => r.type === JOB_MEMBER);
    expect(runners.map((r) => r.inputs.role).sort()).to.deep.equal(["roles/run.jobsExecutorWithOverrides", "roles/run.viewer"]);
    expect(new Set(runners.map((r) => r.urn)).size).to.equal(runners.length);
  });

  it("rejects secret env names that differ only in case (their accessor resources would share one URN and the engine would fail the deploy), declaring nothing", async () => {
    expect(errorOf(() => new CloudRunJob("load", base({ secretEnv: { API_KEY: { secret: "key-a" }, api_key: { secret: "key-b" } } })))).to.match(
      /^CloudRunJob\(load\)\.secretEnv: /,
    );
    expect(await registered(recorder)).to.deep.equal([]);
  });

  it("runners: exactly two JobIamMember per member (jobsExecutorWithOverrides and viewer) on this job, none for the job's own account", async () => {
    new CloudRunJob("load", base({ runners: ["user:ana@example.com", "serviceAccount:ci@ci-project.iam.gserviceaccount.com"] }));
    const resources = await registered(recorder);
    const runners = resources.filter((r) => r.type === JOB_MEMBER);
    const on = { name: "dev-etl-load", location: "europe-west1", project: "test-project" };
    expect(runners.map((r) => r.inputs)).to.have.deep.members([
      { ...on, role: "roles/run.jobsExecutorWithOverrides", member: "user:ana@example.com" },
      { ...on, role: "roles/run.viewer", member: "user:ana@example.com" },
      { ...on, role: "roles/run.jobsExecutorWithOverrides", member: "serviceAccount:ci@ci-project.iam.gserviceaccount.com" },
      { ...on, role: "roles/run.viewer", member: "serviceAccount:ci@ci-project.iam.gserviceaccount.com" },
    ]);
    expect(runners).to.have.length(4);
    expect(new Set(runners.map((r) => r.name)).size).to.equal(4);
    expect(resources.filter((r) => isIamMember(r.type) && r.type !== JOB_MEMBER)).to.deep.equal([]);
    // The runner grants name the job by its output, so they come after it.
    for (const r of runners) expect(r.dependencies, r.name).to.include(recorder.get(JOB, "load-job").urn);
  });

  it("children wait for the component's dependsOn: the account, every grant and the job wait for the project's APIs", async () => {
    const apis = new ProjectApis("apis", { services: ["run.googleapis.com", "iam.googleapis.com"] });
    const raw = new Bucket("raw", { bucketName: "p-dev-raw", location: "EU", envName: "RAW_BUCKET", policy: DEV });
    new CloudRunJob("load", base({ links: [raw.read], secretEnv: { K: { secret: "k" } }, runners: ["user:ana@example.com"] }), { dependsOn: [apis] });
    const resources = await registered(recorder);
    const services = recorder.ofType("gcp:projects/service:Service").map((s) => s.urn);
    expect(services).to.have.length(2);
    const children = resources.filter((r) => r.custom && r.name.startsWith("load-"));
    expect(children.map((c) => c.type).sort()).to.deep.equal(
      [JOB_MEMBER, JOB_MEMBER, ACCOUNT, "gcp:storage/bucketIAMMember:BucketIAMMember", JOB, SECRET_MEMBER].sort(),
    );
    for (const child of children) expect(child.dependencies, child.name).to.include.members(services);
  });
});
