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
}

/** Derives the whole policy from the one decision a stack makes: whether its data is protected. */
export function environmentPolicy(protectData: boolean): EnvironmentPolicy {
  return {
    protectData,
    protect: protectData,
    forceDestroy: !protectData,
    deleteContentsOnDestroy: !protectData,
    deletionProtection: protectData,
    versioning: protectData,
  };
}
