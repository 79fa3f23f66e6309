import * as pulumi from "@pulumi/pulumi";
import { promotePlaceholder } from "cloudrun-pipelines/contract";
import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import {
  BIGQUERY_LOCATIONS,
  CLOUD_RUN_REGIONS,
  cronProblem,
  EMAIL,
  EnvironmentPolicy,
  environmentPolicy,
  IMAGE_BY_DIGEST,
  isSoftDeleteRetentionDays,
  MAX_TASK_COUNT,
  memberProblem,
  SOFT_DELETE_RETENTION_DAYS,
  timeZoneProblem,
} from "@cloudrun-pipelines/components";

/** The project's config namespace (the `name` in Pulumi.yaml). */
export const PROJECT = "cloudrun-pipelines";

/**
 * A whole number written in decimal digits only ("0x10", "1e3", "7.5", "-1" and " 7" are errors), from `min` to
 * `max`; `limit` names where `max` comes from.
 */
const wholeNumber = (what: string, min: number, max: number, limit: string) =>
  z
    .string({ error: `expected ${what}: a whole number` })
    .regex(/^\d+$/, `expected ${what}: a whole number written in decimal digits`)
    .transform(Number)
    .pipe(z.number().min(min, `expected ${what}: at least ${min}`).max(max, `expected ${what}: at most ${max} (${limit})`));

// Upper bounds. Where Google documents no maximum, the bound is the field's type on the wire, and says so.
/** GCS lifecycle `age` (days) is an int32 (src: https://cloud.google.com/storage/docs/json_api/v1/buckets, `lifecycle.rule[].condition.age`: integer); no lower maximum is documented. */
const MAX_LIFECYCLE_AGE_DAYS = 2147483647;
/** BigQuery `defaultTableExpirationMs` has a documented minimum (1 hour) and no maximum (src: https://cloud.google.com/bigquery/docs/reference/rest/v2/datasets); the provider passes it as a JS number, so days × 86 400 000 must stay a safe integer. */
const MAX_TABLE_EXPIRATION_DAYS = Math.floor(Number.MAX_SAFE_INTEGER / 86_400_000);
/** Artifact Registry `mostRecentVersions.keepCount` is an int32 (src: https://cloud.google.com/dotnet/docs/reference/Google.Cloud.ArtifactRegistry.V1/latest/Google.Cloud.ArtifactRegistry.V1.CleanupPolicyMostRecentVersions, `KeepCount`: int); no lower maximum is documented. */
const MAX_KEEP_COUNT = 2147483647;
/** Artifact Registry `olderThan` is a google.protobuf.Duration, at most 315 576 000 000 s (src: https://protobuf.dev/reference/protobuf/google.protobuf/#duration): 3 652 500 days. */
const MAX_OLDER_THAN_DAYS = 3_652_500;

/** Cloud Storage takes 0 (off) or 7 to 90 days (src: https://cloud.google.com/storage/docs/soft-delete). */
const SOFT_DELETE_DAYS = "expected a whole number of days: 0 (off) or 7 to 90 (Cloud Storage's limits)";

const wholeDays = (what: string, max: number, limit: string) => wholeNumber(`${what} in days`, 1, max, limit);

export { IMAGE_BY_DIGEST };

/** The images the stack runs, each built from `images/<name>` or promoted by digest (`<name>Image`). */
export const IMAGE_NAMES = ["etl", "scorer", "stream"] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];

const promotedImage = (name: ImageName) =>
  z
    .string()
    .regex(IMAGE_BY_DIGEST, `expected an image by digest, <registry>/<path>/${name}@sha256:<64 hex digits>, as \`npm run promote\` writes it`)
    .optional();

const member = z.string().superRefine((value, ctx) => {
  const problem = memberProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: `"${value}": ${problem}` });
});

const jsonArray = <T extends z.core.SomeType>(item: T) =>
  z.preprocess(
    (value) => {
      if (typeof value !== "string") return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return value;
      }
    },
    z.array(item, { error: 'expected a YAML list, e.g. ["group:data-eng@example.com"]' }),
  );

