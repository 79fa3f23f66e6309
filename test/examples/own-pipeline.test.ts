import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { RecordedResource } from "../../cli/src/preview/mock-runtime";
import { runProgram } from "../../cli/src/preview/run-program";
import { ROOT } from "../helpers/typecheck";
// Every resource the program declares, as "<type> <name>": also what the consumer test (test/consumer/) expects of it.
import RESOURCES from "./own-pipeline-resources.json";

const PROGRAM = path.join(ROOT, "examples", "own-pipeline", "index.ts");
const IMAGE = "registry.invalid/landing-validation@sha256:placeholder";

/** The TypeScript block under the README's "Build your own pipeline" heading. */
function readmeProgram(): string {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const section = readme.split(/^## /m).find((s) => s.startsWith("Build your own pipeline\n"));
  if (section === undefined) throw new Error('README.md has no section "## Build your own pipeline"');
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('the README\'s "Build your own pipeline" has no ```ts block');
  return block[1];
}

describe("README: Build your own pipeline (examples/own-pipeline)", () => {
  it("the README quotes examples/own-pipeline/index.ts verbatim", () => {
    expect(readmeProgram()).to.equal(fs.readFileSync(PROGRAM, "utf8"));
  });

  // Its type check is the preview's: test/cli/preview/preview-program.test.ts runs `npm run preview -- --program
  // examples/own-pipeline/index.ts`, which type-checks it with the template's own tsconfig.json against the components'
  // built declarations, as a user's project does (and `npm run build` checks examples/ against the components' sources);
  // test/consumer/run.sh checks it installed from the packed tarballs. A third compile here would prove nothing more.

  describe("runs under the mock runtime", () => {
    let resources: RecordedResource[];
    let outputs: Record<string, unknown>;
    before(async () => {
      // Under the project name of the example's Pulumi.yaml (landing-validation), the namespace of its own keys.
      const run = await runProgram(
        "dev",
        { values: { "gcp:project": "my-project", "gcp:region": "europe-west1", "landing-validation:image": IMAGE }, secretKeys: [] },
        undefined,
        PROGRAM,
      );
      outputs = run.outputs;
      resources = run.resources;
    });
    const one = (type: string, name: string) => {
      const found = resources.filter((r) => r.type === type && r.name === name);
      expect(found, `${type} ${name}`).to.have.length(1);
      return found[0];
    };

    it("declares exactly these resources", () => {
      expect(resources.map((r) => `${r.type} ${r.name}`).sort()).to.deep.equal([...RESOURCES].sort());
    });

    it("the provider carries the project, region and standard labels, and every GCP resource uses it", () => {
      const provider = one("pulumi:providers:gcp", "gcp");
      expect(provider.inputs).to.deep.include({ project: "my-project", region: "europe-west1" });
      // A provider's inputs reach the engine as strings: a map as JSON.
      expect(JSON.parse(provider.inputs.defaultLabels as string)).to.deep.equal({
        app: "landing-validation",
        stack: "dev",
        "managed-by": "pulumi",
        "data-protection": "destroyable",
      });
      for (const r of resources.filter((x) => x.custom && x.type.startsWith("gcp:"))) expect(r.provider, r.name).to.match(/::gcp::/);
    });

    it("the job: 4 tasks, 2 at a time, its own account, the landing bucket's name in LANDING_BUCKET, read-only on that bucket", () => {
      const job = one("gcp:cloudrunv2/job:Job", "validate-job").inputs as {
        name: string;
        template: { taskCount: number; parallelism: number; template: { serviceAccount: string; containers: { image: string; envs: unknown[] }[] } };
      };
      expect(job.name).to.equal("dev-validate");
      expect(job.template.taskCount).to.equal(4);
      expect(job.template.parallelism).to.equal(2);
      expect(job.template.template.serviceAccount).to.equal("dev-validate@my-project.iam.gserviceaccount.com");
      expect(job.template.template.containers[0].image).to.equal(IMAGE);
      expect(job.template.template.containers[0].envs).to.deep.include({ name: "LANDING_BUCKET", value: "my-project-dev-landing" });
      expect(one("gcp:storage/bucketIAMMember:BucketIAMMember", "validate-landing-objectViewer").inputs).to.deep.equal({
        bucket: "my-project-dev-landing",
        role: "roles/storage.objectViewer",
        member: "serviceAccount:dev-validate@my-project.iam.gserviceaccount.com",
      });
    });

    it("the schedule: hourly, OAuth as its own account, which may only run that job; dev data is destroyable; the stack outputs", () => {
      const scheduler = one("gcp:cloudscheduler/job:Job", "hourly-scheduler").inputs as { schedule: string; httpTarget: { uri: string; oauthToken: unknown } };
      expect(scheduler.schedule).to.equal("0 * * * *");
      expect(scheduler.httpTarget.uri).to.equal("https://run.googleapis.com/v2/projects/my-project/locations/europe-west1/jobs/dev-validate:run");
      expect(scheduler.httpTarget.oauthToken).to.deep.equal({
        serviceAccountEmail: "dev-validate-sched@my-project.iam.gserviceaccount.com",
        scope: "https://www.googleapis.com/auth/cloud-platform",
      });
      expect(one("gcp:cloudrunv2/jobIamMember:JobIamMember", "hourly-invoker").inputs).to.deep.include({
        name: "dev-validate",
        role: "roles/run.invoker",
        member: "serviceAccount:dev-validate-sched@my-project.iam.gserviceaccount.com",
      });
      expect(one("gcp:storage/bucket:Bucket", "landing-bucket").inputs).to.deep.include({ forceDestroy: true });
      expect(outputs).to.deep.equal({
        bucket: "my-project-dev-landing",
        jobs: {
          validate: {
            name: "projects/my-project/locations/europe-west1/jobs/dev-validate",
            jobName: "dev-validate",
            region: "europe-west1",
            project: "my-project",
          },
        },
      });
    });
  });
});
