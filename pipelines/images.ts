import * as pulumi from "@pulumi/pulumi";
import { ArtifactRepository, ContainerImage, physicalName, PromotedImage } from "@cloudrun-pipelines/components";
import { IMAGE_NAMES, ImageName, StackConfig } from "../config";

/** The images the workloads run, by digest, and the stack's own repository that holds them. */
export interface Images {
  readonly repository: ArtifactRepository;
  /** Each image (`images/<name>`) by digest in {@link Images.repository}: built here, or promoted from another stack and copied here. */
  readonly digests: Readonly<Record<ImageName, pulumi.Input<string>>>;
}

/**
 * Images are built once, in the stack that builds (dev), and promoted by digest: an image whose `<name>Image` is
 * set is copied by that digest into this stack's own repository (a {@link PromotedImage}) and deployed from there,
 * so a stack never pulls from another stack's repository and outlives it (dev's `pulumi destroy` deletes dev's
 * repository). Every stack has its own repository, protected where the stack protects its data.
 *
 * Config validation has already required a promoted digest for every image of a stack that builds none; only an
 * offline run (the mock runtime) may lack one, and then deploys `config.images.placeholder` instead (no copy).
 */
export function declareImages(config: StackConfig, opts: pulumi.ComponentResourceOptions): Images {
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
  const digest = (name: ImageName): pulumi.Input<string> => {
    const promoted = config.images.promoted[name];
    if (promoted !== undefined) return new PromotedImage(`${name}-promoted`, { source: promoted, repository, imageName: name }, opts).repoDigest;
    // Built from the repository root (the one lockfile, the one images/shared), each by its own Dockerfile: the root
    // .dockerignore keeps the context to what the Dockerfiles copy.
    if (config.images.build)
      return new ContainerImage(`${name}-image`, { repository, imageName: name, context: ".", dockerfile: `images/${name}/Dockerfile` }, opts).repoDigest;
    return config.images.placeholder!;
  };
  return { repository, digests: Object.fromEntries(IMAGE_NAMES.map((name) => [name, digest(name)])) as Record<ImageName, pulumi.Input<string>> };
}
