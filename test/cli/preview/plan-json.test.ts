import { expect } from "chai";
import * as path from "path";
import { planJson, previewPlan, PreviewPlan } from "../../../cli/src/preview/plan-json";
import { deployBlockers } from "../../../cli/src/preview/deployability";
import { previewStack, StackPreview } from "../../../cli/src/preview/preview";
import { iamRows } from "../../../cli/src/preview/render";
import { findViolations, protectsData } from "../../../cli/src/preview/rules";
import { ROOT } from "../../helpers/typecheck";
import { CHILD_TEST_TIMEOUT_MS, runNode } from "../../helpers/child";
import { installPackages, tempProject } from "../../helpers/temp-project";
import { RUN_TS } from "../../../tools/run-ts";

const PROGRAM = path.join(ROOT, "examples", "own-pipeline", "index.ts");

/** The plan `--json` writes for a preview. */
const planOf = (preview: StackPreview): PreviewPlan =>
  planJson({
    run: preview.run,
    iam: iamRows(preview.run.resources),
    violations: preview.violations,
    rehearsal: preview.rehearsal,
    blockers: deployBlockers(preview.run),
  });

describe("the plan as JSON (--json): the previewPlan schema (cloudrun-pipelines/plan)", () => {
  let preview: StackPreview;
  let plan: PreviewPlan;
  before(async () => {
    preview = await previewStack(PROGRAM, "dev");
    plan = planOf(preview);
  });

  it("holds the stack, its Google Cloud project and region, and the config the program ran with", () => {
    const written = JSON.parse(JSON.stringify(plan)) as unknown;
    expect(previewPlan.parse(written), "the JSON parses back as written").to.deep.equal(written);
    expect({ stack: plan.stack, project: plan.project, region: plan.region }).to.deep.equal({
      stack: "dev",
      project: "my-pipelines-dev",
      region: "europe-west1",
    });
    expect(plan.config).to.deep.equal({
      "gcp:project": "my-pipelines-dev",
      "gcp:region": "europe-west1",
      "landing-validation:image": "registry.invalid/landing-validation@sha256:<set-your-image-digest>",
      "landing-validation:protectData": "false",
    });
  });

  it("holds every resource with its parent, inputs, outputs and dependencies, the IAM grants, the stack outputs and the rehearsal", () => {
    expect(plan.resources.map((r) => r.urn)).to.deep.equal(preview.run.resources.map((r) => r.urn));
    const bucket = plan.resources.find((r) => r.type === "gcp:storage/bucket:Bucket");
    expect(bucket?.outputs).to.deep.include({ url: "gs://my-pipelines-dev-dev-landing", project: "my-pipelines-dev" });
    expect(bucket?.parent).to.match(/\$pipelines:gcp:Bucket::landing$/);
    expect(plan.iam).to.deep.equal(iamRows(preview.run.resources));
    expect(plan.outputs).to.deep.equal({
      bucket: "my-pipelines-dev-dev-landing",
      jobs: {
        validate: {
          jobName: "dev-validate",
          name: "projects/my-pipelines-dev/locations/europe-west1/jobs/dev-validate",
          project: "my-pipelines-dev",
          region: "europe-west1",
        },
      },
    });
    expect(plan.violations).to.deep.equal([]);
    expect(plan.rehearsal.problems).to.deep.equal([]);
    expect(plan.rehearsal.resources).to.equal(preview.rehearsal.resources);
  });

  it("a violation names the rule, the URN of the resource and what is wrong", () => {
    const grant = preview.run.resources.find((r) => r.type === "gcp:storage/bucketIAMMember:BucketIAMMember")!;
    const resources = preview.run.resources.map((r) => (r === grant ? { ...r, inputs: { ...r.inputs, member: "allUsers" } } : r));
    const violations = findViolations(resources, { protectData: protectsData(resources) });
    const written = planJson({
      ...planOf(preview),
      run: { ...preview.run, resources },
      iam: iamRows(resources),
      violations,
      rehearsal: preview.rehearsal,
      blockers: [],
    });
    expect(written.violations).to.deep.equal([
      { rule: "no-public-access", resource: grant.urn, message: `gcp:storage/bucketIAMMember:BucketIAMMember ${grant.name} grants access to a public member` },
    ]);
  });

  it("a plan that does not fit the schema is refused, naming the field", () => {
    const bad = { ...plan, resources: [{ ...plan.resources[0], urn: "raw-bucket" }] };
    expect(() => previewPlan.parse(bad)).to.throw(/expected a Pulumi URN/);
    expect(previewPlan.safeParse(bad).error?.issues.map((i) => i.path.join("."))).to.deep.equal(["resources.0.urn"]);
  });

  it("`cloudrun-pipelines preview --json -` writes the plan alone on standard output, secrets as [secret], the text on standard error", function () {
    this.timeout(CHILD_TEST_TIMEOUT_MS);
    const plaintext = "plain-text-never-written";
    const dir = tempProject({
      "Pulumi.yaml": "name: wx\nruntime: nodejs\nconfig:\n  apiKey:\n    type: string\n    secret: true\n  greeting:\n    type: string\n",
      "Pulumi.dev.yaml":
        "config:\n  gcp:project: wx-dev\n  gcp:region: europe-west1\n  wx:apiKey:\n    secure: v1:c2VjcmV0LWNpcGhlcnRleHQ=\n  wx:greeting: hello\n",
      "index.ts": [
        'import * as pulumi from "@pulumi/pulumi";',
        "const config = new pulumi.Config();",
        'const thing = new pulumi.ComponentResource("wx:index:Thing", "thing");',
        'export const apiKey = config.requireSecret("apiKey");',
        `export const nested = { token: pulumi.secret("${plaintext}"), kind: "api" };`,
        'export const greeting = thing.urn.apply(() => config.require("greeting"));',
        "",
      ].join("\n"),
    });
    installPackages(dir);
    const result = runNode([...RUN_TS, path.join(ROOT, "cli", "src", "bin.ts"), "preview", "--json", "-"], { cwd: dir });
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stdout).not.to.include(plaintext);
    const written = previewPlan.parse(JSON.parse(result.stdout));
    expect(written.config).to.deep.equal({ "gcp:project": "wx-dev", "gcp:region": "europe-west1", "wx:apiKey": "[secret]", "wx:greeting": "hello" });
    expect(written.outputs).to.deep.equal({ apiKey: "[secret]", nested: "[secret]", greeting: "hello" });
    expect(written.resources.map((r) => `${r.type} ${r.name}`)).to.deep.equal(["pulumi:pulumi:Stack wx-dev", "wx:index:Thing thing"]);
    expect(result.stderr).to.match(/^Previewing update \(dev\), offline \(Pulumi mock runtime\)/);
    expect(result.stderr).to.include("\nVerdict: deployable");
  });
});
