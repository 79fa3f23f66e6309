import * as pulumi from "@pulumi/pulumi";
import { SecretEnv } from "./container";
import { InputError } from "./errors";

/**
 * One IAM grant that a link carries: a predefined role on one resource (or, where Google has no narrower scope,
 * on the project), bound to a workload's service account by the workload itself.
 */
export interface Grant {
  /** Unique among the grants of one workload and stable across updates; used in the IAM member's logical name, e.g. `raw-objectViewer`. */
  readonly key: string;
  /** The predefined role, e.g. `roles/storage.objectViewer`. */
  readonly role: string;
  /** What the role is granted on, for people: e.g. `bucket raw`, `project`. */
  readonly scope: string;
  /** Declares the non-authoritative IAM member resource for `member` (`serviceAccount:<email>`). */
  bind(name: string, member: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): pulumi.CustomResource;
}

/**
 * Access a workload is given to one resource, declared on the workload (e.g. `lake.raw.read`): the IAM grants it
 * needs and the environment variables that name the resource (e.g. `RAW_BUCKET`).
 *
 * One pattern: a resource whose variable is fixed by its own args (`envName` of a `Bucket`, `Dataset` or `Topic`)
 * offers its links as getters named after the access (`bucket.read`, `bucket.write`, `dataset.write`,
 * `topic.publish`); a resource read under a name the workload chooses offers a method taking that name
 * (`secret.env("API_KEY")`). Either way a link is a plain value: pass it in the workload's `links`.
 */
export interface Link {
  readonly env: Readonly<Record<string, pulumi.Input<string>>>;
  readonly grants: readonly Grant[];
  /** Environment variables read from Secret Manager (the workload grants itself the accessor role on each secret). */
  readonly secretEnv?: Readonly<Record<string, SecretEnv>>;
  /** Resources the workload must wait for, e.g. the secret version it reads. */
  readonly dependsOn?: readonly pulumi.Resource[];
}

/** Grants and env merged from a workload's links. */
export interface ResolvedLinks {
  readonly env: Record<string, pulumi.Input<string>>;
  readonly secretEnv: Record<string, SecretEnv>;
  readonly dependsOn: pulumi.Resource[];
  /** Grants, one per key (a key that several links share, e.g. the project-level `roles/bigquery.jobUser`, appears once). */
  readonly grants: Grant[];
}

/**
 * Merges a workload's links.
 * @throws InputError naming `field` when two links set the same environment variable, or a link's variable is also in `env`.
 */
export function resolveLinks(field: string, links: readonly Link[], env: Readonly<Record<string, unknown>> = {}): ResolvedLinks {
  const merged: Record<string, pulumi.Input<string>> = {};
  const secretEnv: Record<string, SecretEnv> = {};
  const dependsOn: pulumi.Resource[] = [];
  const grants = new Map<string, Grant>();
  for (const link of links) {
    for (const [key, value] of [...Object.entries(link.env), ...Object.entries(link.secretEnv ?? {})]) {
      if (key in merged || key in secretEnv || key in env) {
        throw new InputError(
          field,
          `the environment variable ${key} is set by two links or by a link and env`,
          "link each resource once and leave its variable to the link",
        );
      }
      if (typeof value === "object" && value !== null && "secret" in value) secretEnv[key] = value;
      else merged[key] = value;
    }
    dependsOn.push(...(link.dependsOn ?? []));
    for (const grant of link.grants) {
      grants.set(grant.key, grant);
    }
  }
  return { env: merged, secretEnv, dependsOn, grants: [...grants.values()] };
}

/**
 * Checks the name of the environment variable a linkable resource sets in its workloads.
 * @throws InputError naming `field` when it is not upper case letters, digits and underscores.
 */
export function checkEnvName(field: string, envName: string, example: string): void {
  if (!/^[A-Z][A-Z0-9_]*$/.test(envName)) {
    throw new InputError(field, `"${envName}" is not an environment variable name`, `use upper case letters, digits and underscores, e.g. ${example}`);
  }
}
