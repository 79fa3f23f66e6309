import * as gcp from "./shared/gcp";
import * as pulumi from "@pulumi/pulumi";
import { Bucket } from "./bucket";
import { MAX_TASK_COUNT, MAX_TASK_TIMEOUT_SECONDS } from "./shared/limits";
import { CloudRunJob, RUNNER_ROLES } from "./cloud-run-job";
import { ServiceAccount } from "./service-account";
import { checkServiceAccountArgs, ServiceAccountArgs } from "./shared/identity";
import { chainDefinition, checkChainSteps } from "./shared/chain-definition";
import { applyTransform, PipelineComponent, Transform } from "./shared/component";
import { InputError } from "./shared/errors";
import { childName, NAME_RULES } from "./shared/naming";
import { EnvironmentPolicy } from "./shared/policy";
import { checkScheduleArgs, oauthSchedulerJob, ScheduleArgs } from "./shared/schedule";
import { Duration, toSeconds } from "./shared/units";

/**
 * Role that lets an account start executions of a workflow: `roles/workflows.invoker` (`workflows.executions.create`).
 * Workflows has no IAM on single workflows (no workflow-level IAM resource in `@pulumi/gcp` 9.x), so it is granted
 * on the project (src: https://cloud.google.com/workflows/docs/access-control).
 */
export const WORKFLOWS_INVOKER_ROLE = "roles/workflows.invoker";

/** A {@link ScheduleArgs} with its defaults applied and checked. */
type CheckedSchedule = ReturnType<typeof checkScheduleArgs>;

/** One step of the chain. */
export interface JobChainStep {
  /** Step name in the workflow: lowercase letters, digits and underscores, e.g. `extract`. */
  name: string;
  /** The job the step runs. */
  job: CloudRunJob;
  /** Arguments for this step's execution; they replace the job's `args`. @default the job's own */
  args?: string[];
  /**
   * Environment variables for this step's execution, merged over the job's; values may be Outputs (e.g. a
   * bucket's name). `RUN_ID` and `STAGING_PREFIX` are set by the chain. No value may contain `${` (Workflows
   * would read it as an expression): a plain value is checked before anything is declared, an Output once resolved.
   */
  env?: Record<string, pulumi.Input<string>>;
  /** Tasks of this step's execution. @default the job's own */
  taskCount?: number;
  /** Task timeout of this step's execution. @default the job's own */
  timeout?: Duration;
}

export interface JobChainArgs {
  /** Physical workflow id (see `NAME_RULES.workflow`). */
  workflowName: string;
  /** Region of the workflow (a Workflows location), e.g. the jobs' location, `"europe-west1"`. */
  location: pulumi.Input<string>;
  /** The jobs, in order; the run stops at the first that fails. */
  steps: JobChainStep[];
  /**
   * Bucket of the run's staging prefix: every step gets `STAGING_PREFIX=gs://<bucket>/<run id>/`. It grants
   * nothing: the chain only names the prefix, so each job that reads or writes it needs its own link
   * (e.g. `links: [staging.write]`). @default none: the steps get `RUN_ID` only
   */
  stagingBucket?: Bucket;
  /** The workflow's identity: it gets {@link RUNNER_ROLES} on each job of the chain, nothing else. */
  serviceAccount: ServiceAccountArgs;
  /** Wait between two reads of a running execution. @default "15 seconds" */
  pollInterval?: Duration;
  /**
   * Runs the chain on a cron schedule: a Cloud Scheduler job that starts a workflow execution with an OAuth token
   * of its own account; the same fields and defaults as {@link JobSchedule}'s (`location` defaults to the chain's).
   * @default no schedule
   */
  schedule?: ScheduleArgs;
  /** Deletion protection of the workflow (the provider blocks deleting a workflow whose protection is unset). */
  policy: EnvironmentPolicy;
  /** Escape hatch to any field of the `gcp.workflows.Workflow`. */
  transform?: { workflow?: Transform<gcp.workflows.WorkflowArgs> };
}

