import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { normalizer } from "../../../cli/src/preview/diff";
import { computedOutputs, mockCall, projectNumber } from "../../../cli/src/preview/mock-runtime";
import { ROOT } from "../../helpers/typecheck";

const CLOUD = { project: "my-pipelines-dev", region: "europe-west1" };

describe("what the mock runtime makes up is unmistakably a placeholder", () => {
  it("a project number is six zeros and six digits of the project id's hash: stable, distinct per project, never a real one", () => {
    expect(projectNumber("my-pipelines-dev")).to.equal("000000495284");
    expect(projectNumber("my-pipelines-prod")).to.equal("000000831503");
    expect(projectNumber("my-pipelines-dev"), "the same for the same project").to.equal(projectNumber("my-pipelines-dev"));
  });

  it("a service's run.app URL is the deterministic form (https://<service>-<project number>.<region>.run.app) on that number", () => {
    const { outputs } = computedOutputs("gcp:cloudrunv2/service:Service", { name: "dev-scorer" }, CLOUD);
    expect(outputs.uri).to.equal("https://dev-scorer-000000495284.europe-west1.run.app");
    expect(outputs.urls).to.deep.equal(["https://dev-scorer-000000495284.europe-west1.run.app"]);
    // The stack-to-stack comparison still reads the number out of it.
    expect(normalizer("my-pipelines-dev", "dev", "000000495284")(String(outputs.uri))).to.equal("https://<stack>-scorer-<project number>.europe-west1.run.app");
  });

  it("the data sources answer with that number: getProject, and the Cloud Storage agent's email", () => {
    expect(mockCall("gcp:organizations/getProject:getProject", CLOUD)).to.deep.equal({
      id: "projects/my-pipelines-dev",
      projectId: "my-pipelines-dev",
      number: "000000495284",
      name: "my-pipelines-dev",
    });
    expect(mockCall("gcp:storage/getProjectServiceAccount:getProjectServiceAccount", CLOUD).emailAddress).to.equal(
      "service-000000495284@gs-project-accounts.iam.gserviceaccount.com",
    );
  });

  it("no committed file outside the tests holds a project number the mock makes up for a stack's project", () => {
    const stacks = fs.readdirSync(ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));
    const projects = stacks.flatMap((f) => /gcp:project: (\S+)/.exec(fs.readFileSync(path.join(ROOT, f), "utf8"))?.slice(1) ?? []);
    expect(projects).to.include("my-pipelines-dev");
    const files = execFileSync("git", ["ls-files", "--", ".", ":!test/**", ":!package-lock.json"], { cwd: ROOT, encoding: "utf8" }).split("\n").filter(Boolean);
    for (const number of projects.map(projectNumber)) {
      const holding = files.filter((f) => fs.existsSync(path.join(ROOT, f)) && fs.readFileSync(path.join(ROOT, f), "utf8").includes(number));
      expect(holding, number).to.deep.equal([]);
    }
  });
});
