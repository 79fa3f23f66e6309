import { expect } from "chai";
import { ArtifactRepository } from "../../components/artifact-repository";
import { CloudRunJob } from "../../components/cloud-run-job";
import { PromotedImage } from "../../components/promoted-image";
import { OFFLINE_DIGEST } from "../../cli/src/preview/mock-runtime";
import { errorOf, PROD, promiseOf, registered, useMockRuntime } from "../helpers/pulumi";
import { JOB, jobArgs, jobContainer } from "./fixtures";

const HEX = "0123456789abcdef".repeat(4);
const SOURCE = `europe-west1-docker.pkg.dev/my-pipelines-dev/dev-images/etl@sha256:${HEX}`;
const COMMAND = "command:local:Command";

describe("PromotedImage", () => {
  const recorder = useMockRuntime();

  it("copies the image by digest into the stack's own repository with gcrane, tagged, checks the copied digest, and runs the copy", async () => {
    const repository = new ArtifactRepository("images", { repositoryId: "prod-images", location: "europe-west1", policy: PROD });
    const image = new PromotedImage("etl-promoted", { source: SOURCE, repository, imageName: "etl" });
    await registered(recorder);
    const target = "europe-west1-docker.pkg.dev/test-project/prod-images/etl";
    const copy = recorder.get(COMMAND, "etl-promoted-copy");
    expect(copy.inputs).to.deep.equal({
      // Quoted for the shell by shell-quote (it escapes `@` and `:`).
      create: [
        `gcrane cp ${SOURCE.replace("@sha256:", "\\@sha256\\:")} ${target}\\:promoted-0123456789ab`,
        `copied="$(gcrane digest ${target}\\:promoted-0123456789ab)"`,
        `if [ "$copied" != sha256\\:${HEX} ]; then echo "promoted image ${target}:promoted-0123456789ab has digest $copied, expected sha256:${HEX}" >&2; exit 1; fi`,
      ].join(" && "),
      logging: "stderr",
    });
    expect(copy.parent).to.equal(recorder.get("pipelines:gcp:PromotedImage", "etl-promoted").urn);
    expect(copy.dependencies).to.include(recorder.get("gcp:artifactregistry/repository:Repository", "images-repository").urn);
    expect(await promiseOf(image.repoDigest)).to.equal(`${target}@sha256:${HEX}`);
  });

  it("a workload given repoDigest waits for the copy (it runs only an image its own repository holds)", async () => {
    const repository = new ArtifactRepository("images", { repositoryId: "prod-images", location: "europe-west1", policy: PROD });
    const image = new PromotedImage("etl-promoted", { source: SOURCE, repository, imageName: "etl" });
    new CloudRunJob("load", jobArgs("prod-etl-load", { image: image.repoDigest, policy: PROD }));
    await registered(recorder);
    const job = recorder.get(JOB, "load-job");
    expect(jobContainer(job).image).to.equal(`europe-west1-docker.pkg.dev/test-project/prod-images/etl@sha256:${HEX}`);
    expect(job.dependencies).to.include(recorder.get(COMMAND, "etl-promoted-copy").urn);
  });

  it("refuses a source that is not an image by digest (a tag, the offline preview's made-up digest, its placeholder) before declaring anything", async () => {
    const repository = new ArtifactRepository("images", { repositoryId: "prod-images", location: "europe-west1", policy: PROD });
    await registered(recorder);
    recorder.clear();
    for (const source of [
      "europe-west1-docker.pkg.dev/p/dev-images/etl:latest",
      `europe-west1-docker.pkg.dev/p/dev-images/etl@${OFFLINE_DIGEST}`,
      "<promote: npm run promote -- --from dev --to prod>",
    ]) {
      expect(errorOf(() => new PromotedImage("etl-promoted", { source, repository, imageName: "etl" }))).to.equal(
        `PromotedImage(etl-promoted).source: "${source}" is not an image by digest; pass <registry>/<path>/<image>@sha256:<64 hex digits>, as \`npm run promote\` writes it from a deployed stack's outputs`,
      );
    }
    expect(errorOf(() => new PromotedImage("x", { source: SOURCE, repository, imageName: "ETL" }))).to.match(
      /^PromotedImage\(x\)\.imageName: "ETL" is not a valid image name/,
    );
    expect(await registered(recorder)).to.deep.equal([]);
  });
});
