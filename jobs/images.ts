import * as pulumi from "@pulumi/pulumi";
import { ArtifactRepository } from "../components/artifact-repository";
import { ContainerImage } from "../components/container-image";
import { physicalName } from "../components/shared/naming";
import { StackConfig } from "../config";

/** The image repository and the images built from `images/<name>/`. */
export interface Images {
  readonly repository: ArtifactRepository;
  /** The batch ETL image (`images/etl`): one entrypoint with the subcommands extract, load and transform. */
  readonly etl: ContainerImage;
}

/** Declares the stack's Artifact Registry repository and builds and pushes each workload image into it. */
export function declareImages(config: StackConfig, opts: pulumi.ComponentResourceOptions): Images {
  const repository = new ArtifactRepository(
    "images",
    {
      repositoryId: physicalName("artifactRepository", [config.stack, "images"]),
      location: config.region,
      policy: config.policy,
      keepCount: config.imageKeepCount,
      deleteUntaggedAfterDays: config.untaggedImageRetentionDays,
    },
    opts,
  );
  const etl = new ContainerImage("etl-image", { repository, imageName: "etl", context: "images/etl" }, opts);
  return { repository, etl };
}
