import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stackOutputs } from "../../../cli/src/contract/outputs";
import { architectureDoc, planText, previewExitCode } from "../../../cli/src/preview/preview";
import { previewPlan } from "../../../cli/src/preview/plan-json";
import { RecordedResource } from "../../../cli/src/preview/mock-runtime";
import { displayType, iamRows, renderIamTable, renderMermaid, renderSummary, renderTree } from "../../../cli/src/preview/render";
import { ROOT } from "../../helpers/typecheck";
import { readSettings } from "../../../cli/src/project/settings";
import { CHILD_TEST_TIMEOUT_MS, runNode } from "../../helpers/child";
import { planOf, recordedResource } from "../../helpers/plan";
import { RUN_TS } from "../../../tools/run-ts";

/**
 * Runs `npm run preview` the way a user does (the cached type check beside a transpile-only run). A child process
 * takes seconds, more on a busy machine: few tests spawn it, and those measure nothing about time.
 */
function preview(...args: string[]) {
  return runNode([...RUN_TS, "cli/src/bin.ts", "preview", ...args], { cwd: ROOT });
}

const fake = (name: string, type: string, inputs: Record<string, unknown>, parent?: string, custom = true): RecordedResource =>
  recordedResource(type, name, inputs, { urn: `urn:${name}`, parent, custom });

