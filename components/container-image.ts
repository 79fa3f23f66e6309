import * as docker from "@pulumi/docker";
import * as gcp from "./shared/gcp";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ArtifactRepository } from "./artifact-repository";
import { applyTransform, PipelineComponent, Transform } from "./shared/component";
import { copiedFiles } from "./shared/dockerfile";
import { InputError } from "./shared/errors";
import { IMAGE_NAME } from "./shared/formats";
import { childName } from "./shared/naming";

export interface ContainerImageArgs {
  /** The repository the image is pushed to. */
  repository: ArtifactRepository;
  /** Image name inside the repository, e.g. `etl`: lowercase letters, digits, `-`, `_`, `.`. */
  imageName: string;
  /** Build context: the folder the build copies from, e.g. `images/etl` or `.` (relative to the working directory of `pulumi up`, the project root). Docker reads the `.dockerignore` at its top. */
  context: string;
  /**
   * The Dockerfile, relative to the working directory of `pulumi up` (the project root), where the provider reads it
   * (src: pulumi/pulumi-docker provider/image.go, `filepath.Abs(build.Dockerfile)`); with `context: "."` that is also
   * relative to the context, which older provider versions assumed (pulumi/pulumi-docker#529, #572).
   * @default "<context>/Dockerfile"
   */
  dockerfile?: string;
  /**
   * Target platform. Cloud Run runs linux/amd64 images; an image built on an ARM laptop without it fails to
   * start (src: https://cloud.google.com/run/docs/container-contract#languages).
   * @default "linux/amd64"
   */
  platform?: string;
  /** Escape hatch to any field of the `docker.Image`. */
  transform?: { image?: Transform<docker.ImageArgs> };
}

/**
 * An image built from `images/<name>` with `@pulumi/docker` and pushed to an Artifact Registry repository,
 * authenticated with the deployer's own Google access token (`oauth2accesstoken`), so no Docker credential helper
 * is needed (src: https://cloud.google.com/artifact-registry/docs/docker/authentication#token).
 *
 * The tag is a hash of the Dockerfile and the files it copies from the context (`COPY`/`ADD`, not `--from`), so a
 * changed source gives a new tag and a new build, an unchanged one does not rebuild (a reused tag can leave
 * `repoDigest` stale: pulumi/pulumi-docker#812), and images sharing one context rebuild only when their own inputs change.
 * Workloads run {@link ContainerImage.repoDigest} (`<repo>/<image>@sha256:…`), never the tag: only a new digest
 * changes the job or service and rolls it (src: pulumi/pulumi-gcp#1166). Building needs a Docker engine where
 * `pulumi up` runs; the deployer needs `roles/artifactregistry.writer` on the repository.
 * @example
 * ```ts
 * import * as gcp from "@pulumi/gcp";
 * import { ArtifactRepository, ContainerImage, environmentPolicy, ProjectApis } from "./components";
 *
 * const provider = new gcp.Provider("gcp", { project: "my-project", region: "europe-west1" });
 * const apis = new ProjectApis("apis", {}, { provider });
 * const opts = { provider, dependsOn: [apis] };
 * const repository = new ArtifactRepository("images", { repositoryId: "pipelines", location: "europe-west1", policy: environmentPolicy(false) }, opts);
 * const etl = new ContainerImage("etl-image", { repository, imageName: "etl", context: "images/etl" }, opts);
 * export const image = etl.repoDigest; // pass it to CloudRunJob.image
 * ```
 */
export class ContainerImage extends PipelineComponent {
  /** The pushed image by digest, `<registryUri>/<imageName>@sha256:<hex>`: what workloads run. */
  public readonly repoDigest: pulumi.Output<string>;
  /** The pushed image by tag, `<registryUri>/<imageName>:<content hash>`. */
  public readonly taggedName: pulumi.Output<string>;

  constructor(name: string, args: ContainerImageArgs, opts?: pulumi.ComponentResourceOptions) {
    if (!IMAGE_NAME.test(args.imageName)) {
      throw new InputError(
        `ContainerImage(${name}).imageName`,
        `"${args.imageName}" is not a valid image name`,
        "use lowercase letters and digits separated by '.', '_' or '-', e.g. etl",
      );
    }
    const tag = `src-${contextHash(name, args.context, args.dockerfile)}`;
    super("pipelines:gcp:ContainerImage", name, opts);
    const accessToken = gcp.organizations.getClientConfigOutput({ parent: this }).accessToken;
    const image = new docker.Image(
      childName(name, "image"),
      applyTransform<docker.ImageArgs>(
        {
          imageName: pulumi.interpolate`${args.repository.registryUri}/${args.imageName}:${tag}`,
          build: { context: args.context, ...(args.dockerfile !== undefined && { dockerfile: args.dockerfile }), platform: args.platform ?? "linux/amd64" },
          registry: { server: args.repository.registryHost, username: "oauth2accesstoken", password: pulumi.secret(accessToken) },
        },
        args.transform?.image,
      ),
      this.child(),
    );
    this.repoDigest = image.repoDigest;
    this.taggedName = image.imageName;
    this.registerOutputs({ repoDigest: this.repoDigest, taggedName: this.taggedName });
  }
}

/**
 * A 12-hex-digit SHA-256 of what the build reads: the Dockerfile and every file it copies from the context
 * (`copiedFiles`), each file's context-relative path and content, in sorted order.
 * @throws InputError when the Dockerfile is missing, or when it copies a source the context does not hold.
 */
export function contextHash(name: string, context: string, dockerfile = path.join(context, "Dockerfile")): string {
  if (!fs.existsSync(dockerfile)) {
    throw new InputError(
      `ContainerImage(${name}).dockerfile`,
      `"${dockerfile}" does not exist`,
      "point context at a folder that holds a Dockerfile, or dockerfile at the image's Dockerfile, e.g. images/etl/Dockerfile",
    );
  }
  let files: string[];
  try {
    files = copiedFiles(context, dockerfile);
  } catch (err) {
    throw new InputError(
      `ContainerImage(${name}).context`,
      err instanceof Error ? err.message : String(err),
      "copy only files under the context, or widen the context",
    );
  }
  const hash = createHash("sha256").update(fs.readFileSync(dockerfile)).update("\0");
  for (const file of files)
    hash
      .update(file)
      .update("\0")
      .update(fs.readFileSync(path.join(context, file)))
      .update("\0");
  return hash.digest("hex").slice(0, 12);
}
