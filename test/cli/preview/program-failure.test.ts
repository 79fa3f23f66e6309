import { expect } from "chai";
import * as path from "path";
import { failureText } from "../../../cli/src/preview/failure-text";
import { ProgramError } from "../../../cli/src/preview/program-failure";
import { runProgram } from "../../../cli/src/preview/run-program";
import { CHILD_TEST_TIMEOUT_MS, runNode } from "../../helpers/child";
import { installPackages, tempProject } from "../../helpers/temp-project";
import { ROOT } from "../../helpers/typecheck";
import { RUN_TS } from "../../../tools/run-ts";

/** A user's project in a temp folder: `index.ts` is `program`; the stack file sets `wx:name`. */
function project(program: readonly string[]): string {
  const dir = tempProject({
    "Pulumi.yaml": "name: wx\nruntime: nodejs\nconfig:\n  name:\n    type: string\n",
    "Pulumi.dev.yaml": "config:\n  wx:name: hello\n",
    "index.ts": ['import * as pulumi from "@pulumi/pulumi";', ...program, ""].join("\n"),
  });
  installPackages(dir);
  return dir;
}

/** `cloudrun-pipelines preview` in `dir`, as a user runs it there. */
const preview = (dir: string) => runNode([...RUN_TS, path.join(ROOT, "cli", "src", "bin.ts"), "preview", "--no-docs"], { cwd: dir });

/** Fails at run time: `settings.label` is undefined. */
const RUNTIME_ERROR = ['const settings = JSON.parse("{}") as { label?: string };', "export const label = settings.label!.trim();"];

describe("a user's program that fails: one error: line, tsc's diagnostic first, exit 2 (the preview's input is bad)", () => {
  it("a type error is reported with tsc's diagnostic even when the program also fails at run time, and no bare inspected Error", function () {
    this.timeout(CHILD_TEST_TIMEOUT_MS);
    const dir = project(['const count: number = new pulumi.Config().require("name");', ...RUNTIME_ERROR]);
    const result = preview(dir);
    expect(result.status).to.equal(2);
    expect(result.stdout).to.equal("");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines[0]).to.match(
      /^error: the program does not type-check, as `pulumi up` would refuse it \(tsc -p node_modules\/\.cache\/cloudrun-pipelines\/preview-program-[0-9a-f]{12}\.tsconfig\.json\): 1 error; fix it:$/,
    );
    expect(lines.slice(1)).to.deep.equal(["index.ts(2,7): error TS2322: Type 'string' is not assignable to type 'number'."]);
    expect(result.stderr).not.to.include("Cannot read properties");
  });

  it("a run-time failure alone is one error: line naming the program, the stack file and what it threw", function () {
    this.timeout(CHILD_TEST_TIMEOUT_MS);
    const result = preview(project(RUNTIME_ERROR));
    expect(result.status).to.equal(2);
    expect(result.stderr).to.equal(
      "error: index.ts failed under the mock runtime with the config of Pulumi.dev.yaml: TypeError: Cannot read properties of undefined (reading 'trim'); fix the program or that config\n",
    );
  });

  it("an error the program leaves unhandled (thrown in an apply) rejects the run with a ProgramError, not the process", async () => {
    const dir = project(['pulumi.output("x").apply(() => {', '  throw new RangeError("no partition for x");', "});", "export const ok = 1;"]);
    const failure = await runProgram("dev", undefined, undefined, path.join(dir, "index.ts")).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).to.be.instanceOf(ProgramError);
    expect((failure as ProgramError).thrown).to.equal("RangeError: no partition for x");
  });

  it("a multi-line message, as Pulumi's missing-config error has, stays on the one error: line", () => {
    const missing = new Error(
      "Missing required configuration variable 'wx:region'\n\tplease set a value using the command `pulumi config set wx:region <value>`",
    );
    expect(failureText(new ProgramError(path.resolve("index.ts"), "dev", missing))).to.equal(
      "error: index.ts failed under the mock runtime with the config of Pulumi.dev.yaml: Missing required configuration variable 'wx:region'; please set a value using the command `pulumi config set wx:region <value>`; fix the program or that config\n",
    );
  });
});