/**
 * Runs Cloud Run jobs in order as one Cloud Workflows workflow, generated from typed steps
 * ({@link chainDefinition}): one run id and staging prefix for every step, per-step overrides, and the first
 * failed step fails the run. Pub/Sub push cannot start a job, and a job cannot wait for another; a workflow can.
 *
 * Identities, each with the least it needs:
 * - the workflow's account: {@link RUNNER_ROLES} (`roles/run.jobsExecutorWithOverrides`, `roles/run.viewer`) on
 *   each job of the chain: every step sends overrides (its `RUN_ID`), and the workflow reads the execution it waits for;
 * - the schedule's account: {@link WORKFLOWS_INVOKER_ROLE}, on the project (Workflows has no narrower scope);
 *   Scheduler calls the Workflow Executions API with OAuth (src: https://cloud.google.com/workflows/docs/schedule-workflow).
 * @example
 * ```ts
 * import { Bucket, CloudRunJob, environmentPolicy, JobChain } from "./components";
 *
 * const policy = environmentPolicy(true);
 * const staging = new Bucket("staging", { bucketName: "my-project-prod-staging", location: "europe-west1", envName: "STAGING_BUCKET", policy, deleteObjectsAfterDays: 7 });
 * const job = (step: string) =>
 *   new CloudRunJob(step, {
 *     jobName: `prod-${step}`,
 *     location: "europe-west1",
 *     image: "europe-west1-docker.pkg.dev/my-project/images/etl@sha256:<digest>",
 *     command: ["node", "/app/dist/main.js", step],
 *     serviceAccount: { accountId: `prod-etl-${step}`, displayName: step },
 *     links: [staging.write],
 *     policy,
 *   });
 * new JobChain("nightly", {
 *   workflowName: "prod-nightly",
 *   location: "europe-west1",
 *   steps: [
 *     { name: "extract", job: job("extract"), env: { SOURCE_BUCKET: staging.name } },
 *     { name: "load", job: job("load"), timeout: "30 minutes" },
 *   ],
 *   stagingBucket: staging,
 *   serviceAccount: { accountId: "prod-nightly-chain", displayName: "Nightly chain" },
 *   schedule: {
 *     schedulerJobName: "prod-nightly",
 *     cron: "0 2 * * *",
 *     timeZone: "Europe/Berlin",
 *     serviceAccount: { accountId: "prod-nightly-sched", displayName: "Nightly start" },
 *   },
 *   policy,
 * });
 * ```
 */
export class JobChain extends PipelineComponent {
  /** Full id, `projects/<p>/locations/<r>/workflows/<name>`. */
  public readonly id: pulumi.Output<string>;
  /** The workflow's short name. */
  public readonly name: pulumi.Output<string>;
  /** The generated definition, YAML. */
  public readonly definition: pulumi.Output<string>;
  /** Email of the workflow's account. */
  public readonly serviceAccountEmail: pulumi.Output<string>;

  constructor(name: string, args: JobChainArgs, opts?: pulumi.ComponentResourceOptions) {
    const field = `JobChain(${name})`;
    const { pollSeconds, timeouts, schedule } = validate(field, args);
    super("pipelines:gcp:JobChain", name, opts);

    const account = new ServiceAccount(childName(name, "sa"), args.serviceAccount, this.child());
    // One member per job and role, named after the first step that runs the job: two steps of one job must not make
    // two members of one binding (deleting either would remove the access of both).
    const jobs = new Map<CloudRunJob, string>();
    for (const step of args.steps) if (!jobs.has(step.job)) jobs.set(step.job, step.name);
    const grants = [...jobs].flatMap(([job, stepName]) =>
      RUNNER_ROLES.map(
        (role) =>
          new gcp.cloudrunv2.JobIamMember(
            childName(name, stepName, role.split("/")[1]),
            { name: job.name, location: job.location, project: job.project, role, member: account.member },
            this.child(),
          ),
      ),
    );
    this.definition = pulumi
      .all([args.stagingBucket?.name, pulumi.all(args.steps.map((s) => s.job.id)), pulumi.all(args.steps.map((s) => pulumi.all(s.env ?? {})))])
      .apply(([bucket, jobIds, envs]) =>
        chainDefinition(
          {
            ...(bucket !== undefined && { stagingBucket: bucket }),
            pollSeconds,
            steps: args.steps.map((s, i) => ({
              name: s.name,
              jobId: jobIds[i],
              ...(s.args && { args: s.args }),
              ...(s.env && { env: envs[i] }),
              ...(s.taskCount !== undefined && { taskCount: s.taskCount }),
              ...(timeouts[i] !== undefined && { timeoutSeconds: timeouts[i] }),
            })),
          },
          field,
        ),
      );
    const workflow = new gcp.workflows.Workflow(
      childName(name, "workflow"),
      applyTransform<gcp.workflows.WorkflowArgs>(
        {
          name: args.workflowName,
          region: args.location,
          description: `Runs ${args.steps.map((s) => s.name).join(" -> ")}, stopping at the first failure (managed by Pulumi).`,
          serviceAccount: account.email,
          sourceContents: this.definition,
          deletionProtection: args.policy.deletionProtection,
        },
        args.transform?.workflow,
      ),
      this.child({ dependsOn: grants }),
    );
    this.id = workflow.id;
    this.name = workflow.name;
    this.serviceAccountEmail = account.email;

    if (args.schedule && schedule) this.schedule(name, args.schedule, schedule, workflow, args.location);
    this.registerOutputs({ id: this.id, name: this.name, serviceAccountEmail: this.serviceAccountEmail });
  }

