import * as gcp from "./shared/gcp";
import * as pulumi from "@pulumi/pulumi";
import { MAX_TASK_COUNT, MAX_TASK_TIMEOUT_SECONDS } from "./shared/limits";
import { ServiceAccount } from "./service-account";
import { applyTransform, PipelineComponent, Transform } from "./shared/component";
import { InputError } from "./shared/errors";
import { childName, NAME_RULES, shortHash } from "./shared/naming";
import { EnvironmentPolicy } from "./shared/policy";
import { Duration, durationString, toSeconds } from "./shared/units";
import { declareAccess, resolveWorkload, WorkloadArgs } from "./shared/workload";

/** Most retries per failed task (src: https://cloud.google.com/run/docs/configuring/max-retries). */
export const MAX_RETRIES = 10;

/**
 * Roles given on the job to each member of `runners`, so that the runner (`npm run job`) can start executions with
 * per-execution overrides, wait for them and cancel them: `roles/run.jobsExecutorWithOverrides` (`run.jobs.run`,
 * `run.jobs.runWithOverrides`, `run.executions.cancel`) and `roles/run.viewer` (read executions and tasks), both
 * on this job only (src: https://cloud.google.com/iam/docs/roles-permissions/run; gcp-pulumi-facts §2.1).
 *
 * Granted on one job: a Cloud Run job has its own IAM policy that takes any role (src:
 * https://cloud.google.com/sdk/gcloud/reference/run/jobs/add-iam-policy-binding), and Google grants execution-level
 * rights through it: "to cancel job executions: Cloud Run Developer (roles/run.developer) on the Cloud Run job"
 * (src: https://cloud.google.com/run/docs/execute/jobs, "Required roles"). The roles page lists no lowest-level
 * resource for the executor roles, and no Google page says in words that a job-level `roles/run.viewer` covers
 * `run.executions.get` on that job's executions: UNVERIFIED beyond the "cancel on the job" statement above (executions
 * are children of the job, `…/jobs/<j>/executions/<e>`); public scripts grant `jobsExecutorWithOverrides` per job
 * with `gcloud run jobs add-iam-policy-binding`. If a real deploy shows 403 on a GET of an execution, grant
 * `roles/run.viewer` on the project instead.
 */
export const RUNNER_ROLES = ["roles/run.jobsExecutorWithOverrides", "roles/run.viewer"] as const;

/**
 * A {@link CloudRunJob}'s args: its name, region and tasks here; its container, identity and links (image, command,
 * args, env, secretEnv, cpu and memory per task, serviceAccount, links) in {@link WorkloadArgs}.
 */
export interface CloudRunJobArgs extends WorkloadArgs {
  /** Physical job name: at most 63 lowercase letters, digits and hyphens (see `NAME_RULES.cloudRunJob`). Changing it replaces the job. */
  jobName: string;
  /** Region, e.g. `europe-west1`. Required by the API (src: pulumi/pulumi-gcp#1078). */
  location: pulumi.Input<string>;
  /** Tasks per execution, 1 to 10,000; each task sees `CLOUD_RUN_TASK_INDEX` and `CLOUD_RUN_TASK_COUNT`. @default 1 */
  taskCount?: number;
  /** Tasks running at once, 1 to `taskCount`. @default as many as possible */
  parallelism?: number;
  /** Retries of a failed task, 0 to 10. @default 3 (the API's default) */
  maxRetries?: number;
  /** Timeout of each task attempt, at most 168 hours. @default "10 minutes" (the API's default) */
  taskTimeout?: Duration;
  /** IAM members (`user:…`, `group:…`, `serviceAccount:…`) who may run this job with overrides, watch and cancel it: see {@link RUNNER_ROLES}. */
  runners?: string[];
  /** Deletion protection of the job. */
  policy: EnvironmentPolicy;
  /** Escape hatch to any field of the `gcp.cloudrunv2.Job`. */
  transform?: { job?: Transform<gcp.cloudrunv2.JobArgs> };
}

/**
 * A Cloud Run v2 job: one container run to completion as one or more tasks, with its own service account,
 * resource-level IAM from its links, and deletion protection from the environment policy (the provider's
 * default is `true`, which blocks `pulumi destroy`: src: GoogleCloudPlatform/magic-modules#11318).
 *
 * The job is only declared here; executions are started by the runner, a schedule or a workflow with
 * per-execution overrides, never by `pulumi up` and never by updating the job (which would wipe its env:
 * hashicorp/terraform-provider-google#5496).
 *
 * @example
 * ```ts
 * import * as gcp from "@pulumi/gcp";
 * import { Bucket, CloudRunJob, environmentPolicy, ProjectApis } from "./components";
 *
 * const provider = new gcp.Provider("gcp", { project: "my-project", region: "europe-west1" });
 * const apis = new ProjectApis("apis", {}, { provider });
 * const opts = { provider, dependsOn: [apis] };
 * const policy = environmentPolicy(false);
 * const raw = new Bucket("raw", { bucketName: "my-project-dev-raw", location: "europe-west1", envName: "RAW_BUCKET", policy }, opts);
 * new CloudRunJob("extract", {
 *   jobName: "dev-etl-extract",
 *   location: "europe-west1",
 *   image: "europe-west1-docker.pkg.dev/my-project/images/etl@sha256:<digest>",
 *   command: ["node", "/app/dist/main.js", "extract"],
 *   taskCount: 10, // an array job: CLOUD_RUN_TASK_INDEX 0-9
 *   parallelism: 2,
 *   taskTimeout: "1 hour",
 *   serviceAccount: { accountId: "dev-etl-extract", displayName: "ETL extract" },
 *   links: [raw.write],
 *   policy,
 * }, opts);
 * ```
 */
