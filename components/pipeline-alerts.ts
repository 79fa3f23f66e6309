import * as gcp from "./shared/gcp";
import * as pulumi from "@pulumi/pulumi";
import { CloudRunJob } from "./cloud-run-job";
import { JobChain } from "./job-chain";
import { checkApisEnabled, ProjectApis } from "./project-apis";
import { PipelineComponent } from "./shared/component";
import { InputError } from "./shared/errors";
import { EMAIL } from "./shared/formats";
import { childName } from "./shared/naming";

/** The API the alerts need on top of the stack's: Cloud Monitoring (alert policies, notification channels). */
export const MONITORING_API = "monitoring.googleapis.com";

export interface PipelineAlertsArgs {
  /**
   * The project's APIs: they must enable {@link MONITORING_API} (checked before anything is declared), and every
   * alert resource waits for them.
   */
  apis: ProjectApis;
  /** The jobs whose failed executions alert. */
  jobs: CloudRunJob[];
  /** Job chains whose failed workflow executions alert. @default none */
  chains?: JobChain[];
  /** Push subscriptions (short names) whose messages going to their dead-letter topic alert. @default none */
  deadLetterSources?: pulumi.Input<string>[];
  /** Who is notified, by email (one Cloud Monitoring email notification channel). */
  email: string;
  /** Environment shown in the policies' names and the notification, e.g. `prod`. */
  environment: string;
}

/**
 * Cloud Monitoring alerts of a stack's pipelines, sent to one email notification channel:
 * - a failed job execution: `run.googleapis.com/job/completed_execution_count` with `result = "failed"` on
 *   `cloud_run_job`, summed over 5 minutes (src: https://cloud.google.com/monitoring/api/metrics_gcp#gcp-run);
 * - messages arriving on a dead-letter topic: `pubsub.googleapis.com/subscription/dead_letter_message_count` on the
 *   source `pubsub_subscription` (the count of messages it forwarded to its dead-letter topic), summed over
 *   5 minutes (src: https://cloud.google.com/monitoring/api/metrics_gcp#gcp-pubsub).
 * - a failed chain: `workflows.googleapis.com/finished_execution_count` with `status = "FAILED"` on
 *   `workflows.googleapis.com/Workflow`, by `workflow_id`, summed over 5 minutes. UNVERIFIED against Google's metric
 *   list (https://cloud.google.com/monitoring/api/metrics_gcp, Workflows section; https://cloud.google.com/workflows/docs/monitor
 *   names the monitored resource but its metric table could not be read here): the metric name, its `status` label
 *   and the resource's `workflow_id` label are as many public alert policies write them (e.g. terraform
 *   `google_monitoring_alert_policy` filters found by find_string, review 3 N6), and the resource type is the one the
 *   Workflows Executions API declares for a workflow (`workflows.googleapis.com/Workflow`, the `resource_definition` of
 *   @google-cloud/workflows `protos.json`). A wrong label would make the alert silent, not fail `pulumi up`; check it
 *   once in Metrics Explorer after the first failed run (docs/verified-by-sources.md).
 *   A chain fails when any step's job fails, so a failed step alerts twice: once for the job, once for its chain
 *   (which names the step). A cancelled execution (someone cancelled it) does not alert.
 * One event opens an incident in each case.
 *
 * @example
 * ```ts
 * import * as gcp from "@pulumi/gcp";
 * import { CloudRunJob, environmentPolicy, PipelineAlerts, ProjectApis, REQUIRED_APIS, MONITORING_API } from "./components";
 *
 * const provider = new gcp.Provider("gcp", { project: "my-project", region: "europe-west1" });
 * const apis = new ProjectApis("apis", { services: [...REQUIRED_APIS, MONITORING_API] }, { provider });
 * const job = new CloudRunJob("report", {
 *   jobName: "dev-report",
 *   location: "europe-west1",
 *   image: "europe-west1-docker.pkg.dev/my-project/images/report@sha256:<digest>",
 *   serviceAccount: { accountId: "dev-report", displayName: "Report job" },
 *   policy: environmentPolicy(false),
 * }, { provider, dependsOn: [apis] });
 * new PipelineAlerts("alerts", { apis, jobs: [job], email: "data-oncall@example.com", environment: "dev" }, { provider, dependsOn: [apis] });
 * ```
 */
export class PipelineAlerts extends PipelineComponent {
  /** The alert policies' resource names. */
  public readonly policyNames: pulumi.Output<string>[];

