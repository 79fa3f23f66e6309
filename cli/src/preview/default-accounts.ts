// Google-managed default service accounts: user-managed accounts that a Google service creates in the project when
// it is first turned on or used, not when the stack asks for them. No dependency, so the policy pack can load it.

/** A default service account: its email pattern and what makes it exist. */
export interface DefaultAccount {
  /** Matches the account's email. */
  readonly email: RegExp;
  readonly name: string;
  /**
   * What must be done before the account exists: the API to enable (`api`), or a resource to create (`resource`,
   * a type token).
   */
  readonly createdBy: { readonly api: string } | { readonly resource: string; readonly what: string };
  /** Where that is stated; UNVERIFIED where no Google page found here says it. */
  readonly source: string;
}

/**
 * The default accounts a stack might grant roles to. UNVERIFIED: that each exists only once its API is on (or, for
 * App Engine, its application created): Google's pages on default accounts
 * (https://cloud.google.com/iam/docs/service-account-types#default,
 * https://cloud.google.com/compute/docs/access/service-accounts#default_service_account) could not be read here; the
 * statement is from third-party guides ("When you enable the Compute Engine API, GCP creates a default compute service
 * account", learningbro.com gcp-identity-and-access; "created when you first deploy an App Engine application",
 * gcpstudyhub.com), consistent with Google's general rule that a principal must exist before it is granted a role
 * (https://cloud.google.com/iam/docs/create-service-agents).
 */
export const DEFAULT_ACCOUNTS: readonly DefaultAccount[] = [
  {
    email: /^\d+-compute@developer\.gserviceaccount\.com$/,
    name: "the Compute Engine default service account",
    createdBy: { api: "compute.googleapis.com" },
    source: "UNVERIFIED (third-party guides; see DEFAULT_ACCOUNTS)",
  },
  {
    email: /^[a-z][a-z0-9-]+@appspot\.gserviceaccount\.com$/,
    name: "the App Engine default service account",
    createdBy: { resource: "gcp:appengine/application:Application", what: "an App Engine application (gcp.appengine.Application)" },
    source: "UNVERIFIED (third-party guides; see DEFAULT_ACCOUNTS)",
  },
];

/** The default account an email (or a `serviceAccount:` member) names, if any. */
export function defaultAccountOf(emailOrMember: string): DefaultAccount | undefined {
  const email = emailOrMember.replace(/^serviceAccount:/, "");
  return DEFAULT_ACCOUNTS.find((account) => account.email.test(email));
}
