import * as pulumi from "@pulumi/pulumi";
import { Bucket, CloudRunJob, CloudRunJobArgs, Dataset, existingBucketRead, JobChain, JobLogView, physicalName, Secret } from "@cloudrun-pipelines/components";
import { StackConfig } from "../config";

/** The ETL's jobs in the order a pipeline runs them. */
export const ETL_STEPS = ["extract", "load", "transform"] as const;
export type EtlStep = (typeof ETL_STEPS)[number];

/** What the batch ETL declares. */
export interface EtlPipeline {
  readonly buckets: { readonly raw: Bucket; readonly staging: Bucket; readonly curated: Bucket };
  readonly warehouse: Dataset;
  readonly jobs: Readonly<Record<EtlStep, CloudRunJob>>;
  /** The three jobs as one workflow (extract → load → transform), scheduled nightly where the stack sets `etlSchedule` (prod). */
  readonly chain: JobChain;
  /** The jobs' logs for the runners (`npm run job -- run <job> --logs`), without a project-wide logging role. */
  readonly logView: JobLogView;
}

/**
 * The batch ETL: `extract` (source → raw bucket as Parquet, or the run's staging prefix when a pipeline passes
 * `STAGING_PREFIX`), `load` (Parquet → partitioned BigQuery table), `transform` (SQL → curated tables in the
 * warehouse). Each job has its own service account and only the links it needs:
 *
 * | job       | raw   | staging | curated | warehouse | `etlSourceBuckets` |
 * |-----------|-------|---------|---------|-----------|--------------------|
 * | extract   | write | write   |         |           | read               |
 * | load      | read  | read    |         | write     |                    |
 * | transform |       |         |         | write     |                    |
 *
 * No job writes the curated bucket: the SQL of `images/etl/sql` creates tables only, so transform has no grant on it.
 *
 * All three run the `images/etl` image; the subcommand is part of the job's command, so a run's `args` override
 * carries only parameters (RunJob overrides replace args and cannot change the command).
 *
 * The chain (`etl-chain`, a Cloud Workflows workflow) runs them in order with one `RUN_ID` and `STAGING_PREFIX`, as
 * `npm run job -- pipeline etl` does from a laptop; where the stack sets `etlSchedule`, Cloud Scheduler starts it
 * nightly.
 */
export function declareEtl(config: StackConfig, image: pulumi.Input<string>, opts: pulumi.ComponentResourceOptions): EtlPipeline {
  const { stack, project, region, policy } = config;
  const bucket = (name: "raw" | "staging" | "curated", deleteObjectsAfterDays?: number) =>
    new Bucket(
      name,
      { bucketName: physicalName("bucket", [project, stack, name]), location: region, envName: `${name.toUpperCase()}_BUCKET`, policy, deleteObjectsAfterDays },
      opts,
    );
  const raw = bucket("raw");
  const staging = bucket("staging", config.stagingRetentionDays);
  const curated = bucket("curated");
  const warehouse = new Dataset(
    "warehouse",
    {
      datasetId: physicalName("dataset", [stack, "warehouse"]),
      location: config.datasetLocation,
      envName: "WAREHOUSE_DATASET",
      policy,
      defaultTableExpirationDays: config.tableExpirationDays,
    },
    opts,
  );

  const token = config.etl.sourceToken;
  const sourceToken =
    token !== undefined ? new Secret("source-token", { secretId: `${stack}-etl-source-token`, value: pulumi.secret(token) }, opts) : undefined;

  const job = (step: EtlStep, args: Pick<CloudRunJobArgs, "links" | "cpu" | "memory" | "taskCount" | "taskTimeout" | "maxRetries" | "env">) =>
    new CloudRunJob(
      step,
      {
        ...args,
        jobName: physicalName("cloudRunJob", [stack, "etl", step]),
        location: region,
        image,
        command: ["node", "/app/dist/main.js", step],
        env: { GOOGLE_CLOUD_PROJECT: project, DATASET_NAME: config.etl.datasetName, ...args.env },
        serviceAccount: {
          accountId: physicalName("serviceAccount", [stack, "etl", step]),
          displayName: `ETL ${step} (${stack})`,
          description: `Runs the ${step} step of the batch ETL.`,
        },
        runners: [...config.runners],
        policy,
      },
      opts,
    );
  const jobs = {
    extract: job("extract", {
      links: [
        raw.write,
        staging.write,
        ...config.etl.sourceBuckets.map((name) => existingBucketRead(`source-${name}-objectViewer`, name)),
        ...(sourceToken ? [sourceToken.env("SOURCE_TOKEN")] : []),
      ],
      env: config.etl.source !== undefined ? { SOURCE_URI: config.etl.source } : {},
      cpu: 2,
      memory: "2 GiB",
      taskCount: config.etl.extractTaskCount,
      taskTimeout: "1 hour",
      maxRetries: 1,
    }),
    load: job("load", { links: [raw.read, staging.read, warehouse.write], taskTimeout: "30 minutes", maxRetries: 1 }),
    transform: job("transform", { links: [warehouse.write], taskTimeout: "30 minutes", maxRetries: 1 }),
  };

  const nightly = config.etl.schedule;
  const chain = new JobChain(
    "etl-chain",
    {
      workflowName: physicalName("workflow", [stack, "etl"]),
      location: region,
      steps: ETL_STEPS.map((step) => ({ name: step, job: jobs[step] })),
      stagingBucket: staging,
      serviceAccount: {
        accountId: physicalName("serviceAccount", [stack, "etl", "chain"]),
        displayName: `ETL chain (${stack})`,
        description: "Runs the ETL jobs in order as a workflow.",
      },
      ...(nightly && {
        schedule: {
          schedulerJobName: physicalName("schedulerJob", [stack, "etl", "nightly"]),
          cron: nightly.cron,
          timeZone: nightly.timeZone,
          serviceAccount: { accountId: physicalName("serviceAccount", [stack, "etl", "nightly"]), displayName: `Nightly ETL (${stack})` },
        },
      }),
      policy,
    },
    opts,
  );
  const logView = new JobLogView("job-logs", { viewId: `${stack}-cloud-run-jobs`, project, readers: [...config.runners] }, opts);
  return { buckets: { raw, staging, curated }, warehouse, jobs, chain, logView };
}