  constructor(name: string, args: PipelineAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    if (!EMAIL.test(args.email)) {
      throw new InputError(
        `PipelineAlerts(${name}).email`,
        `"${args.email}" is not an email address`,
        "give the address that is to be notified, e.g. data-oncall@example.com",
      );
    }
    if (args.jobs.length === 0) throw new InputError(`PipelineAlerts(${name}).jobs`, "is empty", "give the jobs whose failures alert");
    checkApisEnabled(`PipelineAlerts(${name}).apis`, args.apis, [MONITORING_API]);
    super("pipelines:gcp:PipelineAlerts", name, { ...opts, dependsOn: withApis(opts?.dependsOn, args.apis) });
    const channel = new gcp.monitoring.NotificationChannel(
      childName(name, "email"),
      { type: "email", displayName: `Pipelines (${args.environment}): ${args.email}`, labels: { email_address: args.email } },
      this.child(),
    );
    const alert = (key: string, displayName: string, condition: string, filter: pulumi.Input<string>, documentation: string) =>
      new gcp.monitoring.AlertPolicy(
        childName(name, key),
        {
          displayName,
          combiner: "OR",
          conditions: [
            {
              displayName: condition,
              conditionThreshold: {
                filter,
                comparison: "COMPARISON_GT",
                thresholdValue: 0,
                duration: "0s",
                aggregations: [{ alignmentPeriod: "300s", perSeriesAligner: "ALIGN_SUM" }],
              },
            },
          ],
          notificationChannels: [channel.name],
          documentation: { mimeType: "text/markdown", content: documentation },
        },
        this.child(),
      );
    const jobNames = oneOf(args.jobs.map((j) => j.name));
    const policies = [
      alert(
        "job-failures",
        `Job execution failed (${args.environment})`,
        "A job execution failed",
        pulumi.interpolate`resource.type = "cloud_run_job" AND metric.type = "run.googleapis.com/job/completed_execution_count" AND metric.labels.result = "failed" AND resource.labels.job_name = one_of(${jobNames})`,
        "A Cloud Run job execution failed. `npm run job -- list <job>` shows the executions; the log link names the failed tasks.",
      ),
    ];
    const chains = args.chains ?? [];
    if (chains.length > 0) {
      policies.push(
        alert(
          "chain-failures",
          `Job chain failed (${args.environment})`,
          "A job chain (workflow) execution failed",
          pulumi.interpolate`resource.type = "workflows.googleapis.com/Workflow" AND metric.type = "workflows.googleapis.com/finished_execution_count" AND metric.labels.status = "FAILED" AND resource.labels.workflow_id = one_of(${oneOf(chains.map((c) => c.name))})`,
          "A job chain's workflow execution failed: a step's job failed, or a run call was refused. `gcloud workflows executions list <workflow> --location <region>` shows the executions; the failed one's error names the step and its job execution.",
        ),
      );
    }
    const sources = args.deadLetterSources ?? [];
    if (sources.length > 0) {
      policies.push(
        alert(
          "dead-letters",
          `Messages dead-lettered (${args.environment})`,
          "Messages went to a dead-letter topic",
          pulumi.interpolate`resource.type = "pubsub_subscription" AND metric.type = "pubsub.googleapis.com/subscription/dead_letter_message_count" AND resource.labels.subscription_id = one_of(${oneOf(sources)})`,
          "A service refused or failed messages until their delivery attempts ran out; they wait on the `<subscription>-dead-letter` subscription. Read the service's logs and inspect them with `gcloud pubsub subscriptions pull <subscription>-dead-letter --limit 10`; after the fix, upload the object again (scoring) or publish the request again (streaming).",
        ),
      );
    }
    this.policyNames = policies.map((p) => p.name);
    this.registerOutputs({ policyNames: this.policyNames });
  }
}

/** `"a", "b"` for a Monitoring filter's `one_of(...)`. */
function oneOf(names: pulumi.Input<string>[]): pulumi.Output<string> {
  return pulumi.all(names).apply((all) => all.map((n) => `"${n}"`).join(", "));
}

/** `dependsOn` with the ProjectApis added (once), so that the alert resources wait for Cloud Monitoring's API. */
function withApis(dependsOn: pulumi.ComponentResourceOptions["dependsOn"], apis: ProjectApis): pulumi.ComponentResourceOptions["dependsOn"] {
  if (dependsOn === undefined) return [apis];
  if (pulumi.Resource.isInstance(dependsOn)) return dependsOn === apis ? [apis] : [dependsOn, apis];
  if (Array.isArray(dependsOn)) return dependsOn.includes(apis) ? dependsOn : [...dependsOn, apis];
  return dependsOn;
}
