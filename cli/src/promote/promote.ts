import * as fs from "fs";
import * as path from "path";
import { IMAGE_BY_DIGEST } from "@cloudrun-pipelines/components/formats";
import { parseDocument } from "yaml";
import { z } from "zod";
import { imageOutputs } from "../contract/outputs";
import { OFFLINE_DIGEST } from "../preview/mock-runtime";
import { readProject } from "../preview/run-program";
import { BadInput } from "../errors";
import { readOutputsJson } from "../project/outputs";

const outputs = imageOutputs(z.string().regex(IMAGE_BY_DIGEST, "expected an image by digest, <registry>/<path>/<image>@sha256:<64 hex digits>"));

/**
 * The `--from` stack's outputs (project/outputs.ts); when they cannot be read, the fix names a deployed stack's
 * outputs (`pulumi stack output --json`), never the offline preview's, which promote refuses.
 * @throws BadInput naming the stack, the missing file or the Pulumi CLI's failure, and that command.
 */
function deployedOutputs(from: string, to: string, outputsFile?: string): { json: unknown; from: string } {
  const fix = `promote reads a deployed stack's outputs: \`pulumi stack output --json --stack ${from} > ${from}-outputs.json\`, then \`cloudrun-pipelines promote --from ${from} --to ${to} --outputs ${from}-outputs.json\``;
  if (outputsFile !== undefined && !fs.existsSync(outputsFile)) throw new BadInput(`--outputs ${outputsFile}: no such file; ${fix}`);
  try {
    return readOutputsJson(from, outputsFile);
  } catch (err) {
    if (!(err instanceof BadInput) || outputsFile !== undefined) throw err;
    throw new BadInput(`--from ${from}: no outputs from the Pulumi CLI (${err.message.split(":")[0]}); ${fix}`);
  }
}

/** What a promotion changed: per image, the digest before (if any) and after. */
export type Promotion = Record<string, { from?: string; to: string }>;

/**
 * The config key that carries each image's promoted digest: `<project>:<image>Image`, which the project's
 * `Pulumi.yaml` must declare under `config:`: the declaration is how a project says its program reads the key, so a
 * digest is never written where no program reads it.
 * @throws BadInput naming the image and the key to declare when `Pulumi.yaml` does not declare it.
 */
export function promotedKeys(images: readonly string[], root = process.cwd()): Record<string, string> {
  const project = readProject(root);
  const declared = new Set(Object.keys(project.config ?? {}).map((key) => (key.includes(":") ? key : `${project.name}:${key}`)));
  const keys: Record<string, string> = {};
  for (const image of images) {
    const key = `${project.name}:${image}Image`;
    if (!declared.has(key))
      throw new BadInput(
        `image "${image}": ${path.join(root, "Pulumi.yaml")} declares no config key ${image}Image to promote its digest into; declare it under config: (type: string) and have the program deploy that digest, or leave the image out of the stack's images output`,
      );
    keys[image] = key;
  }
  return keys;
}

/**
 * Promotes the images a stack built (its `images` outputs, e.g. dev's, image name → digest) into another stack's
 * file (e.g. `Pulumi.prod.yaml`) under the keys the project declares for them (`<image>Image`, {@link promotedKeys}),
 * keeping that file's comments and other values: the target then deploys exactly those digests.
 * @param root - the project's folder (its `Pulumi.yaml` and stack files); by default the current one.
 * @throws BadInput when the outputs came from the offline preview (made-up digests), have no image digests, name an
 * image the project declares no key for, or the target stack file is missing; the file is then left as it was.
 * @example
 * promote("dev", "prod", "dev-outputs.json"); // { etl: { from: "…@sha256:…", to: "…@sha256:…" } }
 */
export function promote(from: string, to: string, outputsFile?: string, root = process.cwd()): Promotion {
  const file = path.join(root, `Pulumi.${to}.yaml`);
  if (!fs.existsSync(file)) throw new BadInput(`--to ${to}: no stack file ${path.basename(file)} in ${root}`);
  const { json, from: source } = deployedOutputs(from, to, outputsFile);
  if (JSON.stringify(json).includes(OFFLINE_DIGEST)) {
    throw new BadInput(
      `--from ${from}: ${source} came from the offline preview (its images are ${OFFLINE_DIGEST}, which no registry holds); promote a deployed stack: \`pulumi up --stack ${from}\`, then \`cloudrun-pipelines promote --from ${from} --to ${to}\` without --outputs (or with the outputs of \`pulumi stack output --json --stack ${from}\`)`,
    );
  }
  const parsed = outputs.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadInput(
      `--from ${from}: ${source} has no promotable image digests: ${issue.path.join(".")}: ${issue.message} (was the stack deployed with its images built?)`,
    );
  }
  const keys = promotedKeys(Object.keys(parsed.data.images), root);
  const doc = parseDocument(fs.readFileSync(file, "utf8"));
  const changes: Promotion = {};
  for (const [image, key] of Object.entries(keys)) {
    const before = doc.getIn(["config", key]) as string | undefined;
    const after = parsed.data.images[image];
    doc.setIn(["config", key], after);
    changes[image] = { ...(before && { from: before }), to: after };
  }
  fs.writeFileSync(file, doc.toString());
  return changes;
}