  private schedule(name: string, schedule: ScheduleArgs, checked: CheckedSchedule, workflow: gcp.workflows.Workflow, location: pulumi.Input<string>): void {
    const account = new ServiceAccount(childName(name, "sched", "sa"), schedule.serviceAccount, this.child());
    const invoker = new gcp.projects.IAMMember(
      childName(name, "sched", "workflows-invoker"),
      { project: workflow.project, role: WORKFLOWS_INVOKER_ROLE, member: account.member },
      this.child(),
    );
    oauthSchedulerJob(
      childName(name, "sched", "scheduler"),
      {
        schedulerJobName: schedule.schedulerJobName,
        region: schedule.location ?? location,
        description: pulumi.interpolate`Starts workflow ${workflow.name} (managed by Pulumi).`,
        cron: schedule.cron,
        timeZone: checked.timeZone,
        ...(schedule.paused !== undefined && { paused: schedule.paused }),
        retry: checked.retry,
        uri: pulumi.interpolate`https://workflowexecutions.googleapis.com/v1/${workflow.id}/executions`,
        // The execution's argument, a JSON string: an empty object, so the run id is the execution's id.
        body: { argument: "{}" },
        serviceAccountEmail: account.email,
      },
      this.child({ dependsOn: [invoker] }),
    );
  }
}

function validate(field: string, args: JobChainArgs): { pollSeconds: number; timeouts: (number | undefined)[]; schedule?: CheckedSchedule } {
  if (!NAME_RULES.workflow.pattern.test(args.workflowName)) {
    throw new InputError(
      `${field}.workflowName`,
      `"${args.workflowName}" is not a valid workflow id`,
      "use at most 64 lowercase letters, digits, hyphens and underscores, starting with a letter",
    );
  }
  checkChainSteps(field, args.steps);
  const timeouts = args.steps.map((s, i) => {
    if (s.timeout === undefined) return undefined;
    const seconds = toSeconds(s.timeout, `${field}.steps[${i}].timeout`);
    if (seconds > MAX_TASK_TIMEOUT_SECONDS)
      throw new InputError(`${field}.steps[${i}].timeout`, `"${s.timeout}" is longer than 168 hours`, "use at most 168 hours (7 days), Cloud Run's limit");
    return seconds;
  });
  for (const [i, s] of args.steps.entries()) {
    if (s.taskCount !== undefined && (!Number.isInteger(s.taskCount) || s.taskCount < 1 || s.taskCount > MAX_TASK_COUNT)) {
      throw new InputError(`${field}.steps[${i}].taskCount`, `${s.taskCount} is out of range`, `use a whole number from 1 to ${MAX_TASK_COUNT}`);
    }
  }
  const pollSeconds = toSeconds(args.pollInterval ?? "15 seconds", `${field}.pollInterval`);
  const schedule = args.schedule && checkScheduleArgs(`${field}.schedule`, args.schedule);
  checkServiceAccountArgs(`${field}.serviceAccount`, args.serviceAccount);
  return { pollSeconds, timeouts, ...(schedule && { schedule }) };
}
