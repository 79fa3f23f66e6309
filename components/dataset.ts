import * as gcp from "./shared/gcp";
import * as pulumi from "@pulumi/pulumi";
import { applyTransform, PipelineComponent, Transform } from "./shared/component";
import { InputError } from "./shared/errors";
import { checkEnvName, Grant, Link } from "./shared/links";
import { childName, NAME_RULES } from "./shared/naming";
import { EnvironmentPolicy } from "./shared/policy";

/** Dataset role for `read`: read tables and their data (src: https://cloud.google.com/bigquery/docs/access-control#bigquery.dataViewer). */
export const DATASET_READ_ROLE = "roles/bigquery.dataViewer";
/** Dataset role for `write`: create, update, delete tables and their data (src: https://cloud.google.com/bigquery/docs/access-control#bigquery.dataEditor). */
export const DATASET_WRITE_ROLE = "roles/bigquery.dataEditor";
/**
 * Project-level role every linked workload also gets: running a query or load job needs `bigquery.jobs.create`
 * on the project that runs the job, and no dataset-level grant carries it; `roles/bigquery.jobUser` is the
 * narrowest predefined role with it (src: https://cloud.google.com/bigquery/docs/access-control#bigquery.jobUser;
 * https://cloud.google.com/bigquery/docs/jobs-overview#required_permissions).
 */
export const BIGQUERY_JOB_USER_ROLE = "roles/bigquery.jobUser";

/** Minimum default table expiration BigQuery accepts: one hour (src: `@pulumi/gcp` `bigquery/dataset.d.ts` `defaultTableExpirationMs`). */
const MIN_TABLE_EXPIRATION_DAYS = 1 / 24;

export interface DatasetArgs {
  /** Dataset id: letters, digits and underscores, e.g. `dev_warehouse` (see `NAME_RULES.dataset`). Changing it replaces the dataset. */
  datasetId: string;
  /**
   * Location, e.g. `EU`, `US` or a region such as `europe-west1`. Changing it replaces the dataset (and loses its
   * tables); load jobs need source buckets in a compatible location (src: https://cloud.google.com/bigquery/docs/batch-loading-data#data-locations).
   */
  location: pulumi.Input<string>;
  /** Environment variable that names the dataset in linked workloads, e.g. `WAREHOUSE_DATASET`. */
  envName: string;
  /** What happens on destroy (`deleteContentsOnDestroy`, `protect`). */
  policy: EnvironmentPolicy;
  /**
   * New tables expire this many days after creation (at least 1/24, one hour).
   * @default no expiration
   */
  defaultTableExpirationDays?: number;
  /** Escape hatch to any field of the `gcp.bigquery.Dataset`. */
  transform?: { dataset?: Transform<gcp.bigquery.DatasetArgs> };
}

/**
 * A BigQuery dataset for the warehouse. Access is granted only through its links ({@link Dataset.read},
 * {@link Dataset.write}) as `DatasetIamMember`s; the component never sets the dataset's `accesses`, since the two
 * fight each other (src: `@pulumi/gcp` `bigquery/datasetIamMember.d.ts`).
 * @example
 * ```ts
 * import * as gcp from "@pulumi/gcp";
 * import { CloudRunJob, Dataset, environmentPolicy, ProjectApis } from "./components";
 *
 * const provider = new gcp.Provider("gcp", { project: "my-project", region: "europe-west1" });
 * const apis = new ProjectApis("apis", {}, { provider });
 * const opts = { provider, dependsOn: [apis] };
 * const policy = environmentPolicy(true);
 * const warehouse = new Dataset("warehouse", { datasetId: "prod_warehouse", location: "EU", envName: "WAREHOUSE_DATASET", policy }, opts);
 * new CloudRunJob("load", {
 *   jobName: "prod-etl-load",
 *   location: "europe-west1",
 *   image: "europe-west1-docker.pkg.dev/my-project/images/etl@sha256:<digest>",
 *   serviceAccount: { accountId: "prod-etl-load", displayName: "ETL load" },
 *   links: [warehouse.write], // roles/bigquery.dataEditor on the dataset, roles/bigquery.jobUser on the project
 *   policy,
 * }, opts);
 * ```
 */
export class Dataset extends PipelineComponent {
  /** The dataset id. */
  public readonly datasetId: pulumi.Output<string>;
  /** The project that holds the dataset. */
  public readonly project: pulumi.Output<string>;
  private readonly componentName: string;
  private readonly envName: string;

  constructor(name: string, args: DatasetArgs, opts?: pulumi.ComponentResourceOptions) {
    validate(name, args);
    super("pipelines:gcp:Dataset", name, opts);
    this.componentName = name;
    this.envName = args.envName;
    const dataset = new gcp.bigquery.Dataset(
      childName(name, "dataset"),
      applyTransform<gcp.bigquery.DatasetArgs>(
        {
          datasetId: args.datasetId,
          location: args.location,
          deleteContentsOnDestroy: args.policy.deleteContentsOnDestroy,
          ...(args.defaultTableExpirationDays !== undefined && {
            defaultTableExpirationMs: Math.round(args.defaultTableExpirationDays * 86_400_000),
          }),
        },
        args.transform?.dataset,
      ),
      this.child({ protect: args.policy.protect }),
    );
    this.datasetId = dataset.datasetId;
    this.project = dataset.project;
    this.registerOutputs({ datasetId: this.datasetId, project: this.project });
  }

  /** Read tables: `roles/bigquery.dataViewer` on this dataset, plus `roles/bigquery.jobUser` on the project to run queries. */
  public get read(): Link {
    return this.link("dataViewer", DATASET_READ_ROLE);
  }

  /** Create and replace tables: `roles/bigquery.dataEditor` on this dataset, plus `roles/bigquery.jobUser` on the project to run query and load jobs. */
  public get write(): Link {
    return this.link("dataEditor", DATASET_WRITE_ROLE);
  }

  private link(roleName: string, role: string): Link {
    const datasetId = this.datasetId;
    const project = this.project;
    const datasetGrant: Grant = {
      key: `${this.componentName}-${roleName}`,
      role,
      scope: `dataset ${this.componentName}`,
      bind: (name, member, opts) => new gcp.bigquery.DatasetIamMember(name, { datasetId, role, member }, opts),
    };
    const jobUserGrant: Grant = {
      key: "project-bigquery-jobUser",
      role: BIGQUERY_JOB_USER_ROLE,
      scope: "project",
      bind: (name, member, opts) => new gcp.projects.IAMMember(name, { project, role: BIGQUERY_JOB_USER_ROLE, member }, opts),
    };
    return { env: { [this.envName]: datasetId }, grants: [datasetGrant, jobUserGrant] };
  }
}

function validate(name: string, args: DatasetArgs): void {
  const field = `Dataset(${name})`;
  if (!NAME_RULES.dataset.pattern.test(args.datasetId)) {
    throw new InputError(
      `${field}.datasetId`,
      `"${args.datasetId}" is not a valid dataset id`,
      "use lowercase letters, digits and underscores (no hyphens), e.g. dev_warehouse",
    );
  }
  checkEnvName(`${field}.envName`, args.envName, "WAREHOUSE_DATASET");
  const days = args.defaultTableExpirationDays;
  if (days !== undefined && !(days >= MIN_TABLE_EXPIRATION_DAYS)) {
    throw new InputError(
      `${field}.defaultTableExpirationDays`,
      `${days} is below BigQuery's minimum of one hour`,
      "use at least 1/24 of a day, or leave it unset for no expiration",
    );
  }
}
