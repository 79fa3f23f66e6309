import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { quote } from "shell-quote";
import { parse } from "yaml";
import { contextHash } from "../../components/container-image";
import { configFromPulumi } from "../../config";
import { computedOutputs, OFFLINE_DIGEST, projectNumber, RecordedResource } from "../../cli/src/preview/mock-runtime";
import { iamRows } from "../../cli/src/preview/render";
import { ProgramRun, readStackConfig, runProgram } from "../../cli/src/preview/run-program";
import { ROOT } from "../helpers/typecheck";
import { planOf, PROD_PROTECTED } from "../helpers/plan";
import { pushSubscriptionInputs } from "../helpers/push-subscription";

const JOB = "gcp:cloudrunv2/job:Job";
const BUCKET = "gcp:storage/bucket:Bucket";
const DATASET = "gcp:bigquery/dataset:Dataset";
const SERVICE = "gcp:projects/service:Service";

const custom = (run: ProgramRun) => run.resources.filter((r) => r.custom);
const ofType = (run: ProgramRun, type: string) => run.resources.filter((r) => r.type === type);
const names = (resources: RecordedResource[]) => resources.map((r) => `${r.type} ${r.name}`).sort();

/** The images of a stack that builds (dev, staging); prod copies promoted digests into its own repository instead. */
const BUILD = ["etl", "scorer", "stream"].map((image) => `docker:index/image:Image ${image}-image-image`);
/** The nightly ETL chain (prod, staging): a Cloud Scheduler job starting the workflow, with its own account allowed to invoke workflows. */
const SCHEDULE = [
  "gcp:cloudscheduler/job:Job etl-chain-sched-scheduler",
  "gcp:serviceaccount/account:Account etl-chain-sched-sa-account",
  "gcp:projects/iAMMember:IAMMember etl-chain-sched-workflows-invoker",
];
/** The alerts where a stack names an alertEmail (prod), with the API they need. */
const ALERT = [
  "gcp:monitoring/alertPolicy:AlertPolicy alerts-chain-failures",
  "gcp:monitoring/alertPolicy:AlertPolicy alerts-dead-letters",
  "gcp:monitoring/alertPolicy:AlertPolicy alerts-job-failures",
  "gcp:monitoring/notificationChannel:NotificationChannel alerts-email",
  "gcp:projects/service:Service apis-monitoring",
];
/** The ETL's workflow: its account holds the runner roles on each job. */
const CHAIN = [
  "gcp:workflows/workflow:Workflow etl-chain-workflow",
  "gcp:serviceaccount/account:Account etl-chain-sa-account",
  ...["extract", "load", "transform"].flatMap((step) =>
    ["run.jobsExecutorWithOverrides", "run.viewer"].map((role) => `gcp:cloudrunv2/jobIamMember:JobIamMember etl-chain-${step}-${role}`),
  ),
];
/** A push subscription to a service, with its invoker and its dead-letter topic (the scoring trigger's and the stream's). */
const push = (name: string) => [
  `gcp:cloudrunv2/serviceIamMember:ServiceIamMember ${name}-invoker-run-invoker`,
  `gcp:pubsub/subscription:Subscription ${name}-dead-letter-subscription`,
  `gcp:pubsub/subscription:Subscription ${name}-subscription`,
  `gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember ${name}-dead-letter-agent-subscriber`,
  `gcp:pubsub/topic:Topic ${name}-dead-letter-topic`,
  `gcp:pubsub/topicIAMMember:TopicIAMMember ${name}-dead-letter-agent-publisher`,
  `gcp:serviceaccount/account:Account ${name}-invoker-account`,
  `gcp:projects/serviceIdentity:ServiceIdentity ${name}-pubsub-agent`,
];
/** The scoring pipeline: input and output buckets, the scorer service, the bucket trigger. */
const SCORING = [
  `${BUCKET} scoring-input-bucket`,
  `${BUCKET} scoring-output-bucket`,
  "gcp:cloudrunv2/service:Service scorer-service",
  "gcp:serviceaccount/account:Account scorer-sa-account",
  "gcp:storage/bucketIAMMember:BucketIAMMember scorer-scoring-input-objectViewer",
  "gcp:storage/bucketIAMMember:BucketIAMMember scorer-scoring-output-objectUser",
  "gcp:pubsub/topic:Topic scoring-trigger-notifications-topic",
  "gcp:pubsub/topicIAMMember:TopicIAMMember scoring-trigger-gcs-agent-publisher",
  "gcp:storage/notification:Notification scoring-trigger-notification",
  ...push("scoring-trigger-push"),
];
/** The streaming pipeline: request and result topics, the predictor service, the backend's result subscription. */
const STREAMING = [
  "gcp:pubsub/topic:Topic stream-requests-topic",
  "gcp:pubsub/topic:Topic stream-results-topic",
  "gcp:pubsub/subscription:Subscription stream-results-backend",
  "gcp:cloudrunv2/service:Service stream-service-service",
  "gcp:serviceaccount/account:Account stream-service-sa-account",
  "gcp:pubsub/topicIAMMember:TopicIAMMember stream-service-stream-results-publisher",
  ...push("stream-push"),
];
/** Every custom resource every stack declares. */
const COMMON = [
  ...[
    "artifactregistry",
    "bigquery",
    "cloudresourcemanager",
    "cloudscheduler",
    "iam",
    "logging",
    "pubsub",
    "run",
    "secretmanager",
    "storage",
    "workflowexecutions",
    "workflows",
  ].map((api) => `${SERVICE} apis-${api}`),
  `${DATASET} warehouse-dataset`,
  "gcp:bigquery/datasetIamMember:DatasetIamMember load-warehouse-dataEditor",
  "gcp:bigquery/datasetIamMember:DatasetIamMember transform-warehouse-dataEditor",
  `${JOB} extract-job`,
  `${JOB} load-job`,
  `${JOB} transform-job`,
  "gcp:projects/iAMMember:IAMMember load-project-bigquery-jobUser",
  "gcp:projects/iAMMember:IAMMember transform-project-bigquery-jobUser",
  "gcp:serviceaccount/account:Account extract-sa-account",
  "gcp:serviceaccount/account:Account load-sa-account",
  "gcp:serviceaccount/account:Account transform-sa-account",
  `${BUCKET} curated-bucket`,
  `${BUCKET} raw-bucket`,
  `${BUCKET} staging-bucket`,
  "gcp:storage/bucketIAMMember:BucketIAMMember extract-raw-objectUser",
  "gcp:storage/bucketIAMMember:BucketIAMMember extract-staging-objectUser",
  "gcp:storage/bucketIAMMember:BucketIAMMember load-raw-objectViewer",
  "gcp:storage/bucketIAMMember:BucketIAMMember load-staging-objectViewer",
  "pulumi:providers:gcp gcp",
  "gcp:artifactregistry/repository:Repository images-repository",
  "gcp:logging/logView:LogView job-logs-view",
  ...CHAIN,
  ...SCORING,
  ...STREAMING,
];