/**
 * Every config key of this project, with its default and its description: the one schema. `Pulumi.yaml`'s `config`
 * block (type, default, description per key) and the README's config table are generated from it by
 * `npm run config-docs` (tools/config-docs.ts; a test fails when they are stale), because the Pulumi CLI rejects a
 * stack that omits a declared key without a default; stack files hold values only. An empty string means "not set"
 * for the optional keys (`datasetLocation`, `etlSource`, `etlSchedule`, the `*Image` keys).
 */
export const CONFIG_SCHEMA = {
  "gcp:project": z
    .string({ error: "required: set it with `pulumi config set gcp:project <project id>`" })
    .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "expected a project id: 6-30 lowercase letters, digits and hyphens, starting with a letter")
    .describe("The Google Cloud project everything is created in (the Google provider's key); required in every stack file."),
  "gcp:region": z
    .string({ error: "required: set it with `pulumi config set gcp:region <region>`, e.g. europe-west1" })
    .regex(/^[a-z]+(-[a-z]+)+\d+$/, "expected a Cloud Run region such as europe-west1 or us-central1")
    .describe("The region of the jobs, services, buckets and schedules, e.g. europe-west1 (the Google provider's key); required in every stack file."),
  protectData: z
    .stringbool({ error: "expected true or false" })
    .default(true)
    .describe(
      "Protect data (prod): buckets and dataset survive `pulumi destroy` (protect, no forceDestroy), jobs keep deletion protection, buckets keep object versions. false (dev): everything tears down.",
    ),
  datasetLocation: z
    .string()
    .regex(/^([A-Z]{2}|[a-z]+(-[a-z]+)+\d+)$/, "expected a BigQuery location: EU, US or a region such as europe-west1")
    .optional()
    .describe("BigQuery location of the warehouse dataset (EU, US or a region). Changing it replaces the dataset. Empty: `gcp:region`."),
  stagingRetentionDays: wholeDays("staging retention", MAX_LIFECYCLE_AGE_DAYS, "GCS lifecycle age is an int32")
    .default(7)
    .describe("Days after which objects in the staging bucket are deleted."),
  softDeleteRetentionDays: z
    .string({ error: SOFT_DELETE_DAYS })
    .regex(/^\d+$/, SOFT_DELETE_DAYS)
    .transform(Number)
    .refine(isSoftDeleteRetentionDays, SOFT_DELETE_DAYS)
    .default(SOFT_DELETE_RETENTION_DAYS.default)
    .describe(
      "Days a protected stack's buckets keep deleted and overwritten objects restorable (Cloud Storage soft delete, billed as storage): 0 (off) or 7-90. A stack with protectData false keeps none, so destroy leaves nothing billable.",
    ),
  tableExpirationDays: wholeNumber("table expiration in days (0: never)", 0, MAX_TABLE_EXPIRATION_DAYS, "defaultTableExpirationMs must stay a safe integer")
    .default(0)
    .describe("Days after which new warehouse tables expire. 0: never."),
  imageKeepCount: wholeNumber("a count of image versions", 1, MAX_KEEP_COUNT, "keepCount is an int32")
    .default(10)
    .describe("Most recent versions of each image that Artifact Registry cleanup always keeps."),
  untaggedImageRetentionDays: wholeDays("untagged image retention", MAX_OLDER_THAN_DAYS, "olderThan is a protobuf Duration")
    .default(7)
    .describe("Days after which untagged image versions are deleted."),
  runners: jsonArray(member)
    .default([])
    .describe(
      "IAM members (`user:`, `group:`, `serviceAccount:`) who may run, watch and cancel the jobs with overrides (`npm run job`): `roles/run.jobsExecutorWithOverrides` and `roles/run.viewer` on each job, and `roles/logging.viewAccessor` on the stack's log view of Cloud Run job logs (not on the project).",
    ),
  etlSource: z
    .string()
    .regex(/^(https|gs):\/\/\S+$/, "expected an https:// URL or a gs:// URI")
    .optional()
    .describe("Default input of the extract job (`SOURCE_URI`): an https:// URL or gs:// URI; runs may override it. Empty: none (each run passes --source)."),
  etlSourceBuckets: jsonArray(z.string().regex(/^[a-z0-9][a-z0-9_.-]{1,61}[a-z0-9]$/, 'expected bucket names as in gs://<name>, e.g. ["landing"]'))
    .default([])
    .describe(
      'Buckets this stack does not manage that extract reads gs:// sources from (e.g. ["landing"]): extract\'s account gets `roles/storage.objectViewer` on each, nothing else does. The deployer needs IAM admin on them.',
    ),
  etlSourceToken: z
    .string()
    .optional()
    .describe(
      "A token extract sends to its https source (`SOURCE_TOKEN`), stored in Secret Manager and read by extract only. Set it with `pulumi config set --secret`. Empty: none.",
    ),
  etlDatasetName: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/, "expected lowercase letters, digits and underscores, starting with a letter")
    .default("flights")
    .describe("Default dataset name of the ETL jobs (`DATASET_NAME`)."),
  extractTaskCount: wholeNumber("a task count", 1, MAX_TASK_COUNT, "Cloud Run's limit per execution")
    .default(1)
    .describe(`Tasks per extract execution (1-${MAX_TASK_COUNT}); each task takes its share of the input.`),
  etlSchedule: z
    .string()
    .superRefine((value, ctx) => {
      const problem = cronProblem(value);
      if (problem !== undefined)
        ctx.addIssue({ code: "custom", message: `expected a unix-cron expression as Cloud Scheduler takes it, e.g. "0 2 * * *": ${problem}` });
    })
    .optional()
    .describe(
      'Unix-cron expression (five fields, as Cloud Scheduler takes it: https://cloud.google.com/scheduler/docs/configuring/cron-job-schedules) of the nightly ETL chain (extract, load, transform as one workflow), e.g. "0 2 * * *". Empty: no schedule.',
    ),
  buildImages: z
    .stringbool({ error: "expected true or false" })
    .default(true)
    .describe("Build and push the images from images/ (dev). false: deploy only promoted digests (prod), set by `npm run promote`."),
  etlImage: promotedImage("etl").describe(
    "The ETL image by digest, promoted from another stack with `npm run promote`; when set it is copied into this stack's repository and deployed from there, not built. Empty: build it (buildImages must be true).",
  ),
  scorerImage: promotedImage("scorer").describe("The scoring service's image by digest, promoted with `npm run promote` like etlImage. Empty: build it."),
  streamImage: promotedImage("stream").describe("The stream predictor's image by digest, promoted with `npm run promote` like etlImage. Empty: build it."),
  streamClients: jsonArray(member)
    .default([])
    .describe("IAM members who may publish requests to the streaming pipeline and pull its results (`npm run stream`)."),
  imageReaders: jsonArray(member)
    .default([])
    .describe(
      "IAM members given `roles/artifactregistry.reader` on this stack's image repository, e.g. prod's deployer (serviceAccount:<deployer>@<prod project>.iam.gserviceaccount.com), which copies the images it promotes from here.",
    ),
  alertEmail: z
    .string()
    .regex(EMAIL, "expected an email address")
    .optional()
    .describe(
      "Email notified by Cloud Monitoring alerts on a failed job execution, a failed ETL chain execution and messages going to a dead-letter topic. Empty: no alerts.",
    ),
  scheduleTimeZone: z
    .string()
    .superRefine((value, ctx) => {
      const problem = timeZoneProblem(value);
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
    })
    .default("Etc/UTC")
    .describe("Exact IANA time zone name of the schedules, e.g. Europe/Berlin (case-sensitive)."),
  allowUnlistedLocation: z
    .stringbool({ error: "expected true or false" })
    .default(false)
    .describe(
      "Accept a gcp:region or datasetLocation that is not in Google's published lists as this project knows them (components/shared/locations.ts), for a location Google added since.",
    ),
};

