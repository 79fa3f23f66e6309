import * as pulumi from "@pulumi/pulumi";
import { ArtifactRepository } from "../components/artifact-repository";
import { ContainerImage } from "../components/container-image";
import { physicalName } from "../components/shared/naming";
import { StackConfig } from "../config";

/** The images the workloads run, by digest, and the repository the stack builds them into (when it builds). */
export interface Images {
  readonly repository?: ArtifactRepository;
  /** The batch ETL image (`images/etl`), by digest: built here, or promoted from another stack. */
  readonly etl: pulumi.Input<string>;
}

/**
 * Images are built once, in the stack that builds (dev), and promoted by digest: a stack with `etlImage` set
 * deploys that digest and builds nothing; a stack with `buildImages: false` declares no repository at all.
 */
export function declareImages(config: StackConfig, opts: pulumi.ComponentResourceOptions): Images {
  if (!config.images.build) return { etl: config.images.etl! };
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
  const etl = config.images.etl ?? new ContainerImage("etl-image", { repository, imageName: "etl", context: "images/etl" }, opts).repoDigest;
  return { repository, etl };
}
