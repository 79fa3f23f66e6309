/** One IAM principal: `user:`, `group:`, `serviceAccount:`, `domain:`, `principal:` or `principalSet:` (src: https://cloud.google.com/iam/docs/principal-identifiers). `allUsers` and `allAuthenticatedUsers` do not match. */
export const IAM_MEMBER = /^(user|group|serviceAccount|domain|principal|principalSet):\S+$/;

/**
 * An image reference by digest, `<registry host>/<path>/<image>@sha256:<64 hex digits>`
 * (src: https://cloud.google.com/artifact-registry/docs/docker/names). The offline preview's made-up digests
 * (`sha256:<offline-preview-placeholder>`) do not match it.
 */
export const IMAGE_BY_DIGEST = /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$/;

/** An image name inside a repository, e.g. `etl`: lowercase letters and digits separated by `.`, `_` or `-` (src: https://cloud.google.com/artifact-registry/docs/docker/names). */
export const IMAGE_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** An email address, as a notification channel takes it. */
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Whether `timeZone` is an IANA time zone name the runtime knows, e.g. `Etc/UTC`, `Europe/Berlin`. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}
