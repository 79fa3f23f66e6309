import * as pulumi from "@pulumi/pulumi";
import { ArtifactRepository, ContainerImage, physicalName } from "../components";
import { IMAGE_NAMES, ImageName, StackConfig } from "../config";

/** The images the workloads run, by digest, and the repository the stack builds them into (when it builds). */
export interface Images {
  readonly repository?: ArtifactRepository;
  /** Each image (`images/<name>`) by digest: built here, or promoted from another stack. */
  readonly digests: Readonly<Record<ImageName, pulumi.Input<string>>>;
}

/**
 * Images are built once, in the stack that builds (dev), and promoted by digest: an image whose `<name>Image` is
 * set is deployed by that digest and not built; a stack with `buildImages: false` declares no repository at all
 * (config validation has already required a promoted digest for every image there).
 */
export function declareImages(config: StackConfig, opts: pulumi.ComponentResourceOptions): Images {
  const promoted = config.images.promoted;
  if (!config.images.build) return { digests: Object.fromEntries(IMAGE_NAMES.map((name) => [name, promoted[name]!])) as Record<ImageName, string> };
  const repository = new ArtifactRepository(
    "images",
    {
      repositoryId: physicalName("artifactRepository", [config.stack, "images"]),
      location: config.region,
      policy: config.policy,
      keepCount: config.imageKeepCount,
      deleteUntaggedAfterDays: config.untaggedImageRetentionDays,
      readers: [...config.images.readers],
    },
    opts,
  );
  const digest = (name: ImageName) => promoted[name] ?? new ContainerImage(`${name}-image`, { repository, imageName: name, context: `images/${name}` }, opts).repoDigest;
  return { repository, digests: Object.fromEntries(IMAGE_NAMES.map((name) => [name, digest(name)])) as Record<ImageName, pulumi.Input<string>> };
}
