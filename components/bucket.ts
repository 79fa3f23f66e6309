import * as gcp from "./shared/gcp";
import * as pulumi from "@pulumi/pulumi";
import { applyTransform, PipelineComponent, Transform } from "./shared/component";
import { InputError } from "./shared/errors";
import { checkEnvName, Grant, Link } from "./shared/links";
import { childName, isReservedBucketName, NAME_RULES } from "./shared/naming";
import { EnvironmentPolicy, isSoftDeleteRetentionDays } from "./shared/policy";

/**
 * Role a workload gets on the bucket for `read`: `roles/storage.objectViewer` (`storage.objects.get`, `.list`).
 * (src: https://cloud.google.com/storage/docs/access-control/iam-roles)
 */
export const BUCKET_READ_ROLE = "roles/storage.objectViewer";
/**
 * Role a workload gets on the bucket for `write`: `roles/storage.objectUser` (create, get, list, update and delete
 * objects). `roles/storage.objectCreator` is not enough for pipelines: re-running a step overwrites its objects, and
 * replacing an existing object needs both `storage.objects.create` and `storage.objects.delete`
 * (src: https://cloud.google.com/storage/docs/access-control/iam-permissions).
 */
export const BUCKET_WRITE_ROLE = "roles/storage.objectUser";

export interface BucketArgs {
  /** Physical bucket name, globally unique: 3-63 characters (see `NAME_RULES.bucket`). Changing it replaces the bucket. */
  bucketName: string;
  /** Location: a region such as `europe-west1`, or a multi-region such as `EU`. Keep it with the jobs' region to avoid egress charges. */
  location: pulumi.Input<string>;
  /** Environment variable that names this bucket in linked workloads, e.g. `RAW_BUCKET`. */
  envName: string;
  /** What happens on destroy and whether objects are versioned. */
  policy: EnvironmentPolicy;
  /**
   * Objects are deleted this many days after they were created (a lifecycle rule; e.g. 7 for staging).
   * Lifecycle ages are whole days (src: https://cloud.google.com/storage/docs/lifecycle#age).
   * @default no expiry
   */
  deleteObjectsAfterDays?: number;
  /**
   * With versioning on (`policy.versioning`), noncurrent versions are deleted this many days after they became
   * noncurrent, so overwritten data stays recoverable without growing forever.
   * @default 30
   */
  noncurrentVersionRetentionDays?: number;
  /**
   * Days deleted and overwritten objects (and the bucket itself, once deleted) stay soft-deleted: restorable, and
   * billed as storage. 0 turns soft delete off; otherwise 7 to 90 days (src: https://cloud.google.com/storage/docs/soft-delete).
   * A bucket whose policy is destroyable (`forceDestroy`) must keep none, or `pulumi destroy` would leave billed data behind.
   * @default `policy.softDeleteRetentionDays` (0 where destroyable; 7, Google's default, where data is protected)
   */
  softDeleteRetentionDays?: number;
  /** Escape hatch to any field of the `gcp.storage.Bucket`. */
  transform?: { bucket?: Transform<gcp.storage.BucketArgs> };
}

/**
 * A GCS bucket for pipeline data: uniform bucket-level access (IAM only, no ACLs), public access prevention
 * enforced, versioning, `forceDestroy` and soft delete retention from the environment policy, lifecycle rules. Workloads get access
 * through its links, {@link Bucket.read} and {@link Bucket.write}, each a single predefined role on this bucket.
 *
 * @example
 * ```ts
 * import * as gcp from "@pulumi/gcp";
 * import { Bucket, CloudRunJob, environmentPolicy, ProjectApis } from "./components";
 *
 * const provider = new gcp.Provider("gcp", { project: "my-project", region: "europe-west1" });
 * const apis = new ProjectApis("apis", {}, { provider });
 * const opts = { provider, dependsOn: [apis] };
 * const policy = environmentPolicy(false);
 * const staging = new Bucket("staging", { bucketName: "my-project-dev-staging", location: "europe-west1", envName: "STAGING_BUCKET", policy, deleteObjectsAfterDays: 7 }, opts);
 * new CloudRunJob("extract", {
 *   jobName: "dev-etl-extract",
 *   location: "europe-west1",
 *   image: "europe-west1-docker.pkg.dev/my-project/images/etl@sha256:<digest>",
 *   serviceAccount: { accountId: "dev-etl-extract", displayName: "ETL extract" },
 *   links: [staging.write], // roles/storage.objectUser on this bucket, STAGING_BUCKET=<name>
 *   policy,
 * }, opts);
 * ```
 */
export class Bucket extends PipelineComponent {
  /** The bucket's name. */
  public readonly name: pulumi.Output<string>;
  /** `gs://<name>`. */
  public readonly url: pulumi.Output<string>;
  /** Its location, e.g. `EUROPE-WEST1` or `EU` (upper case, as GCS returns it). */
  public readonly location: pulumi.Output<string>;
  private readonly componentName: string;
  private readonly envName: string;