const schema = z.object(CONFIG_SCHEMA).strict();

/** Keys whose values must be Pulumi config secrets (encrypted in the stack file). */
const SECRET_KEYS = ["etlSourceToken"] as const;

/** The validated, typed config of one stack; the only config the program uses. */
export interface StackConfig {
  /** Stack name, e.g. `dev`: the first part of every physical name. */
  readonly stack: string;
  readonly project: string;
  readonly region: string;
  readonly policy: EnvironmentPolicy;
  /** Labels on every labellable resource (through the provider's `defaultLabels`); `data-protection` also tells the policy pack the stack's policy. */
  readonly labels: Readonly<Record<string, string>>;
  readonly datasetLocation: string;
  readonly stagingRetentionDays: number;
  readonly tableExpirationDays?: number;
  readonly imageKeepCount: number;
  readonly untaggedImageRetentionDays: number;
  readonly runners: readonly string[];
  readonly images: {
    /** Whether the stack builds images from images/ (else it deploys promoted digests). */
    readonly build: boolean;
    /** Promoted images by digest, deployed instead of a build. */
    readonly promoted: Readonly<Partial<Record<ImageName, string>>>;
    /** Members given roles/artifactregistry.reader on the stack's repository, e.g. another stack's deployer, which copies the images it promotes from here. */
    readonly readers: readonly string[];
    /**
     * Only in an offline run (the mock runtime: `npm run preview`, the tests) of a stack that builds no images and
     * lacks a promoted digest: the clearly marked text deployed instead, `promotePlaceholder(promoteCommand(stack))` (the CLI's contract). The real engine
     * fails instead (see {@link parseConfig}).
     */
    readonly placeholder?: string;
  };
  /** Who is notified of failed job executions and dead-lettered messages; absent: no alerting. */
  readonly alertEmail?: string;
  /** IAM members who may use the streaming pipeline (publish requests, pull results). */
  readonly streamClients: readonly string[];
  readonly etl: {
    readonly source?: string;
    /** Buckets extract may read gs:// sources from (`etlSourceBuckets`). */
    readonly sourceBuckets: readonly string[];
    /** The source token, a config secret (kept out of every plan and log). */
    readonly sourceToken?: string;
    readonly datasetName: string;
    readonly extractTaskCount: number;
    /** Present only where the stack schedules the ETL chain (prod). */
    readonly schedule?: { readonly cron: string; readonly timeZone: string };
  };
}