export class CloudRunJob extends PipelineComponent {
  /** Full resource name, `projects/<project>/locations/<region>/jobs/<name>`: what the Admin API's `RunJob` takes. */
  public readonly id: pulumi.Output<string>;
  /** The job's short name. */
  public readonly name: pulumi.Output<string>;
  /** Its region. */
  public readonly location: pulumi.Output<string>;
  /** Its project. */
  public readonly project: pulumi.Output<string>;
  /** Email of the account its tasks run as. */
  public readonly serviceAccountEmail: pulumi.Output<string>;

  constructor(name: string, args: CloudRunJobArgs, opts?: pulumi.ComponentResourceOptions) {
    const field = `CloudRunJob(${name})`;
    const { taskCount = 1, maxRetries = 3, taskTimeout = "10 minutes" } = args;
    validate(field, args, taskCount, maxRetries);
    const timeoutSeconds = toSeconds(taskTimeout, `${field}.taskTimeout`);
    if (timeoutSeconds > MAX_TASK_TIMEOUT_SECONDS) {
      throw new InputError(`${field}.taskTimeout`, `"${taskTimeout}" is longer than 168 hours`, "use at most 168 hours (7 days), Cloud Run's limit");
    }
    const workload = resolveWorkload(field, args, { runners: args.runners });
    super("pipelines:gcp:CloudRunJob", name, opts);

    const account = new ServiceAccount(childName(name, "sa"), args.serviceAccount, this.child());
    const access = declareAccess(name, account.member, workload, this.child());

    const job = new gcp.cloudrunv2.Job(
      childName(name, "job"),
      applyTransform<gcp.cloudrunv2.JobArgs>(
        {
          name: args.jobName,
          location: args.location,
          deletionProtection: args.policy.deletionProtection,
          template: {
            taskCount,
            ...(args.parallelism !== undefined && { parallelism: args.parallelism }),
            template: {
              serviceAccount: account.email,
              maxRetries,
              timeout: durationString(timeoutSeconds),
              containers: [workload.container],
            },
          },
        },
        args.transform?.job,
      ),
      // The job waits for its grants: a secret env fails job creation until the accessor role is in place
      // (hashicorp/terraform-provider-google#13786), and a first execution must not fail on missing access.
      this.child({ dependsOn: access }),
    );

    for (const member of new Set(args.runners ?? [])) {
      for (const role of RUNNER_ROLES) {
        new gcp.cloudrunv2.JobIamMember(
          childName(name, "runner", shortHash(member), role.split("/")[1]),
          { name: job.name, location: job.location, project: job.project, role, member },
          this.child(),
        );
      }
    }

    this.name = job.name;
    this.location = job.location;
    this.project = job.project;
    this.id = pulumi.interpolate`projects/${job.project}/locations/${job.location}/jobs/${job.name}`;
    this.serviceAccountEmail = account.email;
    this.registerOutputs({ id: this.id, name: this.name, location: this.location, project: this.project, serviceAccountEmail: this.serviceAccountEmail });
  }
}

function validate(field: string, args: CloudRunJobArgs, taskCount: number, maxRetries: number): void {
  if (!NAME_RULES.cloudRunJob.pattern.test(args.jobName)) {
    throw new InputError(
      `${field}.jobName`,
      `"${args.jobName}" is not a valid job name`,
      "use at most 63 lowercase letters, digits and hyphens, starting with a letter",
    );
  }
  if (!Number.isInteger(taskCount) || taskCount < 1 || taskCount > MAX_TASK_COUNT) {
    throw new InputError(`${field}.taskCount`, `${taskCount} is out of range`, `use a whole number from 1 to ${MAX_TASK_COUNT}`);
  }
  const { parallelism } = args;
  if (parallelism !== undefined && (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > taskCount)) {
    throw new InputError(
      `${field}.parallelism`,
      `${parallelism} is out of range`,
      `use a whole number from 1 to taskCount (${taskCount}), or leave it unset for as many as possible`,
    );
  }
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > MAX_RETRIES) {
    throw new InputError(`${field}.maxRetries`, `${maxRetries} is out of range`, `use a whole number from 0 to ${MAX_RETRIES}`);
  }
}
