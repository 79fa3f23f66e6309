/**
 * How a stack treats data and deletions, derived once from stack config (`config.ts`) and passed to every
 * component that holds data or can block a destroy. Components read these fields; they never look at the
 * stack's name.
 *
 * A guard acts on the value in Pulumi state: to destroy a protected stack, first `pulumi up` with
 * `protectData: false`, then `pulumi destroy` (src: `@pulumi/gcp` `cloudrunv2/job.d.ts` `deletionProtection`;
 * pulumi/pulumi-gcp#1253).
 */
export interface EnvironmentPolicy {
  /** True where data must survive mistakes (prod); false where `pulumi destroy` must remove everything (dev). */
  readonly protectData: boolean;
  /** Pulumi's `protect` option on buckets, the dataset and the image repository: `pulumi destroy` refuses to delete them. */
  readonly protect: boolean;
  /** `forceDestroy` on buckets: objects are deleted with the bucket; without it a non-empty bucket cannot be deleted. */
  readonly forceDestroy: boolean;
  /** `deleteContentsOnDestroy` on the dataset: tables are deleted with it; without it destroy fails with `resourceInUse`. */
  readonly deleteContentsOnDestroy: boolean;
  /** `deletionProtection` on Cloud Run jobs and services (the provider's default is true). */
  readonly deletionProtection: boolean;
  /** Object versioning on buckets: overwritten or deleted objects stay recoverable as noncurrent versions. */
  readonly versioning: boolean;
  /**
   * Days buckets keep deleted and overwritten objects (and a deleted bucket) in a soft-deleted, restorable and
   * billed state. 0 (soft delete off) where data is destroyable, so `pulumi destroy` leaves nothing billable: soft
   * delete is on by default with 7 days (src: https://cloud.google.com/storage/docs/soft-delete).
   */
  readonly softDeleteRetentionDays: number;
}

/**
 * Soft delete retention a bucket accepts: 0 (off), or 7 to 90 days (src: https://cloud.google.com/storage/docs/soft-delete;
 * `@pulumi/gcp` `BucketSoftDeletePolicy.retentionDurationSeconds`: "between 604800(7 days) and 7776000(90 days)",
 * "to disable the soft delete policy on a bucket, this field must be set to 0").
 */
export const SOFT_DELETE_RETENTION_DAYS = { min: 7, max: 90, default: 7 } as const;

/** Whether `days` is a soft delete retention GCS accepts: see {@link SOFT_DELETE_RETENTION_DAYS}. */
export function isSoftDeleteRetentionDays(days: number): boolean {
  return days === 0 || (Number.isInteger(days) && days >= SOFT_DELETE_RETENTION_DAYS.min && days <= SOFT_DELETE_RETENTION_DAYS.max);
}

/**
 * Derives the whole policy from the one decision a stack makes: whether its data is protected, and, where it is,
 * how many days soft-deleted objects are kept (see {@link SOFT_DELETE_RETENTION_DAYS}; ignored where data is destroyable).
 */
export function environmentPolicy(protectData: boolean, softDeleteRetentionDays: number = SOFT_DELETE_RETENTION_DAYS.default): EnvironmentPolicy {
  return {
    protectData,
    protect: protectData,
    forceDestroy: !protectData,
    deleteContentsOnDestroy: !protectData,
    deletionProtection: protectData,
    versioning: protectData,
    softDeleteRetentionDays: protectData ? softDeleteRetentionDays : 0,
  };
}
