import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { computedOutputs } from "../../../cli/src/preview/mock-runtime";
import { promote } from "../../../cli/src/promote/promote";

const DIGEST = `europe-west1-docker.pkg.dev/p-dev/dev-images/etl@sha256:${"b".repeat(64)}`;

/** A project declaring the three images' keys, as this repository's Pulumi.yaml does (config.ts). */
function setup(outputs: unknown, declared = ["etlImage", "scorerImage", "streamImage"]) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "promote-"));
  const config = declared.map((key) => `  ${key}:\n    type: string\n    default: ""\n`).join("");
  fs.writeFileSync(path.join(root, "Pulumi.yaml"), `name: cloudrun-pipelines\nruntime: nodejs\nconfig:\n${config}`);
  fs.writeFileSync(
    path.join(root, "Pulumi.prod.yaml"),
    '# prod stack\nconfig:\n  gcp:project: p-prod # the prod project\n  cloudrun-pipelines:buildImages: "false"\n',
  );
  const outputsFile = path.join(root, "dev-outputs.json");
  fs.writeFileSync(outputsFile, JSON.stringify(outputs));
  return { root, outputsFile, file: path.join(root, "Pulumi.prod.yaml") };
}

describe("npm run promote: dev's image digests into prod's stack file", () => {
  it("writes each digest under its config key and keeps the file's comments and values", () => {
    const images = { etl: DIGEST, scorer: DIGEST.replace("/etl@", "/scorer@"), stream: DIGEST.replace("/etl@", "/stream@") };
    const { root, outputsFile, file } = setup({ images, jobs: {} });
    expect(promote("dev", "prod", outputsFile, root)).to.deep.equal({ etl: { to: images.etl }, scorer: { to: images.scorer }, stream: { to: images.stream } });
    const text = fs.readFileSync(file, "utf8");
    expect(text).to.include("# prod stack").and.include("# the prod project");
    expect((parse(text) as { config: unknown }).config).to.deep.equal({
      "gcp:project": "p-prod",
      "cloudrun-pipelines:buildImages": "false",
      "cloudrun-pipelines:etlImage": images.etl,
      "cloudrun-pipelines:scorerImage": images.scorer,
      "cloudrun-pipelines:streamImage": images.stream,
    });
    const next = DIGEST.replace(/b{64}/, "c".repeat(64));
    fs.writeFileSync(outputsFile, JSON.stringify({ images: { ...images, etl: next } }));
    expect(promote("dev", "prod", outputsFile, root).etl).to.deep.equal({ from: DIGEST, to: next });
  });

  it("refuses the offline preview's outputs (`npm run preview -- --outputs F`): their digests are made up, and the stack file stays as it was", () => {
    const made = (name: string) =>
      computedOutputs(
        "docker:index/image:Image",
        { imageName: `europe-west1-docker.pkg.dev/p-dev/dev-images/${name}:src-0123456789ab` },
        { project: "p-dev", region: "europe-west1" },
      ).outputs.repoDigest as string;
    const { root, outputsFile, file } = setup({ images: { etl: made("etl"), scorer: made("scorer"), stream: made("stream") }, jobs: {} });
    const before = fs.readFileSync(file, "utf8");
    expect(() => promote("dev", "prod", outputsFile, root)).to.throw(
      `--from dev: ${outputsFile} came from the offline preview (its images are sha256:<offline-preview-placeholder>, which no registry holds); promote a deployed stack: \`pulumi up --stack dev\`, then \`cloudrun-pipelines promote --from dev --to prod\` without --outputs (or with the outputs of \`pulumi stack output --json --stack dev\`)`,
    );
    expect(fs.readFileSync(file, "utf8")).to.equal(before);
  });

  it("refuses outputs without digests (a tag is not promotable) and a stack without a file", () => {
    const { root, outputsFile } = setup({ images: { etl: "europe-west1-docker.pkg.dev/p/r/etl:latest" } });
    expect(() => promote("dev", "prod", outputsFile, root)).to.throw(
      /--from dev: .* has no promotable image digests: images\.etl: expected an image by digest/,
    );
    expect(() => promote("dev", "qa", outputsFile, root)).to.throw(`--to qa: no stack file Pulumi.qa.yaml in ${root}`);
  });

  it("promotes the images the outputs name, under the keys the project's Pulumi.yaml declares; an undeclared key is refused and nothing is written", () => {
    const { root, outputsFile, file } = setup({ images: { etl: DIGEST } }, ["etlImage"]);
    expect(promote("dev", "prod", outputsFile, root)).to.deep.equal({ etl: { to: DIGEST } });
    const other = setup({ images: { etl: DIGEST, scorer: DIGEST.replace("/etl@", "/scorer@") } }, ["etlImage"]);
    const before = fs.readFileSync(other.file, "utf8");
    expect(() => promote("dev", "prod", other.outputsFile, other.root)).to.throw(
      `image "scorer": ${path.join(other.root, "Pulumi.yaml")} declares no config key scorerImage to promote its digest into; declare it under config: (type: string) and have the program deploy that digest, or leave the image out of the stack's images output`,
    );
    expect(fs.readFileSync(other.file, "utf8")).to.equal(before);
    expect((parse(fs.readFileSync(file, "utf8")) as { config: Record<string, string> }).config["cloudrun-pipelines:etlImage"]).to.equal(DIGEST);
  });
});
