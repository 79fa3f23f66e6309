import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { CloudRunJob } from "./cloud-run-job";
import { PipelineComponent } from "./shared/component";
import { InputError } from "./shared/errors";
import { EMAIL } from "./shared/formats";
import { childName } from "./shared/naming";

/** The API the alert needs on top of the stack's: Cloud Monitoring (alert policies, notification channels). */
export const MONITORING_API = "monitoring.googleapis.com";

export interface JobFailureAlertArgs {
  /** The jobs whose failed executions alert. */
  jobs: CloudRunJob[];
  /** Who is notified, by email (a Cloud Monitoring email notification channel). */
  email: string;
  /** Shown in the console and the notification, e.g. `ETL job failed (prod)`. */
  displayName: string;
}

/**
 * A Cloud Monitoring alert on any failed execution of the given jobs, sent to an email notification channel. It
 * watches `run.googleapis.com/job/completed_execution_count` with `result = "failed"` on `cloud_run_job`, summed
 * over 5 minutes: one failed execution opens an incident (src: https://cloud.google.com/monitoring/api/metrics_gcp#gcp-run).
 */
export class JobFailureAlert extends PipelineComponent {
  /** The alert policy's resource name. */
  public readonly policyName: pulumi.Output<string>;

  constructor(name: string, args: JobFailureAlertArgs, opts?: pulumi.ComponentResourceOptions) {
    if (!EMAIL.test(args.email)) {
      throw new InputError(`JobFailureAlert(${name}).email`, `"${args.email}" is not an email address`, "give the address that is to be notified, e.g. data-oncall@example.com");
    }
    if (args.jobs.length === 0) throw new InputError(`JobFailureAlert(${name}).jobs`, "is empty", "give the jobs whose failures alert");
    super("pipelines:gcp:JobFailureAlert", name, opts);
    const channel = new gcp.monitoring.NotificationChannel(
      childName(name, "email"),
      { type: "email", displayName: `${args.displayName}: ${args.email}`, labels: { email_address: args.email } },
      this.child(),
    );
    const jobNames = pulumi.all(args.jobs.map((j) => j.name)).apply((names) => names.map((n) => `"${n}"`).join(", "));
    const policy = new gcp.monitoring.AlertPolicy(
      childName(name, "policy"),
      {
        displayName: args.displayName,
        combiner: "OR",
        conditions: [
          {
            displayName: "A job execution failed",
            conditionThreshold: {
              filter: pulumi.interpolate`resource.type = "cloud_run_job" AND metric.type = "run.googleapis.com/job/completed_execution_count" AND metric.labels.result = "failed" AND resource.labels.job_name = one_of(${jobNames})`,
              comparison: "COMPARISON_GT",
              thresholdValue: 0,
              duration: "0s",
              aggregations: [{ alignmentPeriod: "300s", perSeriesAligner: "ALIGN_SUM" }],
            },
          },
        ],
        notificationChannels: [channel.name],
        documentation: { mimeType: "text/markdown", content: "A Cloud Run job execution failed. `npm run job -- list <job>` shows the executions; the log link names the failed tasks." },
      },
      this.child(),
    );
    this.policyName = policy.name;
    this.registerOutputs({ policyName: this.policyName });
  }
}