describe("stack: the real program with the real stack files", () => {
  let dev: ProgramRun;
  let prod: ProgramRun;
  before(async () => {
    dev = await planOf("dev");
    prod = await planOf("prod");
  });

  it("dev declares the platform, the ETL chain, the scoring and the streaming pipelines, and no schedule", () => {
    expect(names(custom(dev))).to.deep.equal([...COMMON, ...BUILD].sort());
  });

  it("runners from config get run.jobsExecutorWithOverrides and run.viewer on every job, logging.viewAccessor on the jobs' log view (not the project), and nothing else", async () => {
    const config = readStackConfig("dev");
    const run = await runProgram("dev", { ...config, values: { ...config.values, "cloudrun-pipelines:runners": '["group:data-eng@example.com"]' } });
    expect(
      iamRows(run.resources)
        .filter((r) => r.member === "group:data-eng@example.com")
        .map((r) => `${r.role} on ${r.resource}`),
    ).to.deep.equal([
      "roles/logging.viewAccessor on log view dev-cloud-run-jobs",
      ...["roles/run.jobsExecutorWithOverrides", "roles/run.viewer"].flatMap((role) =>
        ["extract", "load", "transform"].map((step) => `${role} on job dev-etl-${step}`),
      ),
    ]);
    expect(run.resources.filter((r) => r.type === "gcp:logging/logViewIamMember:LogViewIamMember").map((r) => r.inputs)).to.deep.equal([
      {
        parent: "projects/my-pipelines-dev",
        location: "global",
        bucket: "_Default",
        name: "dev-cloud-run-jobs",
        role: "roles/logging.viewAccessor",
        member: "group:data-eng@example.com",
      },
    ]);
  });

  it("prod adds the nightly ETL chain (Scheduler starts the workflow with OAuth, its account may invoke workflows) and the alerts, and builds no image", () => {
    expect(names(custom(prod))).to.deep.equal([...COMMON, ...SCHEDULE, ...ALERT].sort());
    const scheduler = prod.resources.find((r) => r.type === "gcp:cloudscheduler/job:Job")!;
    expect(scheduler.inputs).to.deep.include({ name: "prod-etl-nightly", schedule: "0 2 * * *", timeZone: "Europe/Berlin", region: "europe-west1" });
    expect(scheduler.inputs.httpTarget).to.deep.equal({
      uri: "https://workflowexecutions.googleapis.com/v1/projects/my-pipelines-prod/locations/europe-west1/workflows/prod-etl/executions",
      httpMethod: "POST",
      body: Buffer.from('{"argument":"{}"}').toString("base64"),
      headers: { "Content-Type": "application/json" },
      oauthToken: {
        serviceAccountEmail: "prod-etl-nightly@my-pipelines-prod.iam.gserviceaccount.com",
        scope: "https://www.googleapis.com/auth/cloud-platform",
      },
    });
    const alert = prod.resources.find((r) => r.name === "alerts-dead-letters")!;
    const filter = (alert.inputs.conditions as { conditionThreshold: { filter: string } }[])[0].conditionThreshold.filter;
    expect(filter).to.include('resource.labels.subscription_id = one_of("prod-scoring-push", "prod-stream-push")');
    const chainAlert = prod.resources.find((r) => r.name === "alerts-chain-failures")!;
    const chainFilter = (chainAlert.inputs.conditions as { conditionThreshold: { filter: string } }[])[0].conditionThreshold.filter;
    expect(chainFilter).to.include('resource.labels.workflow_id = one_of("prod-etl")');
  });

  it("a third environment is a stack file, not code: staging declares prod's resources with dev's destroyable policy", async () => {
    const staging = await planOf("staging");
    expect(names(custom(staging))).to.deep.equal([...COMMON, ...BUILD, ...SCHEDULE].sort());
    expect(custom(staging).filter((r) => r.protect)).to.deep.equal([]);
    expect(ofType(staging, "gcp:cloudscheduler/job:Job")[0].inputs).to.deep.include({ name: "staging-etl-nightly", schedule: "30 3 * * *" });
  });

  it("exports exactly what the runner reads: each job's full name, region, project and account; the pipeline; buckets, dataset, repository, images", () => {
    const { images, ...rest } = dev.outputs as { images: Record<string, string> };
    const job = (step: string) => ({
      name: `projects/my-pipelines-dev/locations/europe-west1/jobs/dev-etl-${step}`,
      jobName: `dev-etl-${step}`,
      region: "europe-west1",
      project: "my-pipelines-dev",
      serviceAccount: `dev-etl-${step}@my-pipelines-dev.iam.gserviceaccount.com`,
    });
    expect(rest).to.deep.equal({
      project: "my-pipelines-dev",
      region: "europe-west1",
      jobs: { extract: job("extract"), load: job("load"), transform: job("transform") },
      pipelines: {
        etl: {
          steps: ["extract", "load", "transform"],
          stagingBucket: "my-pipelines-dev-dev-staging",
          workflow: "projects/my-pipelines-dev/locations/europe-west1/workflows/dev-etl",
        },
        scoring: {
          inputBucket: "my-pipelines-dev-dev-scoring-input",
          outputBucket: "my-pipelines-dev-dev-scoring-output",
          service: `https://dev-scorer-${projectNumber("my-pipelines-dev")}.europe-west1.run.app`,
          deadLetterSubscription: "dev-scoring-push-dead-letter",
        },
        streaming: {
          requestTopic: "projects/my-pipelines-dev/topics/dev-stream-requests",
          resultSubscription: "projects/my-pipelines-dev/subscriptions/dev-stream-results-backend",
          service: `https://dev-stream-${projectNumber("my-pipelines-dev")}.europe-west1.run.app`,
          deadLetterSubscription: "dev-stream-push-dead-letter",
        },
      },
      buckets: { raw: "my-pipelines-dev-dev-raw", staging: "my-pipelines-dev-dev-staging", curated: "my-pipelines-dev-dev-curated" },
      dataset: "dev_warehouse",
      logView: "projects/my-pipelines-dev/locations/global/buckets/_Default/views/dev-cloud-run-jobs",
      repository: "europe-west1-docker.pkg.dev/my-pipelines-dev/dev-images",
    });
    expect(Object.keys(images)).to.deep.equal(["etl", "scorer", "stream"]);
    for (const [name, digest] of Object.entries(images))
      expect(digest).to.equal(`europe-west1-docker.pkg.dev/my-pipelines-dev/dev-images/${name}@${OFFLINE_DIGEST}`);
  });

  it("the push subscriptions: scoring waits up to 10 minutes per CSV and tries 10 times, streaming answers within a minute and tries 5 times", () => {
    const push = (name: string) => dev.resources.find((r) => r.name === name)!.inputs;
    const uri = (service: string) => `https://${service}-${projectNumber("my-pipelines-dev")}.europe-west1.run.app`;
    expect(push("scoring-trigger-push-subscription")).to.deep.equal(
      pushSubscriptionInputs(
        { name: "dev-scoring-push", topic: "dev-scoring-uploads", ackDeadlineSeconds: 600, maxDeliveryAttempts: 10 },
        { project: "my-pipelines-dev", serviceUri: uri("dev-scorer"), invokerEmail: "dev-scoring-push@my-pipelines-dev.iam.gserviceaccount.com" },
      ),
    );
    expect(push("stream-push-subscription")).to.deep.include({
      ackDeadlineSeconds: 60,
      retryPolicy: { minimumBackoff: "1s", maximumBackoff: "60s" },
      deadLetterPolicy: { deadLetterTopic: "projects/my-pipelines-dev/topics/dev-stream-push-dead-letter", maxDeliveryAttempts: 5 },
    });
    expect(push("stream-results-backend")).to.deep.equal({
      name: "dev-stream-results-backend",
      topic: "projects/my-pipelines-dev/topics/dev-stream-results",
      ackDeadlineSeconds: 30,
      messageRetentionDuration: "600s",
      expirationPolicy: { ttl: "" },
    });
    expect(push("scoring-trigger-notification")).to.deep.equal({
      bucket: "my-pipelines-dev-dev-scoring-input",
      topic: "projects/my-pipelines-dev/topics/dev-scoring-uploads",
      payloadFormat: "JSON_API_V1",
      eventTypes: ["OBJECT_FINALIZE"],
    });
  });

  it("the services: scorer one CSV at a time on up to 5 instances, stream 80 requests per instance on up to 10, both from 0, private", () => {
    const service = (name: string) => dev.resources.find((r) => r.name === name)!.inputs;
    expect(service("scorer-service")).to.deep.include({ name: "dev-scorer", ingress: "INGRESS_TRAFFIC_ALL", deletionProtection: false });
    expect(service("scorer-service").template).to.deep.include({
      timeout: "600s",
      maxInstanceRequestConcurrency: 1,
      scaling: { minInstanceCount: 0, maxInstanceCount: 5 },
    });
    expect(service("stream-service-service").template).to.deep.include({
      timeout: "60s",
      maxInstanceRequestConcurrency: 80,
      scaling: { minInstanceCount: 0, maxInstanceCount: 10 },
    });
    const envs = (name: string) => (service(name).template as { containers: { envs: { name: string; value: string }[] }[] }).containers[0].envs;
    expect(envs("scorer-service")).to.deep.equal([
      { name: "INPUT_BUCKET", value: "my-pipelines-dev-dev-scoring-input" },
      { name: "LABEL_COLUMN", value: "Species" },
      { name: "OUTPUT_BUCKET", value: "my-pipelines-dev-dev-scoring-output" },
    ]);
    // Publishing an answer may take half the push ack deadline (60 s), so Pub/Sub never redelivers while it publishes.
    expect(envs("stream-service-service")).to.deep.equal([
      { name: "PUBLISH_DEADLINE_SECONDS", value: "30" },
      { name: "RESULT_TOPIC", value: "projects/my-pipelines-dev/topics/dev-stream-results" },
    ]);
    expect(ofType(dev, "gcp:cloudrunv2/serviceIamMember:ServiceIamMember").map((m) => m.inputs.member)).to.have.members([
      "serviceAccount:dev-scoring-push@my-pipelines-dev.iam.gserviceaccount.com",
      "serviceAccount:dev-stream-push@my-pipelines-dev.iam.gserviceaccount.com",
    ]);
  });

  it("the ETL workflow runs extract, load and transform in order, with the staging bucket", () => {
    const workflow = dev.resources.find((r) => r.type === "gcp:workflows/workflow:Workflow")!;
    expect(workflow.inputs).to.deep.include({
      name: "dev-etl",
      region: "europe-west1",
      serviceAccount: "dev-etl-chain@my-pipelines-dev.iam.gserviceaccount.com",
      deletionProtection: false,
    });
    type Step = Record<string, { call?: string; args?: { job: string }; assign?: Record<string, string>[] }>;
    const main = (parse(String(workflow.inputs.sourceContents)) as { main: { steps: Step[] } }).main.steps;
    const runs = main.flatMap((step) =>
      Object.values(step)
        .filter((body) => body.call === "run_job")
        .map((body) => body.args!.job),
    );
    expect(runs).to.deep.equal(["extract", "load", "transform"].map((step) => `projects/my-pipelines-dev/locations/europe-west1/jobs/dev-etl-${step}`));
    expect(main[0].init.assign).to.deep.include({ stagingPrefix: '${"gs://my-pipelines-dev-dev-staging/" + runId + "/"}' });
    expect(main.map((step) => Object.keys(step)[0])).to.deep.equal([
      "init",
      "from_step",
      ...["extract", "load", "transform"].flatMap((step) => [`${step}_overrides`, step, `${step}_done`]),
      "done",
    ]);
  });

  it("every job runs as its own service account, created for it, never a default account", () => {
    for (const run of [dev, prod]) {
      const accounts = ofType(run, JOB).map((j) => (j.inputs.template as { template: { serviceAccount: string } }).template.serviceAccount);
      expect(new Set(accounts).size, run.stack).to.equal(3);
      const created = ofType(run, "gcp:serviceaccount/account:Account").map((a) => a.outputs.email);
      for (const account of accounts) {
        expect(created, run.stack).to.include(account);
        expect(account).not.to.match(/-compute@developer\.gserviceaccount\.com$|@appspot\.gserviceaccount\.com$/);
      }
    }
  });

  it("each account holds exactly the roles its links name (dev)", () => {
    const byMember = (member: string) =>
      iamRows(dev.resources)
        .filter((r) => r.member === member)
        .map((r) => `${r.role} on ${r.resource}`);
    const sa = (step: string) => `serviceAccount:dev-etl-${step}@my-pipelines-dev.iam.gserviceaccount.com`;
    expect(byMember(sa("extract"))).to.deep.equal([
      "roles/storage.objectUser on bucket my-pipelines-dev-dev-raw",
      "roles/storage.objectUser on bucket my-pipelines-dev-dev-staging",
    ]);
    expect(byMember(sa("load"))).to.deep.equal([
      "roles/bigquery.dataEditor on dataset dev_warehouse",
      "roles/bigquery.jobUser on project my-pipelines-dev",
      "roles/storage.objectViewer on bucket my-pipelines-dev-dev-raw",
      "roles/storage.objectViewer on bucket my-pipelines-dev-dev-staging",
    ]);
    expect(byMember(sa("transform"))).to.deep.equal([
      "roles/bigquery.dataEditor on dataset dev_warehouse",
      "roles/bigquery.jobUser on project my-pipelines-dev",
    ]);
    const dev_ = (id: string) => `serviceAccount:${id}@my-pipelines-dev.iam.gserviceaccount.com`;
    expect(byMember(dev_("dev-scorer"))).to.deep.equal([
      "roles/storage.objectUser on bucket my-pipelines-dev-dev-scoring-output",
      "roles/storage.objectViewer on bucket my-pipelines-dev-dev-scoring-input",
    ]);
    expect(byMember(dev_("dev-stream"))).to.deep.equal(["roles/pubsub.publisher on topic dev-stream-results"]);
    expect(byMember(dev_("dev-scoring-push"))).to.deep.equal(["roles/run.invoker on service dev-scorer"]);
    expect(byMember(dev_("dev-stream-push"))).to.deep.equal(["roles/run.invoker on service dev-stream"]);
    expect(byMember(dev_("dev-etl-chain"))).to.deep.equal(
      ["roles/run.jobsExecutorWithOverrides", "roles/run.viewer"]
        .flatMap((role) => ["extract", "load", "transform"].map((step) => `${role} on job dev-etl-${step}`))
        .sort(),
    );
    const number = projectNumber("my-pipelines-dev");
    expect(byMember(`serviceAccount:service-${number}@gs-project-accounts.iam.gserviceaccount.com`), "GCS agent").to.deep.equal([
      "roles/pubsub.publisher on topic dev-scoring-uploads",
    ]);
    expect(byMember(`serviceAccount:service-${number}@gcp-sa-pubsub.iam.gserviceaccount.com`), "Pub/Sub agent").to.deep.equal([
      "roles/pubsub.publisher on topic dev-scoring-push-dead-letter",
      "roles/pubsub.publisher on topic dev-stream-push-dead-letter",
      "roles/pubsub.subscriber on subscription dev-scoring-push",
      "roles/pubsub.subscriber on subscription dev-stream-push",
    ]);
    expect(new Set(iamRows(dev.resources).map((r) => r.member)).size, "no other member holds a role").to.equal(10);
  });

  it("the gcp provider carries the project, region and standard labels, and every GCP resource uses it", () => {
    for (const run of [dev, prod]) {
      const provider = run.resources.find((r) => r.type === "pulumi:providers:gcp")!;
      expect(provider.inputs).to.deep.include({ project: `my-pipelines-${run.stack}`, region: "europe-west1" });
      expect(JSON.parse(String(provider.inputs.defaultLabels))).to.deep.equal({
        app: "cloudrun-pipelines",
        stack: run.stack,
        "managed-by": "pulumi",
        "data-protection": run.stack === "prod" ? "protected" : "destroyable",
      });
      for (const r of custom(run).filter((x) => x.type.startsWith("gcp:"))) {
        expect(r.provider, `${r.type} ${r.name}`).to.equal(`${provider.urn}::mock-provider-id`);
      }
    }
  });

  it("dev tears down completely: nothing protected, buckets and dataset emptied on destroy, no deletion protection on jobs, services and the workflow (the provider defaults it to true)", () => {
    expect(
      custom(dev)
        .filter((r) => r.protect)
        .map((r) => r.name),
    ).to.deep.equal([]);
    for (const bucket of ofType(dev, BUCKET)) expect(bucket.inputs.forceDestroy, bucket.name).to.equal(true);
    expect(ofType(dev, DATASET)[0].inputs.deleteContentsOnDestroy).to.equal(true);
    for (const workload of [...ofType(dev, JOB), ...ofType(dev, "gcp:cloudrunv2/service:Service"), ...ofType(dev, "gcp:workflows/workflow:Workflow")]) {
      expect(workload.inputs.deletionProtection, workload.name).to.equal(false);
    }
  });

  it("prod protects its data: buckets and dataset protected, never force-destroyed, versioned; jobs, services and the workflow with deletion protection", () => {
    expect(
      custom(prod)
        .filter((r) => r.protect)
        .map((r) => r.name)
        .sort(),
    ).to.deep.equal(PROD_PROTECTED);
    for (const bucket of ofType(prod, BUCKET)) {
      expect(bucket.inputs.forceDestroy, bucket.name).to.equal(false);
      expect(bucket.inputs.versioning, bucket.name).to.deep.equal({ enabled: true });
    }
    expect(ofType(prod, DATASET)[0].inputs).to.deep.include({ deleteContentsOnDestroy: false, location: "EU" });
    for (const workload of [...ofType(prod, JOB), ...ofType(prod, "gcp:cloudrunv2/service:Service"), ...ofType(prod, "gcp:workflows/workflow:Workflow")]) {
      expect(workload.inputs.deletionProtection, workload.name).to.equal(true);
    }
  });

  it("every GCP resource waits for the APIs it needs (created before its API is enabled, it fails)", () => {
    for (const run of [dev, prod]) {
      const apis = ofType(run, SERVICE).map((s) => s.urn);
      for (const r of custom(run).filter((x) => x.type !== SERVICE && x.type !== "pulumi:providers:gcp")) {
        expect(r.dependencies, `${r.type} ${r.name}`).to.include.members(apis);
      }
    }
  });

  it("jobs run the ETL image by digest, so a new build rolls them (a tag would not)", () => {
    const digest = (dev.outputs.images as { etl: string }).etl;
    for (const job of ofType(dev, JOB)) {
      const container = (job.inputs.template as { template: { containers: { image: string; commands: string[] }[] } }).template.containers[0];
      expect(container.image, job.name).to.equal(digest);
      expect(container.commands, job.name).to.deep.equal(["node", "/app/dist/main.js", job.name.replace(/-job$/, "")]);
    }
  });

  it("dev builds each image from the repository root (the one lockfile, images/shared) by its own Dockerfile, for Cloud Run's platform", () => {
    expect(ofType(dev, "docker:index/image:Image").map((r) => [r.name, r.inputs.build])).to.deep.equal(
      ["etl", "scorer", "stream"].map((image) => [`${image}-image-image`, { context: ".", dockerfile: `images/${image}/Dockerfile`, platform: "linux/amd64" }]),
    );
  });

  it("no committed stack file holds a digest the offline mock made up (its placeholder, or the old sha256(<image name>) recipe)", () => {
    for (const file of fs.readdirSync(ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))) {
      const text = fs.readFileSync(path.join(ROOT, file), "utf8");
      expect(text, file).not.to.include(OFFLINE_DIGEST);
      for (const [, image, hex] of text.matchAll(/([a-z0-9./:-]+)@sha256:([0-9a-f]{64})/g)) {
        const mock = computedOutputs("docker:index/image:Image", { imageName: `${image}:any-tag` }, { project: "p", region: "r" }).outputs.repoDigest;
        expect(`${image}@sha256:${hex}`, file).not.to.equal(mock);
        // The mock's old recipe: sha256 of the pushed image name, `<repo>/<image>:src-<context hash>` (ContainerImage's tag).
        const name = image.split("/").pop()!;
        const tagged = fs.existsSync(path.join(ROOT, "images", name, "Dockerfile"))
          ? [`${image}:src-${contextHash(`${name}-image`, ROOT, path.join(ROOT, "images", name, "Dockerfile"))}`]
          : [];
        for (const made of [image, ...tagged]) expect(hex, `${file}: ${image}`).not.to.equal(createHash("sha256").update(made).digest("hex"));
      }
    }
  });

  it("prod on a fresh clone (no digest promoted yet): the offline preview deploys marked placeholders and copies nothing; its own repository is protected", () => {
    const placeholder = "<promote: npm run promote -- --from dev --to prod>";
    for (const job of ofType(prod, JOB))
      expect((job.inputs.template as { template: { containers: { image: string }[] } }).template.containers[0].image, job.name).to.equal(placeholder);
    const serviceImage = (name: string) =>
      (prod.resources.find((r) => r.name === name)!.inputs.template as { containers: { image: string }[] }).containers[0].image;
    expect(serviceImage("scorer-service")).to.equal(placeholder);
    expect(serviceImage("stream-service-service")).to.equal(placeholder);
    expect(ofType(prod, "docker:index/image:Image")).to.deep.equal([]);
    expect(ofType(prod, "command:local:Command")).to.deep.equal([]);
    expect(prod.outputs.images).to.deep.equal({ etl: placeholder, scorer: placeholder, stream: placeholder });
    expect(prod.outputs.repository).to.equal("europe-west1-docker.pkg.dev/my-pipelines-prod/prod-images");
    expect(ofType(prod, "gcp:artifactregistry/repository:Repository")[0]).to.deep.include({ name: "images-repository", protect: true });
  });

  it("prod with promoted digests copies each into its own repository and runs the copy, so dev's destroy cannot take prod's images", async () => {
    const config = readStackConfig("prod");
    const source = (name: string, hex: string) => `europe-west1-docker.pkg.dev/my-pipelines-dev/dev-images/${name}@sha256:${hex.repeat(64)}`;
    const promoted = { etl: source("etl", "a"), scorer: source("scorer", "b"), stream: source("stream", "c") };
    const run = await runProgram("prod", {
      ...config,
      values: { ...config.values, ...Object.fromEntries(Object.entries(promoted).map(([name, ref]) => [`cloudrun-pipelines:${name}Image`, ref])) },
    });
    const copied = (name: string, hex: string) => `europe-west1-docker.pkg.dev/my-pipelines-prod/prod-images/${name}@sha256:${hex.repeat(64)}`;
    expect(run.outputs.images).to.deep.equal({ etl: copied("etl", "a"), scorer: copied("scorer", "b"), stream: copied("stream", "c") });
    expect(ofType(run, "command:local:Command").map((c) => c.name)).to.deep.equal(["etl-promoted-copy", "scorer-promoted-copy", "stream-promoted-copy"]);
    const hexOf = { etl: "a", scorer: "b", stream: "c" };
    for (const [name, ref] of Object.entries(promoted)) {
      const tagged = `europe-west1-docker.pkg.dev/my-pipelines-prod/prod-images/${name}:promoted-${hexOf[name as keyof typeof hexOf].repeat(12)}`;
      expect(ofType(run, "command:local:Command").find((c) => c.name === `${name}-promoted-copy`)!.inputs.create).to.include(
        `gcrane cp ${quote([ref, tagged])} && `,
      );
    }
    const copyOf = (name: string) => ofType(run, "command:local:Command").find((c) => c.name === `${name}-promoted-copy`)!.urn;
    for (const job of ofType(run, JOB)) {
      expect((job.inputs.template as { template: { containers: { image: string }[] } }).template.containers[0].image, job.name).to.equal(copied("etl", "a"));
      expect(job.dependencies, job.name).to.include(copyOf("etl"));
    }
    const service = (name: string) => run.resources.find((r) => r.name === name)!;
    expect((service("scorer-service").inputs.template as { containers: { image: string }[] }).containers[0].image).to.equal(copied("scorer", "b"));
    expect(service("scorer-service").dependencies).to.include(copyOf("scorer"));
    expect((service("stream-service-service").inputs.template as { containers: { image: string }[] }).containers[0].image).to.equal(copied("stream", "c"));
    expect(JSON.stringify(run.resources.filter((r) => r.type.startsWith("gcp:")).map((r) => r.inputs))).not.to.include("dev-images");
  });

  it("with the real engine, prod without promoted digests fails before declaring anything, naming the command that promotes them", () => {
    const config = readStackConfig("prod");
    expect(() => configFromPulumi(config.values, "prod")).to.throw(
      /cloudrun-pipelines:etlImage = \(not set\): .*deploy dev \(`pulumi up --stack dev`\), then promote its images with `npm run promote -- --from dev --to prod`/,
    );
  });

  it("a source token from a config secret reaches only extract, through Secret Manager, and never shows in the plan", async () => {
    const config = readStackConfig("dev");
    const run = await runProgram("dev", {
      values: { ...config.values, "cloudrun-pipelines:etlSourceToken": "tok-8f2b" },
      secretKeys: [...config.secretKeys, "cloudrun-pipelines:etlSourceToken"],
    });
    expect(JSON.stringify(run.resources)).not.to.include("tok-8f2b");
    const accessors = ofType(run, "gcp:secretmanager/secretIamMember:SecretIamMember").map((r) => r.inputs);
    expect(accessors).to.deep.equal([
      {
        secretId: "projects/my-pipelines-dev/secrets/dev-etl-source-token",
        role: "roles/secretmanager.secretAccessor",
        member: "serviceAccount:dev-etl-extract@my-pipelines-dev.iam.gserviceaccount.com",
      },
    ]);
    const envNames = (step: string) =>
      (
        ofType(run, JOB).find((j) => j.name === `${step}-job`)!.inputs.template as { template: { containers: { envs: { name: string }[] }[] } }
      ).template.containers[0].envs.map((e) => e.name);
    expect(envNames("extract")).to.include("SOURCE_TOKEN");
    expect(envNames("load")).not.to.include("SOURCE_TOKEN");
  });

  it("invalid config fails with the key, the value and the expected form, before any resource is declared", async () => {
    const config = readStackConfig("dev");
    const bad = { ...config, values: { ...config.values, "cloudrun-pipelines:stagingRetentionDays": "a week" } };
    let message = "";
    try {
      await runProgram("dev", bad);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.include(
      'cloudrun-pipelines:stagingRetentionDays = "a week": expected staging retention in days: a whole number written in decimal digits',
    );
    const registered = [...(pulumi.runtime.getMonitor() as unknown as { resources: Map<string, unknown> }).resources.keys()];
    expect(registered.map((urn) => urn.split("::")[2]).filter((type) => type !== "pulumi:pulumi:Stack")).to.deep.equal([]);
  });

  it("etlSourceBuckets: extract, and only extract, may read each listed bucket (roles/storage.objectViewer on it)", async () => {
    const config = readStackConfig("dev");
    const run = await runProgram("dev", { ...config, values: { ...config.values, "cloudrun-pipelines:etlSourceBuckets": '["landing"]' } });
    const onLanding = iamRows(run.resources).filter((r) => r.resource === "bucket landing");
    expect(onLanding.map((r) => [r.member, r.role])).to.deep.equal([
      ["serviceAccount:dev-etl-extract@my-pipelines-dev.iam.gserviceaccount.com", "roles/storage.objectViewer"],
    ]);
    expect(ofType(dev, "gcp:storage/bucketIAMMember:BucketIAMMember").map((r) => r.inputs.bucket)).not.to.include("landing");
  });

  it("transform has no grant on the curated bucket: its SQL writes tables only", () => {
    expect(iamRows(dev.resources).filter((r) => r.resource === "bucket my-pipelines-dev-dev-curated")).to.deep.equal([]);
  });

  it("destroy of dev leaves no soft-deleted objects billable (soft delete off on every bucket); prod keeps Google's 7 days", () => {
    for (const bucket of ofType(dev, BUCKET)) expect(bucket.inputs.softDeletePolicy, bucket.name).to.deep.equal({ retentionDurationSeconds: 0 });
    for (const bucket of ofType(prod, BUCKET)) expect(bucket.inputs.softDeletePolicy, bucket.name).to.deep.equal({ retentionDurationSeconds: 7 * 86_400 });
    expect(ofType(dev, BUCKET)).to.have.length(5);
  });

  it("the Pub/Sub service agent is made to exist (a ServiceIdentity per push subscription) before each grant that binds it", () => {
    for (const run of [dev, prod]) {
      const identities = ofType(run, "gcp:projects/serviceIdentity:ServiceIdentity");
      expect(
        identities.map((r) => r.inputs),
        run.stack,
      ).to.deep.equal([
        { project: `my-pipelines-${run.stack}`, service: "pubsub.googleapis.com" },
        { project: `my-pipelines-${run.stack}`, service: "pubsub.googleapis.com" },
      ]);
      const agentGrants = run.resources.filter((r) => /-dead-letter-agent-(publisher|subscriber)$/.test(r.name));
      expect(agentGrants, run.stack).to.have.length(4);
      for (const grant of agentGrants)
        expect(
          identities.map((i) => i.urn).some((urn) => grant.dependencies.includes(urn)),
          grant.name,
        ).to.equal(true);
    }
  });

  it("every grant to an account the stack creates depends on that account (its create waits until IAM sees it; the grants do not retry)", () => {
    for (const run of [dev, prod]) {
      const accounts = new Map(ofType(run, "gcp:serviceaccount/account:Account").map((a) => [`serviceAccount:${String(a.outputs.email)}`, a.urn]));
      const grants = run.resources.filter((r) => typeof r.inputs.member === "string" && accounts.has(r.inputs.member));
      expect(grants.length, run.stack).to.be.greaterThan(10);
      for (const grant of grants) expect(grant.dependencies, `${run.stack} ${grant.name}`).to.include(accounts.get(grant.inputs.member as string));
    }
  });
});
