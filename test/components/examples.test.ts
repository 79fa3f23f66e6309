import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { COMPONENT_FILES, examplesOf, LIBRARY } from "../helpers/tsdoc-examples";
import { ROOT, typeCheck } from "../helpers/typecheck";

/** Where the examples are written: inside the repository, so that they resolve `@pulumi/*` from its node_modules. */
const CACHE = path.join(ROOT, "node_modules", ".cache", "examples");

/** Writes an example as a module of its own and returns its path. */
function write(name: string, code: string): string {
  fs.mkdirSync(CACHE, { recursive: true });
  const file = path.join(CACHE, `${name}.ts`);
  const library = path.relative(CACHE, path.join(ROOT, "components")).split(path.sep).join("/");
  fs.writeFileSync(file, `${code.replaceAll(`"${LIBRARY}"`, `"${library}"`)}\nexport {};\n`);
  return file;
}

const EXAMPLES = COMPONENT_FILES.flatMap((f) => examplesOf(f, fs.readFileSync(f, "utf8")));

describe("TSDoc examples: every component's class documents an example that compiles against components/index.ts", () => {
  it("each component class has an @example with a ```ts block importing from ./components", () => {
    const classes = COMPONENT_FILES.flatMap((f) => [...fs.readFileSync(f, "utf8").matchAll(/^export class (\w+)/gm)].map((m) => `class ${m[1]}`));
    const documented = new Set(EXAMPLES.filter((e) => e.code?.includes(`from "${LIBRARY}"`)).map((e) => e.subject));
    expect(classes.filter((c) => !documented.has(c))).to.deep.equal([]);
    expect(EXAMPLES.filter((e) => e.code === undefined).map((e) => e.source)).to.deep.equal([]);
  });

  // One program for every example and a broken one: most of a compile's time is reading @pulumi's declarations,
  // so one compile instead of two halves this file's time. Diagnostics are per file.
  const BROKEN = "node_modules/.cache/examples/broken.ts";
  let diagnostics: string[] | undefined;
  function compiled(): string[] {
    if (diagnostics) return diagnostics;
    const files = EXAMPLES.map((e, i) => write(`${path.basename(e.source).replace(/[.:]/g, "-")}-${i}`, e.code ?? ""));
    const bad = write("broken", `import { Bucket } from "${LIBRARY}";\nnew Bucket("raw", { bucketName: "p-raw" });`);
    return (diagnostics = typeCheck([...files, bad]));
  }

  it("every example type-checks (strict), each as a module of its own", function () {
    // The compile's time depends on the machine, not on anything this test waits for.
    this.timeout(0);
    expect(compiled().filter((d) => !d.startsWith(`${BROKEN}:`))).to.deep.equal([]);
  });

  it("the check fails for an example that does not compile, naming the line and the error", function () {
    this.timeout(0);
    const errors = compiled().filter((d) => d.startsWith(`${BROKEN}:`));
    expect(errors).to.have.length(1);
    expect(errors[0]).to.match(
      /^node_modules\/\.cache\/examples\/broken\.ts:2: Argument of type '\{ bucketName: string; \}' is not assignable to parameter of type 'BucketArgs'/,
    );
  });

  it("finds the example of a doc comment and its subject", () => {
    const text = ["/**", " * A thing.", " * @example", " * ```ts", " * const a = 1;", " * ```", " * @throws never", " */", "export class Thing {}"].join("\n");
    expect(examplesOf(path.join(ROOT, "components", "thing.ts"), text)).to.deep.equal([
      { source: "components/thing.ts:3", subject: "class Thing", code: "const a = 1;" },
    ]);
  });
});
