import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { typeCheck } from "../../../cli/src/preview/type-check";
import { CHILD_TEST_TIMEOUT_MS } from "../../helpers/child";

/** Mocha's timeout for a test that runs tsc in a child process: far above its duration even on a loaded machine. */

describe("preview's type check (tsc -b, cached)", () => {
  it("rejects with tsc's diagnostics on a type error, again on the next run, and resolves once it is fixed", async function () {
    this.timeout(CHILD_TEST_TIMEOUT_MS);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "type-check-"));
    const project = path.join(dir, "tsconfig.json");
    const source = path.join(dir, "program.ts");
    fs.writeFileSync(
      project,
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, incremental: true, tsBuildInfoFile: "cache/check.tsbuildinfo", types: [], lib: ["ES2022"] },
        include: ["*.ts"],
      }),
    );
    fs.writeFileSync(source, 'export const probe: number = "not a number";\n');
    const failure = (check: Promise<void>) =>
      check.then(
        () => "resolved",
        (err: Error) => err.message,
      );

    const first = await failure(typeCheck(project));
    expect(first).to.include("the program does not type-check, as `pulumi up` would refuse it (tsc -b ").and.include("): 1 error; fix it:\n");
    expect(first).to.include("program.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.");
    expect(await failure(typeCheck(project)), "a cached run still fails").to.include("error TS2322");

    fs.writeFileSync(source, "export const probe: number = 1;\n");
    expect(await failure(typeCheck(project))).to.equal("resolved");
    expect(fs.existsSync(path.join(dir, "cache", "check.tsbuildinfo")), "the build info is cached").to.equal(true);
  });
});
