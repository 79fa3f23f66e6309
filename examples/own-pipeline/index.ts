import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { Bucket, CloudRunJob, environmentPolicy, JobSchedule, physicalName, ProjectApis } from "@cloudrun-pipelines/components";

// The provider: project and region from the stack's `gcp:` config, standard labels on every resource.
const stack = pulumi.getStack();
const gcpConfig = new pulumi.Config("gcp");
const project = gcpConfig.require("project");
const region = gcpConfig.require("region");
const config = new pulumi.Config();
// prod keeps its data (protect, no forceDestroy); dev tears down with `pulumi destroy`.
const policy = environmentPolicy(config.getBoolean("protectData") ?? false);
// The data-protection label tells the guardrails (preview and policy pack) which policy to hold the stack to.
const labels = { app: "landing-validation", stack, "managed-by": "pulumi", "data-protection": policy.protectData ? "protected" : "destroyable" };
const provider = new gcp.Provider("gcp", { project, region, defaultLabels: labels });

// The APIs these components use, enabled first; every component waits for them.
const apis = new ProjectApis(
  "apis",
  { services: ["cloudscheduler.googleapis.com", "iam.googleapis.com", "run.googleapis.com", "storage.googleapis.com"] },
  { provider },
);
const opts = { provider, dependsOn: [apis] };

const landing = new Bucket(
  "landing",
  { bucketName: physicalName("bucket", [project, stack, "landing"]), location: region, envName: "LANDING_BUCKET", policy, deleteObjectsAfterDays: 30 },
  opts,
);

// An array job: 4 tasks, 2 at a time, each validating its share of the landing bucket (read only).
const validate = new CloudRunJob(
  "validate",
  {
    jobName: physicalName("cloudRunJob", [stack, "validate"]),
    location: region,
    image: config.require("image"),
    taskCount: 4,
    parallelism: 2,
    taskTimeout: "20 minutes",
    serviceAccount: { accountId: physicalName("serviceAccount", [stack, "validate"]), displayName: `Landing validation (${stack})` },
    links: [landing.read],
    policy,
  },
  opts,
);

new JobSchedule(
  "hourly",
  {
    job: validate,
    schedulerJobName: physicalName("schedulerJob", [stack, "validate", "hourly"]),
    cron: "0 * * * *",
    serviceAccount: { accountId: physicalName("serviceAccount", [stack, "validate", "sched"]), displayName: `Hourly validation (${stack})` },
  },
  opts,
);

export const bucket = landing.name;
// What `cloudrun-pipelines job` reads from the stack (`pulumi stack output --json`): each job under the name it runs it by.
export const jobs = { validate: { name: validate.id, jobName: validate.name, region: validate.location, project: validate.project } };
