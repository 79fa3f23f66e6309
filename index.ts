import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { JobFailureAlert, MONITORING_API } from "./components/job-failure-alert";
import { ProjectApis, REQUIRED_APIS } from "./components/project-apis";
import { loadConfig } from "./config";
import { declareEtl, ETL_STEPS } from "./jobs/etl";
import { declareImages } from "./jobs/images";

// Composition root: config -> provider -> components -> stack outputs.
const config = loadConfig();
const provider = new gcp.Provider("gcp", { project: config.project, region: config.region, defaultLabels: { ...config.labels } });
const apis = new ProjectApis("apis", { services: [...REQUIRED_APIS, ...(config.alertEmail ? [MONITORING_API] : [])] }, { provider });
const opts: pulumi.ComponentResourceOptions = { provider, dependsOn: [apis] };

const built = declareImages(config, opts);
const etl = declareEtl(config, built.etl, opts);
if (config.alertEmail) {
  new JobFailureAlert("job-failures", { jobs: Object.values(etl.jobs), email: config.alertEmail, displayName: `ETL job failed (${config.stack})` }, opts);
}

// The contract the runner reads (`pulumi stack output --json`, or `npm run preview -- --outputs FILE`).
export const project = config.project;
export const region = config.region;
export const jobs = Object.fromEntries(
  ETL_STEPS.map((step) => {
    const job = etl.jobs[step];
    return [step, { name: job.id, jobName: job.name, region: job.location, project: job.project, serviceAccount: job.serviceAccountEmail }];
  }),
);
export const pipelines = { etl: { steps: [...ETL_STEPS], stagingBucket: etl.buckets.staging.name } };
export const buckets = { raw: etl.buckets.raw.name, staging: etl.buckets.staging.name, curated: etl.buckets.curated.name };
export const dataset = etl.warehouse.datasetId;
// null where the stack builds no images (it deploys promoted digests).
export const repository = built.repository?.registryUri ?? null;
export const images = { etl: built.etl };