  constructor(name: string, args: BucketArgs, opts?: pulumi.ComponentResourceOptions) {
    validate(name, args);
    super("pipelines:gcp:Bucket", name, opts);
    this.componentName = name;
    this.envName = args.envName;
    const bucket = new gcp.storage.Bucket(
      childName(name, "bucket"),
      applyTransform<gcp.storage.BucketArgs>(
        {
          name: args.bucketName,
          location: args.location,
          uniformBucketLevelAccess: true,
          publicAccessPrevention: "enforced",
          forceDestroy: args.policy.forceDestroy,
          versioning: { enabled: args.policy.versioning },
          lifecycleRules: lifecycleRules(args),
          // Soft delete is on by default (7 days) and keeps deleted objects billable (src: https://cloud.google.com/storage/docs/soft-delete).
          softDeletePolicy: { retentionDurationSeconds: (args.softDeleteRetentionDays ?? args.policy.softDeleteRetentionDays) * 86_400 },
        },
        args.transform?.bucket,
      ),
      this.child({ protect: args.policy.protect }),
    );
    this.name = bucket.name;
    this.url = bucket.url;
    this.location = bucket.location;
    this.registerOutputs({ name: this.name, url: this.url });
  }

  /** Read access: `roles/storage.objectViewer` on this bucket, and the bucket's name in `envName`. */
  public get read(): Link {
    return this.link("objectViewer", BUCKET_READ_ROLE);
  }

  /** Read and write access (including overwrite and delete of objects): `roles/storage.objectUser` on this bucket, and the bucket's name in `envName`. */
  public get write(): Link {
    return this.link("objectUser", BUCKET_WRITE_ROLE);
  }

  private link(roleName: string, role: string): Link {
    return { env: { [this.envName]: this.name }, grants: [bucketGrant(`${this.componentName}-${roleName}`, `bucket ${this.componentName}`, this.name, role)] };
  }
}

/**
 * Read access to a bucket this program does not manage (e.g. a landing bucket another team fills):
 * {@link BUCKET_READ_ROLE} on that one bucket, and no environment variable (the workload is told object URIs per
 * run). The caller needs permission to set IAM on that bucket (`storage.buckets.setIamPolicy`).
 * @example
 * ```ts
 * import { CloudRunJob, environmentPolicy, existingBucketRead } from "./components";
 *
 * new CloudRunJob("extract", {
 *   jobName: "dev-etl-extract",
 *   location: "europe-west1",
 *   image: "europe-west1-docker.pkg.dev/my-project/images/etl@sha256:<digest>",
 *   serviceAccount: { accountId: "dev-etl-extract", displayName: "ETL extract" },
 *   links: [existingBucketRead("landing-objectViewer", "landing")],
 *   policy: environmentPolicy(false),
 * });
 * ```
 * @throws InputError naming `bucketName` when it is no valid bucket name.
 */
export function existingBucketRead(key: string, bucketName: string): Link {
  if (!NAME_RULES.bucket.pattern.test(bucketName)) {
    throw new InputError("bucketName", `"${bucketName}" is not a valid bucket name`, "use the bucket's name as in gs://<name>, e.g. landing");
  }
  return { env: {}, grants: [bucketGrant(key, `bucket ${bucketName}`, bucketName, BUCKET_READ_ROLE)] };
}

function bucketGrant(key: string, scope: string, bucket: pulumi.Input<string>, role: string): Grant {
  return { key, role, scope, bind: (name, member, opts) => new gcp.storage.BucketIAMMember(name, { bucket, role, member }, opts) };
}

function validate(name: string, args: BucketArgs): void {
  const field = `Bucket(${name})`;
  if (!NAME_RULES.bucket.pattern.test(args.bucketName) || isReservedBucketName(args.bucketName)) {
    throw new InputError(
      `${field}.bucketName`,
      `"${args.bucketName}" is not a valid bucket name`,
      'use 3-63 lowercase letters, digits, hyphens or underscores, starting and ending with a letter or digit, without "google"',
    );
  }
  checkEnvName(`${field}.envName`, args.envName, "RAW_BUCKET");
  for (const key of ["deleteObjectsAfterDays", "noncurrentVersionRetentionDays"] as const) {
    const days = args[key];
    if (days !== undefined && (!Number.isInteger(days) || days < 1)) {
      throw new InputError(`${field}.${key}`, `${days} is not a whole number of days of at least 1`, "use a whole number of days, e.g. 7");
    }
  }
  checkSoftDelete(field, args);
}

function checkSoftDelete(field: string, args: BucketArgs): void {
  const days = args.softDeleteRetentionDays ?? args.policy.softDeleteRetentionDays;
  if (!isSoftDeleteRetentionDays(days)) {
    throw new InputError(
      `${field}.softDeleteRetentionDays`,
      `${days} is not a soft delete retention GCS accepts`,
      "use 0 (off) or a whole number of days from 7 to 90",
    );
  }
  if (days > 0 && args.policy.forceDestroy) {
    throw new InputError(
      `${field}.softDeleteRetentionDays`,
      `${days} days on a destroyable bucket (forceDestroy) would keep its deleted objects billable after \`pulumi destroy\``,
      "use 0, or a policy that protects data",
    );
  }
}

function lifecycleRules(args: BucketArgs): gcp.types.input.storage.BucketLifecycleRule[] {
  const rules: gcp.types.input.storage.BucketLifecycleRule[] = [];
  if (args.deleteObjectsAfterDays !== undefined) {
    rules.push({ action: { type: "Delete" }, condition: { age: args.deleteObjectsAfterDays } });
  }
  if (args.policy.versioning) {
    rules.push({ action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: args.noncurrentVersionRetentionDays ?? 30, withState: "ARCHIVED" } });
  }
  return rules;
}
