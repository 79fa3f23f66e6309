import * as pulumi from "@pulumi/pulumi";
import { InputError } from "./errors";
import { NAME_RULES } from "./naming";

// A service account as a component's args take it (a workload's or a trigger's identity), and its check: what the
// components that create or take an account share, and what `ServiceAccount` is built from.

/** Create a new service account. */
export interface CreateServiceAccount {
  /** Account id, the part before `@`: 6-30 lowercase letters, digits and hyphens (see `NAME_RULES.serviceAccount`). Changing it replaces the account. */
  accountId: string;
  /** Shown in the console, at most 100 characters. */
  displayName: string;
  /** What the account is for. */
  description?: string;
}

/** Use an existing, user-managed service account. */
export interface ExistingServiceAccount {
  /** Its email, `<id>@<project>.iam.gserviceaccount.com`. */
  email: pulumi.Input<string>;
}

export type ServiceAccountArgs = CreateServiceAccount | ExistingServiceAccount;

/**
 * Default service accounts that carry broad project roles and are shared by everything that forgets to set an
 * identity: never used as a workload's identity (src: https://cloud.google.com/run/docs/securing/service-identity).
 */
const DEFAULT_ACCOUNT = /(-compute@developer\.gserviceaccount\.com|@appspot\.gserviceaccount\.com)$/;

/**
 * Checks service account args without declaring anything; components that create an account call it before
 * declaring any resource, so bad input creates nothing.
 * @throws InputError for a default account's email, an invalid account id, or a display name over 100 characters.
 */
export function checkServiceAccountArgs(field: string, args: ServiceAccountArgs): void {
  if ("email" in args) {
    if (typeof args.email === "string" && DEFAULT_ACCOUNT.test(args.email)) {
      throw new InputError(`${field}.email`, `"${args.email}" is a default service account`, "give the workload its own account: omit the email to create one");
    }
    return;
  }
  if (!NAME_RULES.serviceAccount.pattern.test(args.accountId)) {
    throw new InputError(
      `${field}.accountId`,
      `"${args.accountId}" is not a valid account id`,
      "use 6-30 lowercase letters, digits and hyphens, starting with a letter",
    );
  }
  if (args.displayName.length > 100) {
    throw new InputError(`${field}.displayName`, `is ${args.displayName.length} characters long`, "keep it to 100 characters");
  }
}
