import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { CloudRunJob } from "../../components/cloud-run-job";
import { Secret } from "../../components/secret";
import { SECRET } from "../../cli/src/preview/mock-runtime";
import { errorOf, registered, useMockRuntime } from "../helpers/pulumi";
import { JOB, jobArgs, jobContainer } from "./fixtures";

describe("Secret", () => {
  const recorder = useMockRuntime();

  it("a Secret Manager secret with its value as a version, never in plain text in the plan", async () => {
    new Secret("token", { secretId: "dev-etl-source-token", value: pulumi.secret("s3cr3t") });
    const resources = await registered(recorder);
    expect(recorder.get("gcp:secretmanager/secret:Secret", "token-secret").inputs).to.deep.equal({
      secretId: "dev-etl-source-token",
      replication: { auto: {} },
    });
    expect(recorder.get("gcp:secretmanager/secretVersion:SecretVersion", "token-version").inputs).to.deep.equal({
      secret: "projects/test-project/secrets/dev-etl-source-token",
      secretData: SECRET,
    });
    expect(JSON.stringify(resources)).not.to.include("s3cr3t");
  });

  it("linked to a job: an env var from that secret pinned to its version, secretAccessor on that secret for the job's account only, and the job waits for both", async () => {
    const secret = new Secret("token", { secretId: "dev-etl-source-token", value: pulumi.secret("s3cr3t") });
    new CloudRunJob("extract", jobArgs("dev-etl-extract", { links: [secret.env("SOURCE_TOKEN")] }));
    await registered(recorder);
    const job = recorder.get(JOB, "extract-job");
    const container = jobContainer(job);
    expect(container.envs).to.deep.equal([
      { name: "SOURCE_TOKEN", valueSource: { secretKeyRef: { secret: "projects/test-project/secrets/dev-etl-source-token", version: "1" } } },
    ]);
    const accessor = recorder.get("gcp:secretmanager/secretIamMember:SecretIamMember", "extract-secret-source_token");
    expect(accessor.inputs).to.deep.equal({
      secretId: "projects/test-project/secrets/dev-etl-source-token",
      role: "roles/secretmanager.secretAccessor",
      member: "serviceAccount:dev-etl-extract@test-project.iam.gserviceaccount.com",
    });
    expect(job.dependencies).to.include.members([accessor.urn, recorder.get("gcp:secretmanager/secretVersion:SecretVersion", "token-version").urn]);
  });

  it("env: rejects a name that is not an environment variable name, naming the secret", () => {
    const secret = new Secret("token", { secretId: "dev-token", value: pulumi.secret("x") });
    expect(errorOf(() => secret.env("api-key"))).to.match(
      /^Secret\(token\)\.env: "api-key" is not an environment variable name; use upper case letters, digits and underscores, e\.g\. API_KEY$/,
    );
  });

  it("rejects a secret id Secret Manager would refuse", () => {
    expect(errorOf(() => new Secret("t", { secretId: "a b", value: pulumi.secret("x") }))).to.match(/^Secret\(t\)\.secretId: "a b" is not a valid secret id/);
  });
});
