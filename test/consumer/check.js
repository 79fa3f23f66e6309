// `node check.js CHECK FILE...`: one check of the consumer test (run.sh) on what a command there wrote. Exits 1 with
// what differs. Each check is exact: the resources the template declares (../examples/own-pipeline-resources.json,
// which test/examples/own-pipeline.test.ts holds the repository's run to as well), the stack outputs, the preview's
// guardrail and rehearsal lines.
const assert = require("assert/strict");
const fs = require("fs");
const path = require("path");

const RESOURCES = [...require("../examples/own-pipeline-resources.json")].sort();
// The dev stack's outputs (the template's Pulumi.dev.yaml: my-pipelines-dev, europe-west1), as the preview computes them.
const JOB = "projects/my-pipelines-dev/locations/europe-west1/jobs/dev-validate";
const OUTPUTS = {
  bucket: "my-pipelines-dev-dev-landing",
  jobs: { validate: { name: JOB, jobName: "dev-validate", region: "europe-west1", project: "my-pipelines-dev" } },
};
const read = (file) => fs.readFileSync(file, "utf8");
const json = (file) => JSON.parse(read(file));
const lines = (text) => text.split("\n");

const CHECKS = {
  /** `tsc --showConfig` of the project: the flags the consumer test promises it type-checks under. */
  tsconfig(shown) {
    const { compilerOptions } = json(shown);
    const { strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes, module, moduleResolution } = compilerOptions;
    assert.deepEqual(
      { strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes, module, moduleResolution },
      { strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, module: "nodenext", moduleResolution: "nodenext" },
    );
  },

  /** After the installs, the project's package.json declares what the template's does, the two packages from their tarballs. */
  package(installed, template) {
    const keys = (p) => ({ dependencies: Object.keys(p.dependencies ?? {}).sort(), devDependencies: Object.keys(p.devDependencies ?? {}).sort() });
    assert.deepEqual(keys(json(installed)), keys(json(template)));
    const { dependencies, devDependencies } = json(installed);
    assert.match(dependencies["@cloudrun-pipelines/components"], /^file:.*cloudrun-pipelines-components-\d+\.\d+\.\d+\.tgz$/);
    assert.match(devDependencies["cloudrun-pipelines"], /^file:.*cloudrun-pipelines-\d+\.\d+\.\d+\.tgz$/);
  },

  /** load-program.js's output: compiled by the project's ts-node and typescript, every resource, the outputs. */
  load(output, project) {
    const { versions, resources, outputs } = json(output);
    const installed = (name) => json(path.join(project, "node_modules", name, "package.json")).version;
    assert.deepEqual(versions, { tsnode: installed("ts-node"), typescript: installed("typescript") });
    assert.deepEqual([...resources].sort(), RESOURCES);
    assert.deepEqual(outputs, ["bucket", "jobs"]);
  },

  /**
   * `cloudrun-pipelines preview --stack dev --json -`: the plan on standard output alone, parsed with the CLI's own
   * schema (cloudrun-pipelines/plan); its resources and outputs, no violation, no rehearsal problem, nothing blocking.
   */
  preview(plan, stderr, project) {
    const { previewPlan } = require(require.resolve("cloudrun-pipelines/plan", { paths: [project] }));
    const { stack, resources, outputs, violations, rehearsal, blockers } = previewPlan.parse(json(plan));
    assert.equal(stack, "dev");
    assert.deepEqual(resources.map((r) => `${r.type} ${r.name}`).sort(), RESOURCES);
    assert.deepEqual(outputs, OUTPUTS);
    assert.deepEqual(violations, []);
    assert.deepEqual(rehearsal.problems, []);
    assert.equal(rehearsal.resources, 12);
    assert.equal(rehearsal.waves.length, 7);
    assert.deepEqual(rehearsal.destroy, { blocked: [], stranded: [], retained: [] });
    assert.deepEqual(blockers, []);
    const printed = lines(read(stderr));
    assert.ok(printed.includes("Guardrails: 13 rules, 0 violations"), "the guardrails' line, on standard error");
    assert.ok(
      printed.some((l) => l.startsWith("Verdict: deployable")),
      "the verdict, on standard error",
    );
  },

  /** `cloudrun-pipelines job --outputs F --json run validate` against the fake Admin API: the job the outputs name, run to success. */
  run(report) {
    const { job, execution, state, exitCode } = json(report);
    assert.deepEqual({ job, state, exitCode }, { job: JOB, state: "SUCCEEDED", exitCode: 0 });
    assert.match(execution, new RegExp(`^${JOB}/executions/dev-validate-[a-z0-9]+$`));
  },

  /** `cloudrun-pipelines job --help`: the runner's usage, with its subcommands. */
  help(stdout) {
    const printed = read(stdout);
    assert.match(printed, /^Usage: cloudrun-pipelines job \[options\] \[command\]$/m);
    assert.match(printed, /^Run Cloud Run jobs from a stack's outputs, with runtime parameters\.$/m);
    for (const command of ["run", "pipeline", "status", "list"]) assert.match(printed, new RegExp(`^  ${command} `, "m"), command);
  },
};

const [name, ...files] = process.argv.slice(2);
const check = CHECKS[name];
if (check === undefined) throw new Error(`no check ${name}: one of ${Object.keys(CHECKS).join(", ")}`);
check(...files);