/** The command that writes a stack's promoted digests: dev builds the images, every other stack promotes them. */
export function promoteCommand(stack: string): string {
  return `npm run promote -- --from dev --to ${stack}`;
}

/**
 * The fix for an unknown key: the closest known key when it is a likely misspelling (at most a third of its letters
 * differ, by Levenshtein distance), else every known key.
 */
function knownKeyHint(key: string): string {
  const known = Object.keys(CONFIG_SCHEMA);
  const near = closest(key, known);
  return distance(key, near) <= Math.max(2, Math.floor(key.length / 3)) ? `did you mean ${qualified(near)}?` : `known keys: ${known.map(qualified).join(", ")}`;
}

/**
 * Validates raw config values (as `pulumi config` holds them: strings, with lists as JSON) into a {@link StackConfig}.
 * Keys are `gcp:project`, `gcp:region` and this project's keys without their namespace.
 * @param foreignKeyProblems - problems the caller found with keys outside this project's namespace, reported with the rest.
 * @param offline - true under the mock runtime (`npm run preview`, the tests): a stack that builds no images and
 * lacks a promoted digest then deploys `promotePlaceholder(promoteCommand(stack))` (the CLI's contract), so its plan can be read on a fresh clone. With
 * the engine (`pulumi preview`, `pulumi up`) the missing digest is an error naming the promote command.
 * @throws Error listing every invalid or unknown key with its value and the expected form.
 */
