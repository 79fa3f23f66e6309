import * as pulumi from "@pulumi/pulumi";
import { MONITORING_API, PipelineAlerts, ProjectApis, REQUIRED_APIS } from "@cloudrun-pipelines/components";
import { Provider } from "@pulumi/gcp/provider";
import { loadConfig } from "./config";
import type { SatisfiesStackOutputs } from "cloudrun-pipelines/contract";
import { declareEtl, ETL_STEPS } from "./pipelines/etl";
import { declareImages } from "./pipelines/images";
import { declareScoring } from "./pipelines/scoring";
import { declareStreaming } from "./pipelines/streaming";

// Composition root: config -> provider -> components -> stack outputs.
const config = loadConfig();
const provider = new Provider("gcp", { project: config.project, region: config.region, defaultLabels: { ...config.labels } });
const apis = new ProjectApis("apis", { services: [...REQUIRED_APIS, ...(config.alertEmail ? [MONITORING_API] : [])] }, { provider });
const opts: pulumi.ComponentResourceOptions = { provider, dependsOn: [apis] };

const built = declareImages(config, opts);
const etl = declareEtl(config, built.digests.etl, opts);
const scoring = declareScoring(config, built.digests.scorer, opts);
const stream = declareStreaming(config, built.digests.stream, opts);
if (config.alertEmail) {
  new PipelineAlerts(
    "alerts",
    {
      apis,
      jobs: Object.values(etl.jobs),
      chains: [etl.chain],
      deadLetterSources: [scoring.trigger.pushSubscriptionName, stream.pushSubscriptionName],
      email: config.alertEmail,
      environment: config.stack,
    },
    opts,
  );
}

// The contract the runner, the stream client and promote read (`pulumi stack output --json`, or `npm run preview -- --outputs FILE`):
// contract/outputs.ts, which the exports satisfy (the type at the end).
export const project = config.project;
export const region = config.region;
export const jobs = Object.fromEntries(
  ETL_STEPS.map((step) => {
    const job = etl.jobs[step];
    return [step, { name: job.id, jobName: job.name, region: job.location, project: job.project, serviceAccount: job.serviceAccountEmail }];
  }),
);
export const pipelines = {
  etl: { steps: [...ETL_STEPS], stagingBucket: etl.buckets.staging.name, workflow: etl.chain.id },
  scoring: {
    inputBucket: scoring.buckets.input.name,
    outputBucket: scoring.buckets.output.name,
    service: scoring.service.uri,
    deadLetterSubscription: scoring.trigger.deadLetterSubscriptionName,
  },
  streaming: {
    requestTopic: stream.requestTopicId,
    resultSubscription: stream.resultSubscriptionIds.backend,
    service: stream.service.uri,
    deadLetterSubscription: stream.deadLetterSubscriptionName,
  },
};
export const buckets = { raw: etl.buckets.raw.name, staging: etl.buckets.staging.name, curated: etl.buckets.curated.name };
export const dataset = etl.warehouse.datasetId;
export const logView = etl.logView.id;
// The stack's own repository, and each image by digest in it (built here, or promoted and copied here).
export const repository = built.repository.registryUri;
export const images = built.digests;

/** The exports, resolved: `tsc` fails here when they drift from the contract's schema (contract/outputs.ts). */
export type Outputs = SatisfiesStackOutputs<
  pulumi.Unwrap<{
    project: typeof project;
    region: typeof region;
    jobs: typeof jobs;
    pipelines: typeof pipelines;
    buckets: typeof buckets;
    dataset: typeof dataset;
    logView: typeof logView;
    repository: typeof repository;
    images: typeof images;
  }>
>;
