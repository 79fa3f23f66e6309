import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { applyTransform, PipelineComponent, Transform } from "./shared/component";
import { InputError } from "./shared/errors";
import { childName, shortHash } from "./shared/naming";
import { checkWorkloadArgs } from "./shared/workload";

/**
 * Role the readers get on the view, and on nothing else: `roles/logging.viewAccessor` (`logging.views.access`),
 * granted in the view's own IAM policy, which limits it to that view; granted on the project it would open
 * every view of every bucket (src: https://cloud.google.com/logging/docs/logs-views, "Control access to a log view").
 */
export const LOG_VIEW_READER_ROLE = "roles/logging.viewAccessor";

/**
 * View ids: letters, digits, hyphens and underscores, at most 100 characters. UNVERIFIED: the Logging API states
 * this rule for bucket ids (https://cloud.google.com/logging/docs/reference/v2/rest/v2/projects.locations.buckets/create);
 * no page found states it for views, so the same (periods left out) is assumed.
 */
const VIEW_ID = /^[A-Za-z0-9_-]{1,100}$/;
/** The id of the project's default log bucket, which holds Cloud Run's logs (src: https://cloud.google.com/logging/docs/routing/overview#buckets). */
const DEFAULT_BUCKET = "_Default";

export interface JobLogViewArgs {
  /** The view's id in the project's `_Default` log bucket, e.g. `dev-cloud-run-jobs`. Changing it replaces the view. */
  viewId: string;
  /** The project whose `_Default` bucket holds the jobs' logs. */
  project: string;
  /** IAM members who read the view (`roles/logging.viewAccessor` on it), e.g. the runner's users. @default none */
  readers?: readonly string[];
  /** Escape hatch to any field of the `gcp.logging.LogView`. */
  transform?: { view?: Transform<gcp.logging.LogViewArgs> };
}

/**
 * A log view on the project's `_Default` log bucket that shows only Cloud Run jobs' logs, readable by `readers`
 * without `roles/logging.viewer` on the project: the narrowest grant Cloud Logging offers for reading one kind of
 * log. A view's filter may only use `SOURCE()`, `resource.type` and `LOG_ID()`, joined by AND (src:
 * https://cloud.google.com/logging/docs/reference/v2/rest/v2/locations.buckets.views), so it cannot name the
 * stack's jobs: readers see the logs of every Cloud Run job of the project, and no other logs (data access audit
 * logs left out). Queries and live tails take the view as their resource name (`resource_names` of
 * ListLogEntries and TailLogEntries, google/logging/v2/logging.proto). The Logging API is enabled by default in a
 * new project (src: https://cloud.google.com/service-usage/docs/enabled-service#default), so the stack does not
 * enable it. The live tail needs `logging.logEntries.list` (https://cloud.google.com/logging/docs/reference/v2/rest/v2/entries/tail),
 * which `roles/logging.viewAccessor` lacks, so the runner lists the view's entries instead when the tail is denied
 * (cli/src/runner/logs.ts).
 *
 * @example
 * ```ts
 * import { JobLogView } from "./components";
 *
 * const logs = new JobLogView("job-logs", { viewId: "dev-cloud-run-jobs", project: "my-pipelines-dev", readers: ["group:data-eng@example.com"] });
 * export const logView = logs.id;
 * ```
 * @throws InputError naming `JobLogView(<name>).viewId` or `.readers`.
 */
export class JobLogView extends PipelineComponent {
  /** The view's resource name, `projects/<p>/locations/global/buckets/_Default/views/<id>`: what the runner reads. */
  public readonly id: pulumi.Output<string>;

  constructor(name: string, args: JobLogViewArgs, opts?: pulumi.ComponentResourceOptions) {
    const field = `JobLogView(${name})`;
    if (!VIEW_ID.test(args.viewId))
      throw new InputError(`${field}.viewId`, `"${args.viewId}" is not a usable view id`, "use at most 100 letters, digits, hyphens and underscores");
    checkWorkloadArgs(field, undefined, { readers: args.readers });
    super("pipelines:gcp:JobLogView", name, opts);
    const bucket = `projects/${args.project}/locations/global/buckets/${DEFAULT_BUCKET}`;
    const where = { parent: `projects/${args.project}`, location: "global", bucket, name: args.viewId };
    const view = new gcp.logging.LogView(
      childName(name, "view"),
      applyTransform<gcp.logging.LogViewArgs>(
        {
          ...where,
          description: "Cloud Run jobs' logs, for the runner's --logs (npm run job)",
          filter: `SOURCE("projects/${args.project}") AND resource.type = "cloud_run_job" AND NOT LOG_ID("cloudaudit.googleapis.com/data_access")`,
        },
        args.transform?.view,
      ),
      this.child(),
    );
    // The view's IAM takes the bucket and view by short id: the provider formats its URL as
    // `{parent}/locations/{location}/buckets/{bucket}/views/{name}` and parses only `name` back from a full name, so
    // the full bucket path would be doubled (hashicorp/terraform-provider-google-beta
    // google-beta/services/logging/iam_logging_log_view.go, LoggingLogViewIamUpdaterProducer and qualifyLogViewUrl).
    // The view itself takes the full bucket path: its encoder shortens it (resource_logging_log_view.go,
    // resourceLoggingLogViewEncoder). The rehearsal's identifier-forms rule checks both (cli/src/preview/identifier-forms.ts).
    const viewIam = { parent: where.parent, location: where.location, bucket: DEFAULT_BUCKET, name: args.viewId };
    for (const member of new Set(args.readers ?? [])) {
      new gcp.logging.LogViewIamMember(
        childName(name, "reader", shortHash(member)),
        { ...viewIam, role: LOG_VIEW_READER_ROLE, member },
        this.child({ dependsOn: [view] }),
      );
    }
    this.id = pulumi.output(`${bucket}/views/${args.viewId}`);
    this.registerOutputs({ id: this.id });
  }
}