export function parseConfig(
  raw: Readonly<Record<string, string | undefined>>,
  stack: string,
  secretKeys: ReadonlySet<string> = new Set(),
  foreignKeyProblems: readonly string[] = [],
  offline = false,
): StackConfig {
  const problems: string[] = [...foreignKeyProblems];
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stack)) {
    problems.push(`stack name "${stack}": expected lowercase letters, digits and hyphens, starting with a letter, at most 20 (it starts every resource name)`);
  }
  const present = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined && value !== ""));
  const result = schema.safeParse(present);
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) problems.push(`${qualified(key)} = ${JSON.stringify(present[key])}: unknown key; ${knownKeyHint(key)}`);
      } else {
        const key = String(issue.path[0]);
        const value = key in present ? JSON.stringify(present[key]) : "(not set)";
        problems.push(`${qualified(key)} = ${value}: ${issue.message}`);
      }
    }
  }
  for (const key of SECRET_KEYS) {
    if (key in present && !secretKeys.has(key)) {
      problems.push(`${qualified(key)}: is stored in plain text; set it with \`pulumi config set --secret ${qualified(key)} <value>\` so it is encrypted`);
    }
  }
  if (result.success) problems.push(...locationProblems(result.data));
  for (const name of IMAGE_NAMES) {
    const promoted = result.success ? result.data[`${name}Image`] : undefined;
    const named = promoted === undefined ? undefined : /\/([^/@]+)@sha256:/.exec(promoted)?.[1];
    if (named !== undefined && named !== name) {
      problems.push(
        `${qualified(`${name}Image`)} = ${JSON.stringify(promoted)}: is the ${named} image, not the ${name} image; promote the ${name} image's digest here`,
      );
    }
  }
  const unpromoted = result.success && !result.data.buildImages ? IMAGE_NAMES.filter((name) => result.data[`${name}Image`] === undefined) : [];
  if (!offline) {
    for (const name of unpromoted) {
      problems.push(
        `${qualified(`${name}Image`)} = (not set): this stack builds no images (buildImages: false) and has no promoted digest; deploy dev (\`pulumi up --stack dev\`), then promote its images with \`${promoteCommand(stack)}\``,
      );
    }
  }
  if (result.success && !result.data.protectData && ![0, SOFT_DELETE_RETENTION_DAYS.default].includes(result.data.softDeleteRetentionDays)) {
    problems.push(
      `${qualified("softDeleteRetentionDays")} = ${result.data.softDeleteRetentionDays}: this stack's data is destroyable (protectData: false), so its buckets keep no soft-deleted objects (destroy must leave nothing billable); remove the key, or set protectData: true`,
    );
  }
  if (problems.length > 0 || !result.success) {
    throw new Error(`Invalid config for stack "${stack}" (Pulumi.${stack}.yaml):\n  - ${problems.join("\n  - ")}`);
  }
  const c = result.data;
  return {
    stack,
    project: c["gcp:project"],
    region: c["gcp:region"],
    policy: environmentPolicy(c.protectData, c.softDeleteRetentionDays),
    labels: { app: PROJECT, stack, "managed-by": "pulumi", "data-protection": c.protectData ? "protected" : "destroyable" },
    datasetLocation: c.datasetLocation ?? c["gcp:region"],
    stagingRetentionDays: c.stagingRetentionDays,
    tableExpirationDays: c.tableExpirationDays === 0 ? undefined : c.tableExpirationDays,
    imageKeepCount: c.imageKeepCount,
    untaggedImageRetentionDays: c.untaggedImageRetentionDays,
    runners: c.runners,
    ...(c.alertEmail !== undefined && { alertEmail: c.alertEmail }),
    streamClients: c.streamClients,
    images: {
      build: c.buildImages,
      promoted: Object.fromEntries(IMAGE_NAMES.filter((name) => c[`${name}Image`] !== undefined).map((name) => [name, c[`${name}Image`] as string])),
      readers: c.imageReaders,
      ...(unpromoted.length > 0 && { placeholder: promotePlaceholder(promoteCommand(stack)) }),
    },
    etl: {
      source: c.etlSource,
      sourceBuckets: c.etlSourceBuckets,
      ...(c.etlSourceToken !== undefined && { sourceToken: c.etlSourceToken }),
      datasetName: c.etlDatasetName,
      extractTaskCount: c.extractTaskCount,
      ...(c.etlSchedule !== undefined && { schedule: { cron: c.etlSchedule, timeZone: c.scheduleTimeZone } }),
    },
  };
}

/**
 * The `gcp:` keys this program reads. `index.ts` passes them to an explicit `gcp.Provider`, which every resource
 * uses; an explicit provider is configured by its arguments only, while the stack's other `gcp:` keys configure
 * the default provider (src: https://github.com/pulumi/pulumi/blob/master/docs/architecture/providers/default.md),
 * which this program never uses. So any other `gcp:` key would be silently ignored, and is refused; provider
 * settings such as credentials go through the provider's environment variables
 * (src: https://www.pulumi.com/registry/packages/gcp/installation-configuration/).
 */
const GCP_KEYS = ["gcp:project", "gcp:region"];

/**
 * Validates a stack's whole config as Pulumi holds it (`<namespace>:<key>` → string): this project's keys plus
 * `gcp:project` and `gcp:region`. Every other key (a bare key, another namespace, another `gcp:` key) is an error,
 * since nothing would read it.
 * @throws Error as {@link parseConfig}.
 */
