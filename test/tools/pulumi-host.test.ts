import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { ROOT } from "../helpers/typecheck";
import { CHILD_TEST_TIMEOUT_MS, runNode } from "../helpers/child";

// `pulumi up` type-checks the program through the project's ts-node (DESIGN.md, "Fidelity"); ts-node has had no release
// since 10.9.2, so this pins that it still type-checks with the project's TypeScript and tsconfig.json.
describe("Pulumi's Node.js host: ts-node registered as @pulumi/pulumi's run.js registers it (test/helpers/pulumi-host.js)", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-host-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function load(source: string) {
    const file = path.join(dir, `program-${Math.random().toString(36).slice(2)}.ts`);
    fs.writeFileSync(file, source);
    return runNode([path.join(ROOT, "test", "helpers", "pulumi-host.js"), file], { cwd: ROOT });
  }

  it("uses the project's ts-node and typescript, not Pulumi's vendored ts-node 7 and TypeScript 3.8", function () {
    this.timeout(CHILD_TEST_TIMEOUT_MS);
    const typescript = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "typescript", "package.json"), "utf8")) as { version: string }).version;
    const result = load("const answer: number = 42;\nconsole.log(`answer ${answer}`);\n");
    expect({ status: result.status, stdout: result.stdout }).to.deep.equal({ status: 0, stdout: "answer 42\n" });
    expect(result.stderr).to.equal(`ts-node 10.9.2, typescript ${typescript}\n`);
  });

  it("loads a program that imports @cloudrun-pipelines/components from its sources, with the node arguments of Pulumi.yaml (runtime.options.nodeargs)", function () {
    this.timeout(CHILD_TEST_TIMEOUT_MS);
    const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { runtime: { options: { nodeargs: string } } };
    const nodeargs = project.runtime.options.nodeargs.split(" ");
    expect(nodeargs).to.deep.equal(["--conditions=@cloudrun-pipelines/source"]);
    // The program's own config.ts, which imports the components (and the CLI's contract) by package name.
    const file = path.join(dir, "uses-components.ts");
    fs.writeFileSync(
      file,
      `import { IMAGE_NAMES } from ${JSON.stringify(path.join(ROOT, "config"))};\nconsole.log(IMAGE_NAMES.join(" "), require.resolve("@cloudrun-pipelines/components", { paths: [${JSON.stringify(ROOT)}] }));\n`,
    );
    const result = runNode([...nodeargs, path.join(ROOT, "test", "helpers", "pulumi-host.js"), file], { cwd: ROOT });
    expect({ status: result.status, stdout: result.stdout }).to.deep.equal({
      status: 0,
      stdout: `etl scorer stream ${path.join(ROOT, "components", "index.ts")}\n`,
    });
  });

  it("refuses a program that does not type-check, with tsc's diagnostic, as `pulumi up` would", function () {
    this.timeout(CHILD_TEST_TIMEOUT_MS);
    const result = load('export const answer: number = "forty-two";\n');
    expect(result.status).to.equal(1);
    expect(result.stderr).to.include("error TS2322: Type 'string' is not assignable to type 'number'.");
  });
});
