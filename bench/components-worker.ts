// One measurement for components.bench.ts, in its own process: declares N jobs under the project's mock runtime
// (as the preview does) either through the components or as the same raw provider resources, and prints one JSON
// line: CPU and wall of declare + settle (module loading excluded), the registrations, and a digest of every
// custom resource's type, name and inputs (equal in both modes: the engine is sent the same work).
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { performance } from "perf_hooks";
import { Bucket } from "../components/bucket";
import { CloudRunJob } from "../components/cloud-run-job";
import * as gcp from "../components/shared/gcp";
import { environmentPolicy } from "../components/shared/policy";
import { installMockRuntime, settled } from "../cli/src/preview/mock-runtime";

const CLOUD = { project: "bench-project", region: "europe-west1" };
const IMAGE = "europe-west1-docker.pkg.dev/bench-project/images/job:bench"; // by tag: the mock makes up no digest here
const policy = environmentPolicy(false);

function components(jobs: number): void {
  const raw = new Bucket("raw", { bucketName: "bench-project-raw", location: CLOUD.region, envName: "RAW_BUCKET", policy });
  const staging = new Bucket("staging", { bucketName: "bench-project-staging", location: CLOUD.region, envName: "STAGING_BUCKET", policy });
  for (let i = 0; i < jobs; i++) {
    new CloudRunJob(`job${i}`, {
      jobName: `bench-job-${i}`,
      location: CLOUD.region,
      image: IMAGE,
      serviceAccount: { accountId: `bench-job-${i}`, displayName: `bench job ${i}` },
      links: [raw.read, staging.write],
      policy,
    });
  }
}

/** The same custom resources with the same names and inputs, declared directly (no component, no parent). */
function raw(jobs: number): void {
  const bucket = (name: string, bucketName: string) =>
    new gcp.storage.Bucket(`${name}-bucket`, {
      name: bucketName,
      location: CLOUD.region,
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      forceDestroy: true,
      versioning: { enabled: false },
      softDeletePolicy: { retentionDurationSeconds: 0 },
      lifecycleRules: [],
    });
  const rawBucket = bucket("raw", "bench-project-raw");
  const stagingBucket = bucket("staging", "bench-project-staging");
  for (let i = 0; i < jobs; i++) {
    const account = new gcp.serviceaccount.Account(`job${i}-sa-account`, { accountId: `bench-job-${i}`, displayName: `bench job ${i}` });
    const member = pulumi.interpolate`serviceAccount:${account.email}`;
    const grants = [
      new gcp.storage.BucketIAMMember(`job${i}-raw-objectViewer`, { bucket: rawBucket.name, role: "roles/storage.objectViewer", member }),
      new gcp.storage.BucketIAMMember(`job${i}-staging-objectUser`, { bucket: stagingBucket.name, role: "roles/storage.objectUser", member }),
    ];
    new gcp.cloudrunv2.Job(
      `job${i}-job`,
      {
        name: `bench-job-${i}`,
        location: CLOUD.region,
        deletionProtection: false,
        template: {
          taskCount: 1,
          template: {
            serviceAccount: account.email,
            maxRetries: 3,
            timeout: "600s",
            containers: [
              {
                image: IMAGE,
                envs: [
                  { name: "RAW_BUCKET", value: rawBucket.name },
                  { name: "STAGING_BUCKET", value: stagingBucket.name },
                ],
                resources: { limits: { cpu: "1", memory: "512Mi" } },
              },
            ],
          },
        },
      },
      { dependsOn: grants },
    );
  }
}

async function main(): Promise<void> {
  const [mode, size] = process.argv.slice(2);
  const jobs = Number(size);
  Error.stackTraceLimit = 0; // as the preview runs (tools/preview.ts)
  const recorder = await installMockRuntime(CLOUD, "bench");
  const cpu = process.cpuUsage();
  const start = performance.now();
  if (mode === "components") components(jobs);
  else if (mode === "raw") raw(jobs);
  else throw new Error(`mode: components or raw, not ${mode}`);
  await settled();
  const used = process.cpuUsage(cpu);
  const custom = recorder.resources.filter((r) => r.custom);
  const digest = createHash("sha256");
  for (const r of [...custom].sort((a, b) => a.name.localeCompare(b.name))) digest.update(`${r.type} ${r.name} ${JSON.stringify(r.inputs)}\n`);
  const out = {
    mode,
    jobs,
    custom: custom.length,
    registrations: recorder.resources.length,
    cpuMs: (used.user + used.system) / 1000,
    wallMs: performance.now() - start,
    digest: digest.digest("hex").slice(0, 16),
    rssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  if (process.env.BENCH_DUMP)
    console.error(
      JSON.stringify(
        custom.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs, deps: r.dependencies.length })),
        null,
        1,
      ),
    );
  console.log(JSON.stringify(out));
}

void main();
