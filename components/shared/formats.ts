/** One IAM principal: `user:`, `group:`, `serviceAccount:`, `domain:`, `principal:` or `principalSet:` (src: https://cloud.google.com/iam/docs/principal-identifiers). `allUsers` and `allAuthenticatedUsers` do not match. */
export const IAM_MEMBER = /^(user|group|serviceAccount|domain|principal|principalSet):\S+$/;

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
