import { createHash } from "crypto";
import { InputError } from "./errors";

/**
 * The naming rules of each kind of GCP resource this project names, with their sources.
 * Physical names are the names GCP sees; logical names (Pulumi's) are `childName(...)`.
 */
export const NAME_RULES = {
  /** 6-30 characters, lowercase letters, digits and hyphens, starting with a letter (https://cloud.google.com/iam/docs/service-accounts-create). */
  serviceAccount: { min: 6, max: 30, separator: "-", pattern: /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/ },
  /** Cloud Run resource names are RFC 1035 labels: at most 63 characters, lowercase letters, digits and hyphens, starting with a letter (https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.jobs). */
  cloudRunJob: { min: 1, max: 63, separator: "-", pattern: /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/ },
  /** Cloud Run service names: the same rule as jobs (https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.services). */
  cloudRunService: { min: 1, max: 63, separator: "-", pattern: /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/ },
  /** 3-63 characters, lowercase letters, digits, hyphens and underscores, starting and ending with a letter or digit, globally unique, no "goog" prefix or "google" (https://cloud.google.com/storage/docs/buckets#naming). */
  bucket: { min: 3, max: 63, separator: "-", pattern: /^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/ },
  /** Letters, digits and underscores, at most 1,024 characters (https://cloud.google.com/bigquery/docs/datasets#dataset-naming). */
  dataset: { min: 1, max: 1024, separator: "_", pattern: /^[a-z0-9_]{1,1024}$/ },
  /** Lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit, at most 63 characters (https://cloud.google.com/artifact-registry/docs/repositories/create-repos). */
  artifactRepository: { min: 1, max: 63, separator: "-", pattern: /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/ },
  /** Letters, digits, hyphens and underscores, at most 500 characters (https://cloud.google.com/scheduler/docs/reference/rest/v1/projects.locations.jobs#Job). */
  schedulerJob: { min: 1, max: 500, separator: "-", pattern: /^[a-zA-Z0-9_-]{1,500}$/ },
  /** Pub/Sub topic and subscription ids: 3-255 characters, starting with a letter, not with "goog"; we use the lowercase letters, digits and hyphens of the allowed set (https://cloud.google.com/pubsub/docs/pubsub-basics#resource_names). */
  pubsub: { min: 3, max: 255, separator: "-", pattern: /^(?!goog)[a-z][a-z0-9-]{1,253}[a-z0-9]$/ },
  /** Workflow ids: at most 64 letters, digits, hyphens and underscores, starting with a letter and ending with a letter or digit (https://cloud.google.com/workflows/docs/reference/rest/v1/projects.locations.workflows/create). */
  workflow: { min: 1, max: 64, separator: "-", pattern: /^[a-z]([a-z0-9_-]{0,62}[a-z0-9])?$/ },
} as const;

/**
 * Bucket names may not start with "goog" nor contain "google" or a close misspelling such as "g00gle"
 * (src: https://cloud.google.com/storage/docs/buckets#naming).
 */
export function isReservedBucketName(name: string): boolean {
  return name.startsWith("goog") || /g[o0][o0]g[l1]e/.test(name);
}

/** A kind of GCP name with its own rules. */
export type NameKind = keyof typeof NAME_RULES;

const HASH_LENGTH = 6;

/** A 6-hex-digit SHA-256 of `text`: a stable, short suffix for logical names derived from values, e.g. IAM members. */
export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, HASH_LENGTH);
}

/**
 * Builds a valid physical name of `kind` from its parts, e.g. `physicalName("serviceAccount", ["dev", "etl", "extract"])`
 * → `"dev-etl-extract"`. Characters the kind forbids become the separator; a name longer than the limit is cut and
 * ends with a 6-character hash of the whole name, so two long names that share a prefix stay distinct, and the same
 * parts always give the same name (names are stable across `pulumi up`).
 * @throws InputError when no valid name can be made (e.g. the parts are empty).
 */
export function physicalName(kind: NameKind, parts: readonly string[]): string {
  const rule = NAME_RULES[kind];
  const sep = rule.separator;
  const full = parts
    .join(sep)
    .toLowerCase()
    .replace(sep === "_" ? /[^a-z0-9_]+/g : /[^a-z0-9-]+/g, sep)
    .replace(new RegExp(`${sep}{2,}`, "g"), sep)
    .replace(new RegExp(`^${sep}+|${sep}+$`, "g"), "");
  let name = full;
  if (name.length > rule.max) {
    const keep = rule.max - HASH_LENGTH - 1;
    name = `${name.slice(0, keep).replace(new RegExp(`${sep}+$`), "")}${sep}${shortHash(full)}`;
  } else if (name.length < rule.min) {
    name = `${name}${sep}${shortHash(full)}`.slice(0, rule.max);
  }
  if (!rule.pattern.test(name) || (kind === "bucket" && isReservedBucketName(name))) {
    throw new InputError(
      `name of ${kind} [${parts.join(", ")}]`,
      `"${name}" is not a valid ${kind} name`,
      `use parts made of lowercase letters and digits that start with a letter (rules: ${rule.pattern})`,
    );
  }
  return name;
}

/** Logical (Pulumi) name of a component's child: always prefixed by the component's name, e.g. `childName("extract", "sa")` → `"extract-sa"`. */
export function childName(parent: string, ...suffix: string[]): string {
  return [parent, ...suffix].join("-");
}
