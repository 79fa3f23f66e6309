import { expect } from "chai";
import { Bucket } from "../../../components/bucket";
import { CloudRunJob } from "../../../components/cloud-run-job";
import { CloudRunService } from "../../../components/cloud-run-service";
import { resolveWorkload, WorkloadArgs } from "../../../components/shared/workload";
import { JOB, jobContainer, SERVICE, serviceContainer } from "../fixtures";
import { DEV, errorOf, registered, useMockRuntime } from "../../helpers/pulumi";

const DIGEST = "europe-west1-docker.pkg.dev/test-project/dev-images/etl@sha256:" + "c".repeat(64);
const WORKLOAD: WorkloadArgs = {
  image: DIGEST,
  command: ["node", "/app/dist/main.js"],
  args: ["--verbose"],
  env: { ZONE: "z", APP: "etl" },
  secretEnv: { API_KEY: { secret: "api-key", version: "2" } },
  cpu: 2,
  memory: "2 GiB",
  serviceAccount: { accountId: "dev-workload", displayName: "Workload (dev)" },
};

describe("workload: the container surface a job and a service share", () => {
  const recorder = useMockRuntime();

  it("resolveWorkload builds the container exactly: command, args, env and secrets sorted by name, cpu with memory; no command or args when unset", () => {
    const { container, secretEnv } = resolveWorkload("W", WORKLOAD, {});
    expect(container).to.deep.equal({
      image: DIGEST,
      commands: ["node", "/app/dist/main.js"],
      args: ["--verbose"],
      envs: [
        { name: "API_KEY", valueSource: { secretKeyRef: { secret: "api-key", version: "2" } } },
        { name: "APP", value: "etl" },
        { name: "ZONE", value: "z" },
      ],
      resources: { limits: { cpu: "2", memory: "2Gi" } },
    });
    expect(secretEnv).to.deep.equal({ API_KEY: { secret: "api-key", version: "2" } });
    const bare = resolveWorkload("W", { image: DIGEST, serviceAccount: WORKLOAD.serviceAccount }, {}).container;
    expect(bare).to.deep.equal({ image: DIGEST, envs: [], resources: { limits: { cpu: "1", memory: "512Mi" } } });
  });

  it("a CloudRunJob and a CloudRunService given the same WorkloadArgs declare the same container, account and grants", async () => {
    const raw = new Bucket("raw", { bucketName: "p-dev-raw", location: "EU", envName: "RAW_BUCKET", policy: DEV });
    const args = { ...WORKLOAD, links: [raw.read], location: "europe-west1", policy: DEV };
    new CloudRunJob("j", { ...args, jobName: "dev-j", serviceAccount: { accountId: "dev-job", displayName: "Job" } });
    new CloudRunService("s", { ...args, serviceName: "dev-s", serviceAccount: { accountId: "dev-service", displayName: "Service" } });
    const resources = await registered(recorder);
    expect(jobContainer(recorder.get(JOB, "j-job"))).to.deep.equal(serviceContainer(recorder.get(SERVICE, "s-service")));
    const children = (prefix: string) =>
      resources
        .filter((r) => r.name.startsWith(`${prefix}-`) && r.name !== `${prefix}-job` && r.name !== `${prefix}-service`)
        .map((r) => `${r.type} ${r.name.slice(prefix.length)} ${String(r.inputs.role)}`)
        .sort();
    expect(children("j")).to.deep.equal(children("s"));
    expect(children("j")).to.deep.equal([
      "gcp:secretmanager/secretIamMember:SecretIamMember -secret-api_key roles/secretmanager.secretAccessor",
      "gcp:serviceaccount/account:Account -sa-account undefined",
      "gcp:storage/bucketIAMMember:BucketIAMMember -raw-objectViewer roles/storage.objectViewer",
      "pipelines:gcp:ServiceAccount -sa undefined",
    ]);
  });

  it("resolveWorkload checks the IAM members it is given under their key, and the service account", () => {
    expect(errorOf(() => resolveWorkload("W", WORKLOAD, { runners: ["ana@example.com"] }))).to.match(/^W\.runners: "ana@example\.com" is not an IAM member/);
    expect(errorOf(() => resolveWorkload("W", { ...WORKLOAD, serviceAccount: { accountId: "x", displayName: "X" } }, {}))).to.match(
      /^W\.serviceAccount\.accountId: "x" is not a valid account id/,
    );
  });
});
