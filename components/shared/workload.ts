import * as gcp from "./gcp";
import * as pulumi from "@pulumi/pulumi";
import { SecretEnv } from "./container";
import { InputError } from "./errors";
import { memberProblem } from "./formats";
import { ResolvedLinks } from "./links";
import { childName } from "./naming";

/** Role the workload's account gets on each secret of `secretEnv` (src: https://cloud.google.com/run/docs/configuring/jobs/secrets). */
export const SECRET_ACCESSOR_ROLE = "roles/secretmanager.secretAccessor";

/**
 * Declares the access of a workload (job or service) running as `member`: one IAM member per link grant, and one
 * `roles/secretmanager.secretAccessor` grant per secret it reads (one per secret, named after the first variable
 * that reads it: two variables of one secret must not make two members of one binding, or deleting either would
 * remove the access of both). Returns what the workload must wait for: its grants and its links' dependencies.
 */
export function declareAccess(
  name: string,
  member: pulumi.Input<string>,
  links: ResolvedLinks,
  secretEnv: Record<string, SecretEnv>,
  opts: pulumi.CustomResourceOptions,
): pulumi.Resource[] {
  const grants = links.grants.map((grant) => grant.bind(childName(name, grant.key), member, opts));
  const secrets = new Map<pulumi.Input<string>, string>();
  for (const [envName, ref] of Object.entries(secretEnv)) if (!secrets.has(ref.secret)) secrets.set(ref.secret, envName);
  const secretGrants = [...secrets].map(
    ([secret, envName]) =>
      new gcp.secretmanager.SecretIamMember(childName(name, "secret", envName.toLowerCase()), { secretId: secret, role: SECRET_ACCESSOR_ROLE, member }, opts),
  );
  return [...grants, ...secretGrants, ...links.dependsOn];
}

/**
 * Checks what a workload's args share: secret variable names that differ only in case, and IAM members.
 * @throws InputError naming `field`.
 */
export function checkWorkloadArgs(
  field: string,
  secretEnv: Record<string, SecretEnv> | undefined,
  members: Record<string, readonly string[] | undefined>,
): void {
  const lowered = Object.keys(secretEnv ?? {}).map((n) => n.toLowerCase());
  const clash = lowered.find((n, i) => lowered.indexOf(n) !== i);
  if (clash !== undefined) {
    throw new InputError(
      `${field}.secretEnv`,
      `two variables differ only in case (${clash})`,
      "give each secret variable a name that differs in more than case",
    );
  }
  for (const [key, list] of Object.entries(members)) {
    for (const member of list ?? []) {
      const problem = memberProblem(member);
      if (problem !== undefined) throw new InputError(`${field}.${key}`, `"${member}" is not an IAM member this stack grants access to`, problem);
    }
  }
}