export function configFromPulumi(
  all: Readonly<Record<string, string>>,
  stack: string,
  isSecret: (key: string) => boolean = () => false,
  offline = false,
): StackConfig {
  const raw: Record<string, string | undefined> = { "gcp:project": all["gcp:project"], "gcp:region": all["gcp:region"] };
  const secretKeys = new Set<string>();
  const foreign: string[] = [];
  for (const [key, value] of Object.entries(all)) {
    if (GCP_KEYS.includes(key)) continue;
    const colon = key.indexOf(":");
    const name = key.slice(colon + 1);
    if (colon >= 0 && key.slice(0, colon) === PROJECT) {
      raw[name] = value;
      if (isSecret(key)) secretKeys.add(name);
      continue;
    }
    const suggestion = name in CONFIG_SCHEMA ? `; did you mean ${PROJECT}:${name}?` : "";
    if (colon < 0) foreign.push(`${key} = ${JSON.stringify(value)}: a key without a namespace; this project's keys are written ${PROJECT}:<key>${suggestion}`);
    else if (key.startsWith("gcp:"))
      foreign.push(
        `${key} = ${JSON.stringify(value)}: not read by this program: its gcp.Provider takes only ${GCP_KEYS.join(" and ")} from config; set other provider settings with the provider's environment variables${suggestion}`,
      );
    else
      foreign.push(
        `${key} = ${JSON.stringify(value)}: unknown namespace "${key.slice(0, colon)}"; this program reads ${PROJECT}:<key> and ${GCP_KEYS.join(", ")}${suggestion}`,
      );
  }
  return parseConfig(raw, stack, secretKeys, foreign, offline);
}

/**
 * Reads this stack's config from the Pulumi runtime and validates it, before any resource is declared.
 * @throws Error as {@link parseConfig}.
 */
export function loadConfig(): StackConfig {
  // isConfigSecret is in @pulumi/pulumi's runtime but not in its type declarations (checked with 3.276).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret: (key: string) => boolean };
  return configFromPulumi(pulumi.runtime.allConfig(), pulumi.getStack(), isConfigSecret, runsUnderMocks());
}

/**
 * Whether the program runs under Pulumi's mock runtime (`pulumi.runtime.setMocks`: `npm run preview`, the tests)
 * rather than under the engine (`pulumi preview`, `pulumi up`): `setMocks` installs a `MockMonitor` as the resource
 * monitor (checked with @pulumi/pulumi 3.276, where the class is not exported from `pulumi.runtime`). No config key
 * or environment variable can switch it, so a real deploy can never take the offline placeholders.
 */
function runsUnderMocks(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as { MockMonitor: new (...args: never[]) => unknown };
  return pulumi.runtime.getMonitor() instanceof MockMonitor;
}

/** A region or dataset location missing from Google's published lists, unless `allowUnlistedLocation` is set. */
function locationProblems(c: { "gcp:region": string; datasetLocation?: string; allowUnlistedLocation: boolean }): string[] {
  if (c.allowUnlistedLocation) return [];
  const override = `if Google has added it since, set \`pulumi config set ${PROJECT}:allowUnlistedLocation true\``;
  const problems: string[] = [];
  if (!CLOUD_RUN_REGIONS.has(c["gcp:region"])) {
    problems.push(
      `gcp:region = ${JSON.stringify(c["gcp:region"])}: not a Cloud Run region in Google's list (https://cloud.google.com/run/docs/locations); ${override}`,
    );
  }
  const location = c.datasetLocation ?? c["gcp:region"];
  if (!BIGQUERY_LOCATIONS.has(location)) {
    const key =
      c.datasetLocation === undefined
        ? `${qualified("datasetLocation")} = (not set, so gcp:region)`
        : `${qualified("datasetLocation")} = ${JSON.stringify(location)}`;
    problems.push(
      `${key}: ${JSON.stringify(location)} is not a BigQuery location in Google's list (https://cloud.google.com/bigquery/docs/locations); ${override}`,
    );
  }
  return problems;
}

function qualified(key: string): string {
  return key.includes(":") ? key : `${PROJECT}:${key}`;
}
