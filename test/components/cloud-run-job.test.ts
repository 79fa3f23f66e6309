import * as gcp from "@pulumi/gcp";
import { expect } from "chai";
import { Bucket } from "../../components/bucket";
import { CloudRunJob, CloudRunJobArgs } from "../../components/cloud-run-job";
import { Dataset } from "../../components/dataset";
import { iamRows } from "../../tools/render";
import { DEV, errorOf, PROD, promiseOf, registered, useMockRuntime } from "../helpers/pulumi";

const JOB = "gcp:cloudrunv2/job:Job";
const DIGEST = "europe-west1-docker.pkg.dev/test-project/dev-images/etl@sha256:" + "a".repeat(64);
const SA_EMAIL = "dev-etl-load@test-project.iam.gserviceaccount.com";

const base = (overrides: Partial<CloudRunJobArgs> = {}): CloudRunJobArgs => ({
  jobName: "dev-etl-load",
  location: "europe-west1",
  image: DIGEST,
  serviceAccount: { accountId: "dev-etl-load", displayName: "ETL load (dev)" },
  policy: DEV,
  ...overrides,
});

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
    const inputs = recorder.get(JOB, "load-job").inputs as { deletionProtection: boolean; template: Record<string, unknown> & { template: Record<string, unknown> & { containers: Record<string, unknown>[] } } };
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
    const container = (job.inputs.template as { template: { containers: { envs: unknown[] }[] } }).template.containers[0];
    expect(container.envs).to.deep.equal([
      { name: "OTHER_DATASET", value: "dev_other" },
      { name: "RAW_BUCKET", value: "p-dev-raw" },
      { name: "WAREHOUSE_DATASET", value: "dev_warehouse" },
    ]);
    expect(iamRows(resources).map((r) => `${r.member} ${r.role} ${r.resource}`)).to.deep.equal([
      `serviceAccount:${SA_EMAIL} roles/bigquery.dataEditor dataset dev_warehouse`,
      `serviceAccount:${SA_EMAIL} roles/bigquery.dataViewer dataset dev_other`,
      `serviceAccount:${SA_EMAIL} roles/bigquery.jobUser project test-project`,
      `serviceAccount:${SA_EMAIL} roles/storage.objectViewer bucket p-dev-raw`,
    ]);
    const grants = resources.filter((r) => r.type.endsWith("IAMMember") || r.type.endsWith("IamMember"));
    expect(job.dependencies).to.include.members(grants.map((g) => g.urn));
  });

  it("secret env: a Secret Manager reference, secretAccessor for the job's account on that secret only, and the job waits for it (else creation fails)", async () => {
    new CloudRunJob("load", base({ secretEnv: { API_KEY: { secret: "projects/test-project/secrets/api-key" }, DB_PASSWORD: { secret: "db-password", version: "3" } } }));
    await registered(recorder);
    const job = recorder.get(JOB, "load-job");
    const container = (job.inputs.template as { template: { containers: { envs: unknown[] }[] } }).template.containers[0];
    expect(container.envs).to.deep.equal([
      { name: "API_KEY", valueSource: { secretKeyRef: { secret: "projects/test-project/secrets/api-key", version: "latest" } } },
      { name: "DB_PASSWORD", valueSource: { secretKeyRef: { secret: "db-password", version: "3" } } },
    ]);
    const accessor = recorder.get("gcp:secretmanager/secretIamMember:SecretIamMember", "load-secret-api_key");
    expect(accessor.inputs).to.deep.equal({ secretId: "projects/test-project/secrets/api-key", role: "roles/secretmanager.secretAccessor", member: `serviceAccount:${SA_EMAIL}` });
    expect(job.dependencies).to.include(accessor.urn);
    expect(job.dependencies).to.include(recorder.get("gcp:secretmanager/secretIamMember:SecretIamMember", "load-secret-db_password").urn);
  });

  it("runners get exactly run.jobsExecutorWithOverrides and run.viewer on this job; an existing account is used as given", async () => {
    new CloudRunJob("load", base({ runners: ["group:data@example.com"], serviceAccount: { email: "shared@test-project.iam.gserviceaccount.com" } }));
    const resources = await registered(recorder);
    expect(resources.filter((r) => r.type === "gcp:serviceaccount/account:Account")).to.deep.equal([]);
    expect((recorder.get(JOB, "load-job").inputs.template as { template: { serviceAccount: string } }).template.serviceAccount).to.equal("shared@test-project.iam.gserviceaccount.com");
    expect(resources.filter((r) => r.type === "gcp:cloudrunv2/jobIamMember:JobIamMember").map((r) => r.inputs)).to.deep.equal([
      { name: "dev-etl-load", location: "europe-west1", project: "test-project", role: "roles/run.jobsExecutorWithOverrides", member: "group:data@example.com" },
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
    ["parallelism above taskCount", { taskCount: 2, parallelism: 3 }, /^CloudRunJob\(j\)\.parallelism: 3 is out of range; use a whole number from 1 to taskCount \(2\)/],
    ["maxRetries 11", { maxRetries: 11 }, /^CloudRunJob\(j\)\.maxRetries: 11 is out of range; use a whole number from 0 to 10$/],
    ["timeout over 168 hours", { taskTimeout: "169 hours" }, /^CloudRunJob\(j\)\.taskTimeout: "169 hours" is longer than 168 hours/],
    ["zero timeout", { taskTimeout: "0 seconds" }, /^CloudRunJob\(j\)\.taskTimeout: "0 seconds" is 0 seconds/],
    ["job name", { jobName: "Dev_Load" }, /^CloudRunJob\(j\)\.jobName: "Dev_Load" is not a valid job name/],
    ["reserved env", { env: { CLOUD_RUN_TASK_INDEX: "1" } }, /^CloudRunJob\(j\)\.env: CLOUD_RUN_TASK_INDEX is set by Cloud Run itself/],
    ["env name", { env: { "MY-VAR": "1" } }, /^CloudRunJob\(j\)\.env: "MY-VAR" is not a valid variable name/],
    ["plain and secret", { env: { KEY: "1" }, secretEnv: { KEY: { secret: "s" } } }, /^CloudRunJob\(j\)\.secretEnv: KEY is also a plain env variable/],
    ["public runner", { runners: ["allUsers"] }, /^CloudRunJob\(j\)\.runners: "allUsers" is not an IAM member of one principal/],
    ["default account", { serviceAccount: { email: "1-compute@developer.gserviceaccount.com" } }, /^ServiceAccount\(j-sa\)\.email: .* is a default service account/],
  ];
  for (const [what, overrides, message] of invalid) {
    it(`rejects ${what} with the field and the fix, declaring nothing`, async () => {
      expect(errorOf(() => new CloudRunJob("j", base(overrides)))).to.match(message);
      expect(await registered(recorder)).to.deep.equal([]);
    });
  }

  it("rejects a variable set by a link and by env", async () => {
    const raw = new Bucket("raw", { bucketName: "p-dev-raw", location: "EU", envName: "RAW_BUCKET", policy: DEV });
    expect(errorOf(() => new CloudRunJob("j", base({ links: [raw.read], env: { RAW_BUCKET: "x" } })))).to.match(/^CloudRunJob\(j\): the environment variable RAW_BUCKET is set by two links or by a link and env/);
  });
});
