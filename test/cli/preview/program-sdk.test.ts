import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { projectNumber } from "../../../cli/src/preview/mock-runtime";
import { pulumiSdk } from "../../../cli/src/preview/pulumi-sdk";
import { runProgram } from "../../../cli/src/preview/run-program";
import { CHILD_TEST_TIMEOUT_MS } from "../../helpers/child";
import { installPackages, tempProject } from "../../helpers/temp-project";

/** A program that uses @pulumi/pulumi alone: a resource with a computed output, a data source, a stack output. */
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";

class Bucket extends pulumi.CustomResource {
  declare readonly url: pulumi.Output<string>;
  constructor(name: string, args: { name: string; location: string }) {
    super("gcp:storage/bucket:Bucket", name, { ...args, url: undefined });
  }
}

const bucket = new Bucket("raw", { name: new pulumi.Config().require("bucket"), location: "EU" });
const project = pulumi.runtime.invokeOutput("gcp:organizations/getProject:getProject", {}) as pulumi.Output<{ number: string }>;
export const url = bucket.url;
export const number = project.number;
`;

const PROJECT_FILES = {
  "Pulumi.yaml": "name: own-copy\nruntime: nodejs\nconfig:\n  bucket:\n    type: string\n",
  "Pulumi.dev.yaml": "config:\n  gcp:project: user-project-dev\n  gcp:region: europe-west1\n  own-copy:bucket: user-project-dev-raw\n",
  "index.ts": PROGRAM,
};

describe("preview of a program anywhere on disk, with its own node_modules: one @pulumi/pulumi, the program's", () => {
  it("drives the program's own copy of @pulumi/pulumi: its resources, their outputs and its data sources are recorded", async function () {
    this.timeout(CHILD_TEST_TIMEOUT_MS); // a copy of @pulumi/pulumi and a program run: far from any machine's duration
    const dir = tempProject(PROJECT_FILES);
    installPackages(dir, ["@pulumi/pulumi"]);
    const sdk = pulumiSdk(dir);
    expect(sdk.root).to.equal(path.join(fs.realpathSync(dir), "node_modules", "@pulumi", "pulumi"));
    expect(sdk.pulumi, "a separate module instance from the CLI's").not.to.equal(pulumiSdk().pulumi);

    const run = await runProgram("dev", undefined, undefined, path.join(dir, "index.ts"));
    const bucket = run.resources.find((r) => r.type === "gcp:storage/bucket:Bucket");
    expect(bucket?.inputs).to.deep.equal({ name: "user-project-dev-raw", location: "EU" });
    expect(bucket?.outputs).to.deep.include({ url: "gs://user-project-dev-raw", project: "user-project-dev" });
    expect(run.invokes.map((i) => i.token)).to.deep.equal(["gcp:organizations/getProject:getProject"]);
    expect(run.outputs).to.deep.equal({ url: "gs://user-project-dev-raw", number: projectNumber("user-project-dev") });
  });

  it("refuses a @pulumi/pulumi outside the CLI's peer range, naming the version, the folder and the command that fixes it", () => {
    const dir = tempProject({ "node_modules/@pulumi/pulumi/package.json": '{ "name": "@pulumi/pulumi", "version": "2.25.0" }\n' });
    const root = path.join(dir, "node_modules", "@pulumi", "pulumi");
    expect(() => pulumiSdk(dir)).to.throw(
      `@pulumi/pulumi 2.25.0 at ${root}: the preview's mock runtime reads its internals as of the versions ^3.276.0 (cloudrun-pipelines' peer dependency); npm install @pulumi/pulumi@"^3.276.0"`,
    );
  });

  it("a program with no @pulumi/pulumi beside it is refused, naming the folder and the fix", () => {
    const dir = tempProject({ "index.ts": "export {};\n" });
    expect(() => pulumiSdk(dir)).to.throw(
      `no @pulumi/pulumi for the program in ${dir}: Pulumi runs a program with the @pulumi/pulumi installed beside it, and so does the preview; npm install @pulumi/pulumi there`,
    );
  });
});
