import { Command } from "commander";
import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { IMAGE_BY_DIGEST, IMAGE_NAMES, ImageName, PROJECT } from "../../../config";
import { imageOutputs } from "../contract/outputs";
import { BadInput } from "../runner/errors";
import { readOutputsJson } from "../runner/outputs";
import { OFFLINE_DIGEST } from "../preview/mock-runtime";
import { ROOT } from "../preview/run-program";

/** Each image the stacks run, and the config key that carries its promoted digest. */
export const PROMOTED_IMAGES = Object.fromEntries(IMAGE_NAMES.map((name) => [name, `${PROJECT}:${name}Image`])) as Record<ImageName, string>;

const digest = z.string().regex(IMAGE_BY_DIGEST, "expected an image by digest");
const outputs = imageOutputs(IMAGE_NAMES, digest);

/** What a promotion changed: per image, the digest before (if any) and after. */
export type Promotion = Record<string, { from?: string; to: string }>;

/**
 * Promotes the images a stack built (its `images` outputs, e.g. dev's) into another stack's file (e.g.
 * `Pulumi.prod.yaml`), keeping that file's comments and other values: the target then copies exactly those
 * digests into its own repository, deploys them and builds nothing.
 * @throws BadInput when the outputs came from the offline preview (made-up digests), have no image digests, or
 * the target stack file is missing; the file is then left as it was.
 */
export function promote(from: string, to: string, outputsFile?: string, root = ROOT): Promotion {
  const file = path.join(root, `Pulumi.${to}.yaml`);
  if (!fs.existsSync(file)) throw new BadInput(`--to ${to}: no stack file ${path.basename(file)}`);
  const { json, from: source } = readOutputsJson(from, outputsFile);
  if (JSON.stringify(json).includes(OFFLINE_DIGEST)) {
    throw new BadInput(
      `--from ${from}: ${source} came from the offline preview (its images are ${OFFLINE_DIGEST}, which no registry holds); promote a deployed stack: \`pulumi up --stack ${from}\`, then \`npm run promote -- --from ${from} --to ${to}\` without --outputs (or with the outputs of \`pulumi stack output --json --stack ${from}\`)`,
    );
  }
  const parsed = outputs.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadInput(
      `--from ${from}: ${source} has no promotable image digests: ${issue.path.join(".")}: ${issue.message} (was the stack deployed with buildImages: true?)`,
    );
  }
  const doc = parseDocument(fs.readFileSync(file, "utf8"));
  const changes: Promotion = {};
  for (const [image, key] of Object.entries(PROMOTED_IMAGES)) {
    const before = doc.getIn(["config", key]) as string | undefined;
    const after = parsed.data.images[image as ImageName];
    doc.setIn(["config", key], after);
    changes[image] = { ...(before && { from: before }), to: after };
  }
  fs.writeFileSync(file, doc.toString());
  return changes;
}

if (require.main === module) {
  const program = new Command("promote")
    .description("Writes the image digests one stack built (its stack outputs) into another stack's file.")
    .requiredOption("--from <stack>", "the stack that built the images", "dev")
    .requiredOption("--to <stack>", "the stack that deploys them")
    .option("--outputs <file>", "the --from stack's outputs as JSON instead of the Pulumi CLI")
    .parse(process.argv);
  const opts = program.opts<{ from: string; to: string; outputs?: string }>();
  try {
    for (const [image, change] of Object.entries(promote(opts.from, opts.to, opts.outputs))) {
      process.stdout.write(`${image}: ${change.from ?? "(none)"} -> ${change.to}\n`);
    }
    process.stdout.write(
      `wrote Pulumi.${opts.to}.yaml; review and commit it, then \`pulumi up --stack ${opts.to}\`: it copies each image into ${opts.to}'s own repository with gcrane (its deployer needs read on ${opts.from}'s repository: ${opts.from}'s cloudrun-pipelines:imageReaders)\n`,
    );
  } catch (err) {
    process.stderr.write(`promote failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof BadInput ? 2 : 1);
  }
}
