import * as gcp from "./shared/gcp";
import * as pulumi from "@pulumi/pulumi";
import { applyTransform, PipelineComponent, Transform } from "./shared/component";
import { InputError } from "./shared/errors";
import { checkWorkloadArgs } from "./shared/workload";
import { childName, NAME_RULES, shortHash } from "./shared/naming";
import { EnvironmentPolicy } from "./shared/policy";
import { durationString } from "./shared/units";

/** Role that lets a member pull images from the repository (src: https://cloud.google.com/artifact-registry/docs/access-control#roles). */
export const IMAGE_READER_ROLE = "roles/artifactregistry.reader";

export interface ArtifactRepositoryArgs {
  /** Repository id, e.g. `dev-images` (see `NAME_RULES.artifactRepository`). Changing it replaces the repository and deletes its images. */
  repositoryId: string;
  /** Region of the repository, e.g. `europe-west1`; keep it with Cloud Run's region so pulls stay in-region. */
  location: pulumi.Input<string>;
  /** Whether `pulumi destroy` may delete the repository (and with it every image). */
  policy: EnvironmentPolicy;
  /**
   * Cleanup: image versions without a tag are deleted this many days after upload (a tag moved to a newer build
   * leaves the old version untagged).
   * @default 7
   */
  deleteUntaggedAfterDays?: number;
  /**
   * Cleanup: the most recent versions of each image that no cleanup policy deletes, whatever their age or tags.
   * @default 10
   */
  keepCount?: number;
  /**
   * IAM members that may pull the images (`roles/artifactregistry.reader` on this repository), e.g. another
   * stack's deployer, which copies the images it promotes from here into its own repository (a `PromotedImage`;
   * the copy needs read on the source, src: https://cloud.google.com/artifact-registry/docs/docker/copy-images).
   * Prefer that to granting another project's Cloud Run service agent: that agent exists only once its project
   * has enabled the Cloud Run API (src: https://cloud.google.com/iam/docs/create-service-agents), and its workloads
   * would break when this repository is deleted.
   * @default none (the project's own Cloud Run service agent can always pull: https://cloud.google.com/artifact-registry/docs/integrate-cloud-run)
   */
  readers?: string[];
  /** Escape hatch to any field of the `gcp.artifactregistry.Repository`. */
  transform?: { repository?: Transform<gcp.artifactregistry.RepositoryArgs> };
}

/**
 * A Docker-format Artifact Registry repository for the workloads' images, with cleanup policies on by default:
 * delete untagged versions after N days, keep the N most recent versions of each image. Every stack has its own:
 * images built there (`ContainerImage`, tagged `src-<hash>`) or promoted into it (`PromotedImage`, tagged
 * `promoted-<hash>`), so the delete-untagged policy never removes an image a workload runs. Where the policy
 * protects data (prod), the repository is protected too.
 *
 * Cleanup ages are written in seconds (`"604800s"`): the API returns seconds, and a value written in days
 * (`"7d"`) shows a diff on every update that replaces the repository (src: gcp-pulumi-facts §1.5; e2b-dev/infra#2738).
 * @example
 * ```ts
 * import * as gcp from "@pulumi/gcp";
 * import { ArtifactRepository, environmentPolicy, ProjectApis } from "./components";
 *
 * const provider = new gcp.Provider("gcp", { project: "my-project", region: "europe-west1" });
 * const apis = new ProjectApis("apis", {}, { provider });
 * const opts = { provider, dependsOn: [apis] };
 * const repository = new ArtifactRepository("images", { repositoryId: "pipelines", location: "europe-west1", policy: environmentPolicy(false), keepCount: 10 }, opts);
 * export const registry = repository.registryUri;
 * ```
 */
export class ArtifactRepository extends PipelineComponent {
  /** `<location>-docker.pkg.dev/<project>/<repository>`: the prefix of every image name in this repository. */
  public readonly registryUri: pulumi.Output<string>;
  /** The registry host, e.g. `europe-west1-docker.pkg.dev`, for Docker authentication. */
  public readonly registryHost: pulumi.Output<string>;
  /** The repository id. */
  public readonly repositoryId: pulumi.Output<string>;

  constructor(name: string, args: ArtifactRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
    const { keepCount = 10, deleteUntaggedAfterDays = 7 } = args;
    validate(name, args.repositoryId, keepCount, deleteUntaggedAfterDays, args.readers);
    super("pipelines:gcp:ArtifactRepository", name, opts);
    const repository = new gcp.artifactregistry.Repository(
      childName(name, "repository"),
      applyTransform<gcp.artifactregistry.RepositoryArgs>(
        {
          repositoryId: args.repositoryId,
          location: args.location,
          format: "DOCKER",
          description: "Container images of the pipeline workloads (managed by Pulumi).",
          cleanupPolicyDryRun: false,
          cleanupPolicies: [
            {
              id: "delete-untagged",
              action: "DELETE",
              condition: { tagState: "UNTAGGED", olderThan: durationString(deleteUntaggedAfterDays * 86_400) },
            },
            { id: `keep-${keepCount}-most-recent`, action: "KEEP", mostRecentVersions: { keepCount } },
          ],
        },
        args.transform?.repository,
      ),
      this.child({ protect: args.policy.protect }),
    );
    for (const member of new Set(args.readers ?? [])) {
      new gcp.artifactregistry.RepositoryIamMember(
        childName(name, "reader", shortHash(member)),
        { repository: repository.repositoryId, location: repository.location, project: repository.project, role: IMAGE_READER_ROLE, member },
        this.child(),
      );
    }
    this.repositoryId = repository.repositoryId;
    this.registryUri = repository.registryUri;
    this.registryHost = pulumi.interpolate`${repository.location}-docker.pkg.dev`;
    this.registerOutputs({ registryUri: this.registryUri, registryHost: this.registryHost, repositoryId: this.repositoryId });
  }
}

function validate(name: string, repositoryId: string, keepCount: number, deleteUntaggedAfterDays: number, readers: readonly string[] | undefined): void {
  const field = `ArtifactRepository(${name})`;
  checkWorkloadArgs(field, undefined, { readers });
  if (!NAME_RULES.artifactRepository.pattern.test(repositoryId)) {
    throw new InputError(
      `${field}.repositoryId`,
      `"${repositoryId}" is not a valid repository id`,
      "use lowercase letters, digits and hyphens, starting with a letter, at most 63 characters",
    );
  }
  if (!Number.isInteger(keepCount) || keepCount < 1) {
    throw new InputError(`${field}.keepCount`, `${keepCount} is not a positive whole number`, "keep at least the 1 most recent version, e.g. 10");
  }
  if (!Number.isInteger(deleteUntaggedAfterDays) || deleteUntaggedAfterDays < 1) {
    throw new InputError(`${field}.deleteUntaggedAfterDays`, `${deleteUntaggedAfterDays} is not a positive whole number of days`, "use e.g. 7");
  }
}
