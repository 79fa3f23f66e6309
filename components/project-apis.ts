import * as gcp from "./shared/gcp";
import * as pulumi from "@pulumi/pulumi";
import { PipelineComponent } from "./shared/component";
import { InputError } from "./shared/errors";
import { childName } from "./shared/naming";

/** The Google APIs this project's resources use, each with the resources that need it. */
export const REQUIRED_APIS = [
  "artifactregistry.googleapis.com", // image repository (ArtifactRepository)
  "bigquery.googleapis.com", // warehouse dataset (Dataset)
  "cloudresourcemanager.googleapis.com", // project-level IAM members (roles/bigquery.jobUser)
  "cloudscheduler.googleapis.com", // schedules (JobSchedule)
  "iam.googleapis.com", // service accounts (ServiceAccount)
  // log views for runners (JobLogView). On by default only in projects made with the console or gcloud
  // (https://cloud.google.com/service-usage/docs/enabled-service#default); enabled here for every other project.
  "logging.googleapis.com",
  "pubsub.googleapis.com", // topics and subscriptions (triggers)
  "run.googleapis.com", // Cloud Run jobs and services
  "secretmanager.googleapis.com", // secret env of workloads
  "storage.googleapis.com", // buckets (Bucket)
  "workflowexecutions.googleapis.com", // starting workflow executions (JobChain schedules)
  "workflows.googleapis.com", // job chains (JobChain)
] as const;

export interface ProjectApisArgs {
  /**
   * Service names to enable, e.g. `run.googleapis.com`.
   * @default REQUIRED_APIS
   */
  services?: readonly string[];
}

/**
 * Enables the Google APIs a stack uses. Every other component takes `dependsOn: apis`, because a resource
 * created before its API is enabled fails with "API has not been used in project … or it is disabled"
 * (src: gcp-pulumi-facts §1.1).
 *
 * APIs are never disabled on destroy (`disableOnDestroy: false`): disabling an API deletes or breaks every
 * other resource of the project that uses it, including ones this stack does not own (src: `@pulumi/gcp`
 * `projects/service.d.ts`; hashicorp/terraform-provider-google#18058). The Service Usage API itself must
 * already be on, as it is in every new project.
 * @example
 * ```ts
 * import * as gcp from "@pulumi/gcp";
 * import { MONITORING_API, ProjectApis, REQUIRED_APIS } from "./components";
 *
 * const provider = new gcp.Provider("gcp", { project: "my-project", region: "europe-west1" });
 * const apis = new ProjectApis("apis", { services: [...REQUIRED_APIS, MONITORING_API] }, { provider });
 * export const opts = { provider, dependsOn: [apis] }; // every other component takes these
 * ```
 */
export class ProjectApis extends PipelineComponent {
  /** The enabled service names, sorted. */
  public readonly services: pulumi.Output<string[]>;
  /** The same names as plain values, so that a component can check, before declaring anything, that its API is among them ({@link checkApisEnabled}). */
  public readonly serviceNames: readonly string[];

  constructor(name: string, args: ProjectApisArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("pipelines:gcp:ProjectApis", name, opts);
    const services = [...new Set(args.services ?? REQUIRED_APIS)].sort();
    const enabled = services.map(
      (service) =>
        new gcp.projects.Service(childName(name, service.split(".")[0]), { service, disableOnDestroy: false, disableDependentServices: false }, this.child()),
    );
    this.serviceNames = services;
    this.services = pulumi.all(enabled.map((s) => s.service));
    this.registerOutputs({ services: this.services });
  }
}

/**
 * Checks that `apis` enables every service a component needs, so that a missing API fails the preview with its
 * name instead of failing `pulumi up` with "API has not been used in project … or it is disabled".
 * @param field - the arg that holds the ProjectApis, e.g. `PipelineAlerts(alerts).apis`
 * @throws InputError naming `field` and each missing service.
 */
export function checkApisEnabled(field: string, apis: ProjectApis, needed: readonly string[]): void {
  const missing = needed.filter((service) => !apis.serviceNames.includes(service));
  if (missing.length > 0) {
    throw new InputError(field, `does not enable ${missing.join(", ")}`, `add ${missing.map((m) => `"${m}"`).join(", ")} to the ProjectApis' services`);
  }
}
