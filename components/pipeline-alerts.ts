import * as gcp from "./shared/gcp";
import * as pulumi from "@pulumi/pulumi";
import { CloudRunJob } from "./cloud-run-job";
import { PipelineComponent } from "./shared/component";
import { InputError } from "./shared/errors";
import { EMAIL } from "./shared/formats";
import { childName } from "./shared/naming";

/** The API the alerts need on top of the stack's: Cloud Monitoring (alert policies, notification channels). */
export const MONITORING_API = "monitoring.googleapis.com";

export interface PipelineAlertsArgs {
  /** The jobs whose failed executions alert. */
  jobs: CloudRunJob[];
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
 * One event opens an incident in each case.
 */
export class PipelineAlerts extends PipelineComponent {
  /** The alert policies' resource names. */
  public readonly policyNames: pulumi.Output<string>[];

  constructor(name: string, args: PipelineAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    if (!EMAIL.test(args.email)) {
      throw new InputError(`PipelineAlerts(${name}).email`, `"${args.email}" is not an email address`, "give the address that is to be notified, e.g. data-oncall@example.com");
    }
    if (args.jobs.length === 0) throw new InputError(`PipelineAlerts(${name}).jobs`, "is empty", "give the jobs whose failures alert");
    super("pipelines:gcp:PipelineAlerts", name, opts);
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
              conditionThreshold: { filter, comparison: "COMPARISON_GT", thresholdValue: 0, duration: "0s", aggregations: [{ alignmentPeriod: "300s", perSeriesAligner: "ALIGN_SUM" }] },
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
