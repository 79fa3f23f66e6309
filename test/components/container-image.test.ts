import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ArtifactRepository } from "../../components/artifact-repository";
import { CloudRunJob } from "../../components/cloud-run-job";
import { ContainerImage, contextHash } from "../../components/container-image";
import { OFFLINE_DIGEST, SECRET } from "../../cli/src/preview/mock-runtime";
import { DEV, errorOf, promiseOf, registered, useMockRuntime } from "../helpers/pulumi";
import { JOB, jobArgs, jobContainer } from "./fixtures";

function buildContext(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "image-"));
  fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM node:24-bookworm-slim\nCOPY src ./src\n");
  fs.mkdirSync(path.join(dir, "src"));
  fs.writeFileSync(path.join(dir, "src", "main.ts"), "console.log(1);\n");
  return dir;
}

describe("ContainerImage", () => {
  const recorder = useMockRuntime();

  it("builds for linux/amd64 (Cloud Run's platform), tags by content, pushes with an OAuth token kept secret, and exposes the digest", async () => {
    const context = buildContext();
    const repository = new ArtifactRepository("images", { repositoryId: "dev-images", location: "europe-west1", policy: DEV });
    const image = new ContainerImage("etl-image", { repository, imageName: "etl", context });
    await registered(recorder);
    const tag = `src-${contextHash("etl-image", context)}`;
    expect(tag).to.match(/^src-[0-9a-f]{12}$/);
    // @pulumi/docker marks the whole `registry` input secret (it holds the password), and fills in its defaults.
    expect(recorder.get("docker:index/image:Image", "etl-image-image").inputs).to.deep.equal({
      imageName: `europe-west1-docker.pkg.dev/test-project/dev-images/etl:${tag}`,
      build: { context, platform: "linux/amd64" },
      registry: SECRET,
      buildOnPreview: false,
      skipPush: false,
    });
    expect(await promiseOf(image.repoDigest)).to.equal(`europe-west1-docker.pkg.dev/test-project/dev-images/etl@${OFFLINE_DIGEST}`);
  });

  it("authenticates the push as the deployer with an access token (no credential helper needed), and the transform hook sees every argument", async () => {
    const repository = new ArtifactRepository("images", { repositoryId: "dev-images", location: "europe-west1", policy: DEV });
    let seen: docker.ImageArgs | undefined;
    new ContainerImage("etl-image", { repository, imageName: "etl", context: buildContext(), transform: { image: (args) => (seen = args) } });
    const registry = pulumi.output(seen!.registry);
    expect(await promiseOf(registry)).to.deep.equal({ server: "europe-west1-docker.pkg.dev", username: "oauth2accesstoken", password: "mock-access-token" });
    expect(await pulumi.isSecret(registry)).to.equal(true);
  });

  it("the tag changes with the sources, not with node_modules or dist (a reused tag can leave repoDigest stale)", () => {
    const context = buildContext();
    const before = contextHash("i", context);
    fs.mkdirSync(path.join(context, "node_modules"));
    fs.writeFileSync(path.join(context, "node_modules", "x.js"), "1");
    fs.mkdirSync(path.join(context, "dist"));
    fs.writeFileSync(path.join(context, "dist", "main.js"), "1");
    expect(contextHash("i", context)).to.equal(before);
    fs.writeFileSync(path.join(context, "src", "main.ts"), "console.log(2);\n");
    expect(contextHash("i", context)).not.to.equal(before);
  });

  it("rejects a context without a Dockerfile and an invalid image name, before declaring anything", async () => {
    const repository = new ArtifactRepository("images", { repositoryId: "dev-images", location: "europe-west1", policy: DEV });
    await registered(recorder);
    recorder.clear();
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "empty-"));
    expect(errorOf(() => new ContainerImage("a", { repository, imageName: "etl", context: empty }))).to.equal(
      `ContainerImage(a).dockerfile: "${path.join(empty, "Dockerfile")}" does not exist; point context at a folder that holds a Dockerfile, or dockerfile at the image's Dockerfile, e.g. images/etl/Dockerfile`,
    );
    fs.writeFileSync(path.join(empty, "Dockerfile"), "FROM node\nCOPY package.json ./\n");
    expect(errorOf(() => new ContainerImage("c", { repository, imageName: "etl", context: empty }))).to.equal(
      `ContainerImage(c).context: ${path.join(empty, "Dockerfile")} copies "package.json", which is not in the build context ${empty}; copy only files under the context, or widen the context`,
    );
    expect(errorOf(() => new ContainerImage("b", { repository, imageName: "ETL", context: buildContext() }))).to.match(
      /^ContainerImage\(b\)\.imageName: "ETL" is not a valid image name/,
    );
    expect(await registered(recorder)).to.deep.equal([]);
  });
  it("image by digest: a CloudRunJob given repoDigest runs `<repo>/<image>@sha256:…`, which changes with every build (a tag would not roll the job)", async () => {
    const repository = new ArtifactRepository("images", { repositoryId: "dev-images", location: "europe-west1", policy: DEV });
    const image = new ContainerImage("etl-image", { repository, imageName: "etl", context: buildContext() });
    new CloudRunJob("load", jobArgs("dev-etl-load", { image: image.repoDigest }));
    await registered(recorder);
    const container = jobContainer(recorder.get(JOB, "load-job"));
    expect(container.image).to.equal(await promiseOf(image.repoDigest));
    expect(container.image).to.equal(`europe-west1-docker.pkg.dev/test-project/dev-images/etl@${OFFLINE_DIGEST}`);
    expect(recorder.get("gcp:cloudrunv2/job:Job", "load-job").dependencies).to.include(recorder.get("docker:index/image:Image", "etl-image-image").urn);
  });

  it("the tagged name is the registry URI, the image name and the content tag; another platform can be chosen", async () => {
    const context = buildContext();
    const repository = new ArtifactRepository("images", { repositoryId: "dev-images", location: "europe-west1", policy: DEV });
    const image = new ContainerImage("etl-image", { repository, imageName: "etl.v2", context, platform: "linux/arm64" });
    await registered(recorder);
    const inputs = recorder.get("docker:index/image:Image", "etl-image-image").inputs;
    expect(inputs.build).to.deep.equal({ context, platform: "linux/arm64" });
    expect(await promiseOf(image.taggedName)).to.equal(`europe-west1-docker.pkg.dev/test-project/dev-images/etl.v2:src-${contextHash("etl-image", context)}`);
    expect(recorder.get("docker:index/image:Image", "etl-image-image").parent).to.equal(recorder.get("pipelines:gcp:ContainerImage", "etl-image").urn);
  });

  it("an explicit Dockerfile is passed to the build, and the tag hashes that Dockerfile", async () => {
    const context = buildContext();
    const dockerfile = path.join(context, "Dockerfile");
    const repository = new ArtifactRepository("images", { repositoryId: "dev-images", location: "europe-west1", policy: DEV });
    new ContainerImage("etl-image", { repository, imageName: "etl", context, dockerfile });
    await registered(recorder);
    const inputs = recorder.get("docker:index/image:Image", "etl-image-image").inputs;
    expect(inputs.build).to.deep.equal({ context, dockerfile, platform: "linux/amd64" });
    expect(inputs.imageName).to.equal(`europe-west1-docker.pkg.dev/test-project/dev-images/etl:src-${contextHash("etl-image", context, dockerfile)}`);
  });

  it("images sharing one context (the repository root, a Dockerfile each) get tags of their own inputs: an edit to one image's source retags that image only", () => {
    const context = fs.mkdtempSync(path.join(os.tmpdir(), "images-"));
    for (const image of ["a", "b"]) {
      fs.mkdirSync(path.join(context, image, "src"), { recursive: true });
      fs.writeFileSync(path.join(context, image, "src", "main.ts"), `console.log("${image}");\n`);
      fs.writeFileSync(
        path.join(context, image, "Dockerfile"),
        `FROM node\nCOPY shared ./shared\nCOPY ${image}/src ./src\nCOPY --from=build /app/dist ./dist\n`,
      );
    }
    fs.mkdirSync(path.join(context, "shared"));
    fs.writeFileSync(path.join(context, "shared", "log.ts"), "export {};\n");
    const hashes = () => ["a", "b"].map((image) => contextHash(image, context, path.join(context, image, "Dockerfile")));
    const [a, b] = hashes();
    expect(a).not.to.equal(b);
    fs.writeFileSync(path.join(context, "b", "src", "main.ts"), 'console.log("b2");\n');
    const [a2, b2] = hashes();
    expect(a2).to.equal(a);
    expect(b2).not.to.equal(b);
    fs.writeFileSync(path.join(context, "shared", "log.ts"), "export const x = 1;\n");
    expect(hashes().every((h, i) => h !== [a2, b2][i])).to.equal(true);
  });

  it("contextHash: 12 hex digits, the same for the same files, different for a renamed or an added file, blind to .git", () => {
    const context = buildContext();
    const before = contextHash("i", context);
    expect(before).to.match(/^[0-9a-f]{12}$/);
    expect(contextHash("i", context)).to.equal(before);
    fs.mkdirSync(path.join(context, ".git"));
    fs.writeFileSync(path.join(context, ".git", "HEAD"), "ref: refs/heads/main\n");
    expect(contextHash("i", context)).to.equal(before);
    fs.renameSync(path.join(context, "src", "main.ts"), path.join(context, "src", "index.ts"));
    const renamed = contextHash("i", context);
    expect(renamed).not.to.equal(before);
    fs.writeFileSync(path.join(context, "src", "extra.ts"), "export {};\n");
    expect(contextHash("i", context)).not.to.equal(renamed);
  });

  it("rejects image names Docker would refuse, naming the field and the fix", () => {
    const repository = new ArtifactRepository("images", { repositoryId: "dev-images", location: "europe-west1", policy: DEV });
    for (const imageName of ["ETL", "etl/extract", "-etl", "etl-", "etl:1", ""]) {
      expect(
        errorOf(() => new ContainerImage("b", { repository, imageName, context: buildContext() })),
        imageName,
      ).to.equal(
        `ContainerImage(b).imageName: "${imageName}" is not a valid image name; use lowercase letters and digits separated by '.', '_' or '-', e.g. etl`,
      );
    }
  });
});
