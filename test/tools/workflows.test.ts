import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, { steps: Step[]; needs?: string; if?: string; permissions?: Record<string, string>; strategy?: { matrix: Record<string, string[]> } }>;
}

const DIR = path.join(__dirname, "..", "..", ".github", "workflows");
const read = (name: string) => parse(fs.readFileSync(path.join(DIR, name), "utf8")) as Workflow;
const runs = (steps: Step[]) => steps.flatMap((s) => (s.run ? [s.run.trim()] : []));
const uses = (steps: Step[]) => steps.flatMap((s) => (s.uses ? [s.uses] : []));
/** A local composite action (`uses: ./.github/actions/<name>`). */
const readAction = (used: string) => parse(fs.readFileSync(path.join(__dirname, "..", "..", used, "action.yml"), "utf8")) as { runs: { steps: Step[] } };

describe("GitHub Actions workflows", () => {
  it("ci: on pull requests, install, type check, lint, test and preview every stack offline, uploading the plans", () => {
    const ci = read("ci.yml");
    expect(Object.keys(ci.on)).to.deep.equal(["pull_request"]);
    const { steps } = ci.jobs.test;
    expect(runs(steps).slice(0, 4)).to.deep.equal(["npm ci", "npm run build", "npm run lint", "npm test"]);
    expect(runs(steps)[4]).to.include("for stack in dev staging prod").and.include("npm run preview -- --diff dev prod");
    const upload = steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    expect(upload?.with).to.deep.equal({ name: "offline-previews", path: "plan-*" });
  });

  it("ci: pulumi preview against the real project only when credentials are configured, through Workload Identity Federation, with the guardrails' policy pack", () => {
    const job = read("ci.yml").jobs["pulumi-preview"];
    expect(job.needs).to.equal("test");
    expect(job.if).to.equal("${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER != '' }}");
    expect(job.permissions).to.deep.equal({ contents: "read", "id-token": "write" });
    expect(job.strategy?.matrix.stack).to.deep.equal(["dev", "prod"]);
    expect(uses(job.steps)).to.include.members(["google-github-actions/auth@v3", "pulumi/actions@v7"]);
    const pulumi = job.steps.find((s) => s.uses === "pulumi/actions@v7")!;
    expect(pulumi.with).to.deep.equal({ command: "preview", policyPacks: "policy", "stack-name": "${{ matrix.stack }}" });
    expect(runs(job.steps)).to.deep.equal(["npm ci", "npm run build"]);
  });

  it("deploy-dev: on pushes to main, build and test, then pulumi up of dev with the guardrails' policy pack, one at a time", () => {
    const deploy = read("deploy-dev.yml");
    expect(deploy.on).to.deep.equal({ push: { branches: ["main"] } });
    const { steps } = deploy.jobs.up;
    expect(runs(steps)).to.deep.equal(["npm ci", "npm run build", "npm test"]);
    const pulumi = steps.find((s) => s.uses === "pulumi/actions@v7")!;
    expect(pulumi.with).to.deep.equal({ command: "up", policyPacks: "policy", "stack-name": "dev" });
    expect(uses(steps).indexOf("google-github-actions/auth@v3")).to.be.lessThan(uses(steps).indexOf("pulumi/actions@v7"));
  });

  it("promote-prod: by hand only, promote dev's digests with the project's script, commit them, then pulumi up of prod", () => {
    const promote = read("promote-prod.yml");
    expect(promote.on).to.deep.equal({ workflow_dispatch: null });
    const { steps } = promote.jobs.promote;
    expect(runs(steps).slice(0, 3)).to.deep.equal(["npm ci", "npm run build", "npm run promote -- --from dev --to prod"]);
    const ups = steps.filter((s) => s.uses === "pulumi/actions@v7").map((s) => s.with);
    expect(ups[ups.length - 1]).to.deep.equal({ command: "up", policyPacks: "policy", "stack-name": "prod" });
    expect(steps.findIndex((s) => s.run?.includes("npm run promote"))).to.be.lessThan(steps.findIndex((s) => s.with?.command === "up"));
  });

  it("every workflow pins each action to a major version (a local action's own steps too)", () => {
    for (const file of fs.readdirSync(DIR)) {
      for (const job of Object.values(read(file).jobs)) {
        for (const used of uses(job.steps)) {
          if (used.startsWith("./"))
            for (const inner of uses(readAction(used).runs.steps)) expect(inner, `${used}: ${inner}`).to.match(/^[\w.-]+\/[\w.-]+@v\d+$/);
          else expect(used, `${file}: ${used}`).to.match(/^[\w.-]+\/[\w.-]+@v\d+$/);
        }
      }
    }
  });

  it("every job's Node.js is .nvmrc's (Node 24), which package.json's engines admit", () => {
    const root = path.join(__dirname, "..", "..");
    expect(fs.readFileSync(path.join(root, ".nvmrc"), "utf8")).to.equal("24\n");
    expect((JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { engines: { node: string } }).engines.node).to.equal(">=22.12");
    for (const file of fs.readdirSync(DIR)) {
      for (const [name, job] of Object.entries(read(file).jobs)) {
        const setups = job.steps.filter((s) => s.uses?.startsWith("actions/setup-node@"));
        expect(
          setups.map((s) => s.with),
          `${file}: ${name}`,
        ).to.deep.equal([{ "node-version-file": ".nvmrc", cache: "npm" }]);
      }
    }
  });

  it("both deploys bootstrap their stack's project (Cloud Resource Manager and Service Usage) after auth, before pulumi up; prod installs gcrane first", () => {
    const bootstrap = readAction("./.github/actions/bootstrap");
    expect(bootstrap.runs.steps.map((s) => s.run?.trim().split("\n").pop())).to.include(
      'gcloud services enable cloudresourcemanager.googleapis.com serviceusage.googleapis.com --project "$project"',
    );
    for (const [file, job, stack] of [
      ["deploy-dev.yml", "up", "dev"],
      ["promote-prod.yml", "promote", "prod"],
    ]) {
      const steps = read(file).jobs[job].steps;
      const at = (predicate: (s: Step) => boolean) => steps.findIndex(predicate);
      const boot = at((s) => s.uses === "./.github/actions/bootstrap");
      expect(steps[boot].with, file).to.deep.equal({ stack });
      expect(
        at((s) => s.uses === "google-github-actions/auth@v3"),
        file,
      ).to.be.lessThan(boot);
      expect(boot, file).to.be.lessThan(at((s) => s.with?.command === "up"));
    }
    const prod = read("promote-prod.yml").jobs.promote.steps;
    expect(prod.findIndex((s) => s.run?.includes("go install github.com/google/go-containerregistry/cmd/gcrane@v"))).to.be.lessThan(
      prod.findIndex((s) => s.with?.command === "up"),
    );
  });
});
