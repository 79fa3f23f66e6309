import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { quote } from "shell-quote";
import { ArtifactRepository } from "./artifact-repository";
import { applyTransform, PipelineComponent, Transform } from "./shared/component";
import { InputError } from "./shared/errors";
import { IMAGE_BY_DIGEST, IMAGE_NAME } from "./shared/formats";
import { childName } from "./shared/naming";

export interface PromotedImageArgs {
  /**
   * The image to promote, by digest: `<registry host>/<path>/<image>@sha256:<64 hex digits>`, e.g. what dev built
   * (`npm run promote` writes it into the stack file). It is read once, when the copy runs; after that the stack
   * no longer needs it (the source repository may be deleted).
   */
  source: string;
  /** This stack's own repository, which the image is copied into. */
  repository: ArtifactRepository;
  /** Image name inside the repository, e.g. `etl`: lowercase letters, digits, `-`, `_`, `.`. */
  imageName: string;
  /** Escape hatch to any field of the `command.local.Command` that copies the image. */
  transform?: { copy?: Transform<command.local.CommandArgs> };
}

/**
 * An image promoted by digest: copied from another stack's repository (e.g. dev's) into this stack's own, so the
 * stack runs only images it holds itself and does not depend on the other stack staying alive (its `pulumi
 * destroy` deletes its repository). The copy keeps the digest, so this stack runs byte for byte what was tested.
 *
 * The copy is `gcrane cp`, the tool Google documents for copying images between Artifact Registry repositories
 * (src: https://cloud.google.com/artifact-registry/docs/docker/copy-images); `crane copy`, which gcrane extends,
 * copies "while retaining the digest value" (src:
 * https://github.com/google/go-containerregistry/blob/main/cmd/crane/doc/crane_copy.md), and the command checks
 * the copied digest anyway (`gcrane digest`) and fails if it differs. gcrane authenticates to `*.pkg.dev` with the
 * deployer's Google credentials, Application Default Credentials first, then gcloud's (src:
 * https://github.com/google/go-containerregistry/blob/main/pkg/v1/google/keychain.go).
 *
 * It runs where `pulumi up` runs, as a `local.Command`: once on create, again only when the source or the target
 * changes, and never on `pulumi preview` (`local.Command` executes "as part of the resource lifecycle", unlike
 * `local.run`, which runs on every preview: `node_modules/@pulumi/command/local/run.d.ts`; the CLI installs the
 * command provider plugin on first use: https://www.pulumi.com/docs/iac/concepts/plugins/). Needs `gcrane` on the
 * PATH; the deployer needs `roles/artifactregistry.reader` on the source repository and
 * `roles/artifactregistry.writer` on this one (src: the copy-images page above). The copy is tagged
 * `promoted-<first 12 hex digits>`, so the repository's delete-untagged cleanup policy never removes an image the
 * stack runs.
 *
 * @throws InputError when `source` is not an image by digest (e.g. the offline preview's placeholder) or
 * `imageName` is not a valid image name.
 * @example
 * ```ts
 * import { ArtifactRepository, environmentPolicy, PromotedImage } from "./components";
 *
 * const repository = new ArtifactRepository("images", { repositoryId: "prod-images", location: "europe-west1", policy: environmentPolicy(true) });
 * const etl = new PromotedImage("etl-promoted", {
 *   source: `europe-west1-docker.pkg.dev/my-pipelines-dev/dev-images/etl@sha256:${"0".repeat(64)}`,
 *   repository,
 *   imageName: "etl",
 * });
 * export const image = etl.repoDigest; // europe-west1-docker.pkg.dev/<prod project>/prod-images/etl@sha256:000…
 * ```
 */
export class PromotedImage extends PipelineComponent {
  /** The copy in this stack's repository, by digest, `<registryUri>/<imageName>@sha256:<hex>`: what workloads run. It resolves once the copy is done. */
  public readonly repoDigest: pulumi.Output<string>;

  constructor(name: string, args: PromotedImageArgs, opts?: pulumi.ComponentResourceOptions) {
    const digest = validate(name, args);
    super("pipelines:gcp:PromotedImage", name, opts);
    const target = pulumi.interpolate`${args.repository.registryUri}/${args.imageName}`;
    const tagged = pulumi.interpolate`${target}:promoted-${digest.slice("sha256:".length, "sha256:".length + 12)}`;
    const copy = new command.local.Command(
      childName(name, "copy"),
      applyTransform<command.local.CommandArgs>(
        {
          create: tagged.apply((to) => copyScript(args.source, to, digest)),
          logging: "stderr",
        },
        args.transform?.copy,
      ),
      this.child(),
    );
    // Built from the copy's id, so every workload that runs it waits for the copy.
    this.repoDigest = pulumi.all([copy.id, target]).apply(([, image]) => `${image}@${digest}`);
    this.registerOutputs({ repoDigest: this.repoDigest });
  }
}

/** The shell script that copies `source` to `to` and fails unless the copy has `digest`. */
function copyScript(source: string, to: string, digest: string): string {
  return [
    `gcrane cp ${quote([source, to])}`,
    `copied="$(gcrane digest ${quote([to])})"`,
    `if [ "$copied" != ${quote([digest])} ]; then echo "promoted image ${to} has digest $copied, expected ${digest}" >&2; exit 1; fi`,
  ].join(" && ");
}

/** @returns the source's digest, `sha256:<hex>`. */
function validate(name: string, args: PromotedImageArgs): string {
  if (!IMAGE_BY_DIGEST.test(args.source)) {
    throw new InputError(
      `PromotedImage(${name}).source`,
      `"${args.source}" is not an image by digest`,
      "pass <registry>/<path>/<image>@sha256:<64 hex digits>, as `npm run promote` writes it from a deployed stack's outputs",
    );
  }
  if (!IMAGE_NAME.test(args.imageName)) {
    throw new InputError(
      `PromotedImage(${name}).imageName`,
      `"${args.imageName}" is not a valid image name`,
      "use lowercase letters and digits separated by '.', '_' or '-', e.g. etl",
    );
  }
  return args.source.slice(args.source.indexOf("@") + 1);
}