describe("preview", () => {
  it("docs/architecture.md is the diagram of the current dev plan, as cloudrun-pipelines.yaml names it (run `npm run preview` when this fails)", async () => {
    expect(readSettings(ROOT).preview?.diagram).to.deep.equal({ stack: "dev", file: "docs/architecture.md" });
    const run = await planOf("dev");
    expect(fs.readFileSync(path.join(ROOT, "docs", "architecture.md"), "utf8")).to.equal(architectureDoc(run));
  });

  it("renders the tree as `pulumi preview` prints a new stack's plan: `+` and `create` on every resource, children under their parent, key inputs beneath; the IAM table sorted by member", () => {
    const resources = [
      fake("p-dev", "pulumi:pulumi:Stack", {}, undefined, false),
      fake("raw", "pipelines:gcp:Bucket", {}, "urn:p-dev", false),
      fake("raw-bucket", "gcp:storage/bucket:Bucket", { name: "p-raw", location: "EU", forceDestroy: true }, "urn:raw"),
      fake(
        "b",
        "gcp:storage/bucketIAMMember:BucketIAMMember",
        { bucket: "p-raw", role: "roles/storage.objectViewer", member: "serviceAccount:z@p" },
        "urn:p-dev",
      ),
      fake("a", "gcp:projects/iAMMember:IAMMember", { project: "p", role: "roles/bigquery.jobUser", member: "serviceAccount:a@p" }, "urn:p-dev"),
    ];
    expect(renderTree(resources)).to.equal(
      [
        "     Type                            Name        Plan    Info",
        " +   pulumi:pulumi:Stack             p-dev       create",
        " +   ├─ gcp:projects:IAMMember       a           create",
        "     │     role: roles/bigquery.jobUser",
        "     │     member: serviceAccount:a@p",
        " +   ├─ gcp:storage:BucketIAMMember  b           create",
        "     │     role: roles/storage.objectViewer",
        "     │     member: serviceAccount:z@p",
        " +   └─ pipelines:gcp:Bucket         raw         create",
        " +      └─ gcp:storage:Bucket        raw-bucket  create",
        "              name: p-raw",
        "              location: EU",
        "              forceDestroy: true",
      ].join("\n"),
    );
    expect(renderIamTable(iamRows(resources))).to.equal(
      [
        "MEMBER              ROLE                        RESOURCE",
        "serviceAccount:a@p  roles/bigquery.jobUser      project p",
        "serviceAccount:z@p  roles/storage.objectViewer  bucket p-raw",
      ].join("\n"),
    );
  });

  it("the tree marks protected resources in the Info column, keeps the guide of a parent whose children follow its inputs, and shows an array job's task count and parallelism", () => {
    const job = fake("extract-job", "gcp:cloudrunv2/job:Job", {
      name: "dev-etl-extract",
      location: "europe-west1",
      template: { taskCount: 10, parallelism: 2 },
    });
    const resources = [
      { ...job, protect: true },
      fake("extract-job-run.viewer", "gcp:cloudrunv2/jobIamMember:JobIamMember", { role: "roles/run.viewer", member: "user:a@example.com" }, "urn:extract-job"),
    ];
    expect(renderTree(resources)).to.equal(
      [
        "     Type                            Name                    Plan    Info",
        " +   gcp:cloudrunv2:Job              extract-job             create  [protected]",
        "     │  name: dev-etl-extract",
        "     │  location: europe-west1",
        "     │  template.taskCount: 10",
        "     │  template.parallelism: 2",
        " +   └─ gcp:cloudrunv2:JobIamMember  extract-job-run.viewer  create",
        "           role: roles/run.viewer",
        "           member: user:a@example.com",
      ].join("\n"),
    );
  });

  it("shows type tokens as Pulumi's display does (tokens.Type.DisplayName), and leaves others as they are", () => {
    // Pulumi's own cases (pulumi/pulumi sdk/go/common/tokens/tokens_test.go TestTypeDisplayName), then this plan's.
    expect(["incomplete", "pkg:mod:", "pkg:mod:typ", "pkg:Mod/foo:typ", "pkg:mod/foo/bar:Bar", "pkg:mod/foo/bar/baz:Baz"].map(displayType)).to.deep.equal([
      "incomplete",
      "pkg:mod:",
      "pkg:mod:typ",
      "pkg:Mod/foo:typ",
      "pkg:mod/foo:Bar",
      "pkg:mod/foo/bar:Baz",
    ]);
    expect(
      ["gcp:storage/bucket:Bucket", "gcp:projects/iAMMember:IAMMember", "docker:index/image:Image", "pulumi:providers:gcp", "pipelines:gcp:Bucket"].map(
        displayType,
      ),
    ).to.deep.equal(["gcp:storage:Bucket", "gcp:projects:IAMMember", "docker:index:Image", "pulumi:providers:gcp", "pipelines:gcp:Bucket"]);
  });

  it("Resources: counts as `pulumi preview` does: the stack, components and explicit providers, not the engine's default providers", () => {
    const resources = [
      fake("p-dev", "pulumi:pulumi:Stack", {}, undefined, false),
      fake("gcp", "pulumi:providers:gcp", { project: "p" }, "urn:p-dev"),
      fake("default_4_5_6", "pulumi:providers:docker", {}, "urn:p-dev"),
      fake("raw", "pipelines:gcp:Bucket", {}, "urn:p-dev", false),
      fake("raw-bucket", "gcp:storage/bucket:Bucket", { name: "p-raw" }, "urn:raw"),
    ];
    expect(renderSummary(resources)).to.equal("Resources:\n    + 4 to create");
    expect(renderTree(resources)).not.to.include("default_4_5_6");
  });

  it("the diagram draws the event flows and the service agents' grants, not just the jobs", async () => {
    const edges = renderMermaid((await planOf("dev")).resources)
      .split("\n")
      .filter((line) => line.includes("-->"));
    expect(edges).to.include.members([
      "  scoring_input -->|notifies| scoring_trigger_notifications",
      "  scoring_trigger_notifications -->|push| scorer",
      "  scoring_trigger_notifications -->|dead letters| scoring_trigger_push_dead_letter",
      "  scorer_image -->|image| scorer",
      "  Cloud_Storage_service_agent -->|pubsub.publisher| scoring_trigger_notifications",
      "  Pub_Sub_service_agent -->|pubsub.publisher| stream_push_dead_letter",
      "  stream_requests -->|push| stream_service",
      "  stream_service -->|pubsub.publisher| stream_results",
      "  stream_results -->|pull| subscription_dev_stream_results_backend",
      "  scoring_trigger_push -->|run.invoker| scorer",
    ]);
  });

  it("the plan text counts resources and grants and ends with the guardrails' verdict", async () => {
    const run = await planOf("dev");
    const text = planText(run, ["no-public-access: x"]);
    expect(text).to.match(
      /^Previewing update \(dev\), offline \(Pulumi mock runtime\): `pulumi up` on a new stack would create 75 custom resources in 36 components\.\n/,
    );
    expect(text).to.include("IAM (24 grants):");
    expect(text).to.match(/Guardrails: 13 rules, 1 violations\n {2}- no-public-access: x\n$/);
  });

  for (const stack of ["dev", "prod"]) {
    it(`the ${stack} plan's Resources: count is the count of its recorded plan, one \`+\` row each, as \`pulumi preview\` counts`, async () => {
      const run = await planOf(stack);
      // Counted independently from the recorded plan: distinct URNs, less the engine's default providers
      // (a URN's type is the last `$`-separated segment before `::<name>`).
      const urns = new Set(run.resources.map((r) => r.urn));
      const defaultProvider = (urn: string) => /\$?pulumi:providers:[^:$]+::default[^:]*$/.test(urn);
      const expected = [...urns].filter((urn) => !defaultProvider(urn)).length;
      const text = planText(run, []);
      expect(text).to.include(`\nResources:\n    + ${expected} to create\n`);
      expect(text.split("\n").filter((line) => line.startsWith(" +   "))).to.have.length(expected);
      // What it holds: the stack, every component, every custom resource, the explicit gcp provider.
      expect(text).to.match(new RegExp(`\\n \\+ {3}pulumi:pulumi:Stack +cloudrun-pipelines-${stack} +create\\n`));
      expect(text).to.match(/\n \+ {3}├─ pulumi:providers:gcp +gcp +create\n/);
      // And the opening line's custom resources and components (the stack among them) add up to it.
      const [, custom, components] = /would create (\d+) custom resources in (\d+) components/.exec(text) ?? [];
      expect(Number(custom) + Number(components)).to.equal(expected);
    });
  }

  it("`npm run preview -- --stack prod --strict --json F --outputs G` prints the prod plan, the deployer's roles and a verdict of not deployable yet (exit 1), and writes the plan and the runner's outputs file", function () {
    this.timeout(CHILD_TEST_TIMEOUT_MS);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preview-"));
    // Into a folder that does not exist yet: the preview makes it, as it does for the diagram.
    const [json, outputs] = [path.join(dir, "plans", "plan.json"), path.join(dir, "outputs.json")];
    const result = preview("--stack", "prod", "--strict", "--json", json, "--outputs", outputs);
    // --strict: a fresh clone's prod has no promoted image, so it cannot be deployed yet.
    expect(result.status, result.stderr).to.equal(1);
    const closing = result.stdout.trimEnd().split("\n").slice(-2);
    expect(closing[0]).to.match(/^deployer needs: roles\/artifactregistry\.admin, .*roles\/logging\.admin, .* on the project$/);
    expect(closing[1]).to.equal("Verdict: not deployable yet: 3 images not promoted (etl, scorer, stream): npm run promote -- --from dev --to prod");
    expect(result.stdout).to.match(
      /^Previewing update \(prod\), offline \(Pulumi mock runtime\): `pulumi up` on a new stack would create 80 custom resources in /,
    );
    expect(result.stdout).to.include("[protected]");
    expect(result.stdout).to.include("Guardrails: 13 rules, 0 violations");
    const plan = previewPlan.parse(JSON.parse(fs.readFileSync(json, "utf8")));
    expect(plan.stack).to.equal("prod");
    expect(plan.resources.find((r) => r.name === "raw-bucket")).to.deep.include({ type: "gcp:storage/bucket:Bucket", protect: true });
    const written = stackOutputs.parse(JSON.parse(fs.readFileSync(outputs, "utf8")));
    expect(written.jobs.extract.name).to.equal("projects/my-pipelines-prod/locations/europe-west1/jobs/prod-etl-extract");
    // A fresh clone has no promoted digest: the plan shows where each goes, marked, with the command that fills it.
    const placeholder = "<promote: npm run promote -- --from dev --to prod>";
    expect(written.images).to.deep.equal({ etl: placeholder, scorer: placeholder, stream: placeholder });
    expect(result.stdout).to.include(`template.template.containers.0.image: ${placeholder}`);
    // The summary line says the same, so that a reader of the last line alone is not told only PASSED or FAILED.
    expect(result.stderr.trimEnd().split("\n").pop()).to.match(
      /^preview prod: FAILED in \S+; 115 resources, 0 violations, 0 rehearsal problems; not deployable yet: 3 images not promoted \(etl, scorer, stream\) \(the verdict above\); wrote \S+plan\.json, \S+outputs\.json$/,
    );
  });

  it("exits 1 on a violation or a rehearsal problem; on a plan not deployable as it stands only with --strict", () => {
    const found = { violations: 0, problems: 0, blockers: 0, strict: false };
    expect(previewExitCode(found)).to.equal(0);
    expect(previewExitCode({ ...found, blockers: 1 })).to.equal(0);
    expect(previewExitCode({ ...found, blockers: 1, strict: true })).to.equal(1);
    expect(previewExitCode({ ...found, strict: true })).to.equal(0);
    expect(previewExitCode({ ...found, violations: 1 })).to.equal(1);
    expect(previewExitCode({ ...found, problems: 1 })).to.equal(1);
  });

  it("an unknown stack is bad input: the error line with the stacks there are, exit 2", function () {
    this.timeout(CHILD_TEST_TIMEOUT_MS);
    const result = preview("--stack", "qa", "--no-docs");
    expect(result.status).to.equal(2);
    expect(result.stderr).to.equal("error: no stack file Pulumi.qa.yaml; stacks: dev, prod, staging\n");
  });
});
