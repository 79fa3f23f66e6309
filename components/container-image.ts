import * as docker from "@pulumi/docker";
import * as gcp from "./shared/gcp";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ArtifactRepository } from "./artifact-repository";
import { applyTransform, PipelineComponent, Transform } from "./shared/component";
import { InputError } from "./shared/errors";
import { IMAGE_NAME } from "./shared/formats";
import { childName } from "./shared/naming";

/** Folders of a build context that never go into the image's content hash (they are in `.dockerignore` too). */
const IGNORED = new Set(["node_modules", "dist", ".git"]);

export interface ContainerImageArgs {
  /** The repository the image is pushed to. */
  repository: ArtifactRepository;
  /** Image name inside the repository, e.g. `etl`: lowercase letters, digits, `-`, `_`, `.`. */
  imageName: string;
  /** Build context: a folder with a `Dockerfile`, e.g. `images/etl` (relative to the working directory of `pulumi up`, the project root). */
  context: string;
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
 * The tag is a hash of the build context's files, so a changed source gives a new tag and a new build, and an
 * unchanged one does not rebuild (a reused tag can leave `repoDigest` stale: pulumi/pulumi-docker#812).
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
    const tag = `src-${contextHash(name, args.context)}`;
    super("pipelines:gcp:ContainerImage", name, opts);
    const accessToken = gcp.organizations.getClientConfigOutput({ parent: this }).accessToken;
    const image = new docker.Image(
      childName(name, "image"),
      applyTransform<docker.ImageArgs>(
        {
          imageName: pulumi.interpolate`${args.repository.registryUri}/${args.imageName}:${tag}`,
          // No `dockerfile`: it defaults to the context's Dockerfile, while an explicit path is read relative to
          // the working directory in some provider versions (pulumi/pulumi-docker#529, #572).
          build: { context: args.context, platform: args.platform ?? "linux/amd64" },
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
 * A 12-hex-digit SHA-256 of the build context: every file's relative path and content, in sorted order,
 * leaving out `node_modules`, `dist` and `.git`.
 * @throws InputError when the context has no `Dockerfile`.
 */
export function contextHash(name: string, context: string): string {
  if (!fs.existsSync(path.join(context, "Dockerfile"))) {
    throw new InputError(`ContainerImage(${name}).context`, `"${context}" has no Dockerfile`, "point it at a folder under images/ that holds a Dockerfile");
  }
  const hash = createHash("sha256");
  for (const file of listFiles(context)) {
    hash
      .update(file.split(path.sep).join("/"))
      .update("\0")
      .update(fs.readFileSync(path.join(context, file)))
      .update("\0");
  }
  return hash.digest("hex").slice(0, 12);
}

function listFiles(root: string, dir = ""): string[] {
  return fs
    .readdirSync(path.join(root, dir), { withFileTypes: true })
    .filter((entry) => !IGNORED.has(entry.name))
    .flatMap((entry) => {
      const relative = path.join(dir, entry.name);
      return entry.isDirectory() ? listFiles(root, relative) : [relative];
    })
    .sort();
}
