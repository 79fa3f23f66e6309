import { expect } from "chai";
import { ArtifactRepository } from "../../components/artifact-repository";
import { DEV, errorOf, PROD, promiseOf, registered, useMockRuntime } from "../helpers/pulumi";

const REPOSITORY = "gcp:artifactregistry/repository:Repository";

describe("ArtifactRepository", () => {
  const recorder = useMockRuntime();

  it("a Docker repository with cleanup on by default: delete untagged after 7 days, keep the 10 most recent (ages in seconds: days cause a diff that replaces the repository)", async () => {
    const repository = new ArtifactRepository("images", { repositoryId: "dev-images", location: "europe-west1", policy: DEV });
    await registered(recorder);
    const child = recorder.get(REPOSITORY, "images-repository");
    expect(child.inputs).to.deep.equal({
      repositoryId: "dev-images",
      location: "europe-west1",
      format: "DOCKER",
      description: "Container images of the pipeline workloads (managed by Pulumi).",
      cleanupPolicyDryRun: false,
      cleanupPolicies: [
        { id: "delete-untagged", action: "DELETE", condition: { tagState: "UNTAGGED", olderThan: "604800s" } },
        { id: "keep-10-most-recent", action: "KEEP", mostRecentVersions: { keepCount: 10 } },
      ],
    });
    expect(child.protect).to.equal(false);
    expect(await promiseOf(repository.registryUri)).to.equal("europe-west1-docker.pkg.dev/test-project/dev-images");
    expect(await promiseOf(repository.registryHost)).to.equal("europe-west1-docker.pkg.dev");
  });

  it("prod: protected (it holds the images prod runs); custom keep count and age", async () => {
    new ArtifactRepository("images", { repositoryId: "prod-images", location: "europe-west1", policy: PROD, keepCount: 20, deleteUntaggedAfterDays: 2 });
    await registered(recorder);
    const child = recorder.get(REPOSITORY, "images-repository");
    expect(child.protect).to.equal(true);
    expect(child.inputs.cleanupPolicies).to.deep.equal([
      { id: "delete-untagged", action: "DELETE", condition: { tagState: "UNTAGGED", olderThan: "172800s" } },
      { id: "keep-20-most-recent", action: "KEEP", mostRecentVersions: { keepCount: 20 } },
    ]);
  });

  it("readers (e.g. prod's Cloud Run service agent) get roles/artifactregistry.reader on this repository only, once each", async () => {
    const agent = "serviceAccount:service-123@serverless-robot-prod.iam.gserviceaccount.com";
    new ArtifactRepository("images", { repositoryId: "dev-images", location: "europe-west1", policy: DEV, readers: [agent, agent] });
    const resources = await registered(recorder);
    expect(resources.filter((r) => r.type === "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember").map((r) => r.inputs)).to.deep.equal([
      { repository: "dev-images", location: "europe-west1", project: "test-project", role: "roles/artifactregistry.reader", member: agent },
    ]);
  });

  it("rejects an invalid id, a keep count of 0 and a fractional age", () => {
    expect(errorOf(() => new ArtifactRepository("a", { repositoryId: "1images", location: "eu", policy: DEV }))).to.match(
      /^ArtifactRepository\(a\)\.repositoryId: "1images"/,
    );
    expect(errorOf(() => new ArtifactRepository("b", { repositoryId: "images", location: "eu", policy: DEV, keepCount: 0 }))).to.match(
      /^ArtifactRepository\(b\)\.keepCount: 0 is not a positive whole number/,
    );
    expect(errorOf(() => new ArtifactRepository("c", { repositoryId: "images", location: "eu", policy: DEV, deleteUntaggedAfterDays: 1.5 }))).to.match(
      /^ArtifactRepository\(c\)\.deleteUntaggedAfterDays: 1.5/,
    );
  });
  it("rejects readers that open the images to a whole domain or to everyone, or are malformed", () => {
    for (const [reader, problem] of [
      ["allUsers", "allUsers opens access to anyone on the internet"],
      ["domain:example.com", "domain opens access to a whole domain"],
      ["user:ana", 'after "user:" comes an email address'],
    ]) {
      expect(errorOf(() => new ArtifactRepository("r", { repositoryId: "images", location: "eu", policy: DEV, readers: [reader] }))).to.include(
        `ArtifactRepository(r).readers: "${reader}" is not an IAM member this stack grants access to; ${problem}`,
      );
    }
  });
  it('cleanup durations in seconds: olderThan is "<n>s", never days ("7d" diffs against the API\'s seconds and replaces the repository)', async () => {
    new ArtifactRepository("images", { repositoryId: "dev-images", location: "europe-west1", policy: DEV, deleteUntaggedAfterDays: 30 });
    await registered(recorder);
    const [deleteUntagged] = recorder.get(REPOSITORY, "images-repository").inputs.cleanupPolicies as { condition: { olderThan: string } }[];
    expect(deleteUntagged.condition.olderThan).to.equal("2592000s");
    expect(deleteUntagged.condition.olderThan).to.match(/^\d+s$/);
  });

  it("cleanup really runs (cleanupPolicyDryRun false), and the repository is the component's only resource", async () => {
    new ArtifactRepository("images", { repositoryId: "dev-images", location: "europe-west1", policy: DEV });
    const resources = await registered(recorder);
    expect(recorder.get(REPOSITORY, "images-repository").inputs.cleanupPolicyDryRun).to.equal(false);
    expect(resources.filter((r) => r.custom).map((r) => r.name)).to.deep.equal(["images-repository"]);
    expect(recorder.get(REPOSITORY, "images-repository").parent).to.equal(recorder.get("pipelines:gcp:ArtifactRepository", "images").urn);
  });

  it("registryUri follows the repository's location and id", async () => {
    const repository = new ArtifactRepository("images", { repositoryId: "prod-images", location: "us-central1", policy: PROD });
    expect(await promiseOf(repository.registryUri)).to.equal("us-central1-docker.pkg.dev/test-project/prod-images");
    expect(await promiseOf(repository.registryHost)).to.equal("us-central1-docker.pkg.dev");
    expect(await promiseOf(repository.repositoryId)).to.equal("prod-images");
  });

  it("rejected args declare nothing: bad ids (upper case, underscore, trailing hyphen, 64 characters) and keepCount 0 or fractional", async () => {
    for (const repositoryId of ["Images", "dev_images", "images-", "a".repeat(64)]) {
      expect(
        errorOf(() => new ArtifactRepository("r", { repositoryId, location: "eu", policy: DEV })),
        repositoryId,
      ).to.equal(
        `ArtifactRepository(r).repositoryId: "${repositoryId}" is not a valid repository id; use lowercase letters, digits and hyphens, starting with a letter, at most 63 characters`,
      );
    }
    expect(errorOf(() => new ArtifactRepository("r", { repositoryId: "images", location: "eu", policy: DEV, keepCount: 0 }))).to.equal(
      "ArtifactRepository(r).keepCount: 0 is not a positive whole number; keep at least the 1 most recent version, e.g. 10",
    );
    expect(errorOf(() => new ArtifactRepository("r", { repositoryId: "images", location: "eu", policy: DEV, keepCount: 2.5 }))).to.match(
      /^ArtifactRepository\(r\)\.keepCount: 2\.5/,
    );
    expect(errorOf(() => new ArtifactRepository("r", { repositoryId: "images", location: "eu", policy: DEV, deleteUntaggedAfterDays: 0 }))).to.match(
      /^ArtifactRepository\(r\)\.deleteUntaggedAfterDays: 0 is not a positive whole number of days/,
    );
    expect(await registered(recorder)).to.deep.equal([]);
  });
});
