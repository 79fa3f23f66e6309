import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, typeCheck } from "../helpers/typecheck";

/** Where the examples are written: inside the repository, so that they resolve `@pulumi/*` from its node_modules. */
const CACHE = path.join(ROOT, "node_modules", ".cache", "examples");
/** The import path examples use, as a program at the repository's root (like `index.ts`) would. */
const LIBRARY = "./components";

interface Example {
  /** `components/<file>.ts:<line>` of the `@example` tag. */
  readonly source: string;
  /** The doc comment's subject, e.g. `class Bucket`. */
  readonly subject: string;
  readonly code: string | undefined;
}

/** Every `@example` of the TSDoc comments of a file, with the code of its ```ts fence (undefined when it has none). */
export function examplesOf(file: string, text: string): Example[] {
  const found: Example[] = [];
  for (const comment of text.matchAll(/\/\*\*([\s\S]*?)\*\/\s*(?:export )?(?:abstract )?(class \w+|function \w+|const \w+|interface \w+)?/g)) {
    const lines = comment[1].split("\n").map((l) => l.replace(/^\s*\* ?/, ""));
    const line = text.slice(0, comment.index).split("\n").length;
    lines.forEach((l, i) => {
      if (!l.startsWith("@example")) return;
      const rest: string[] = [];
      for (const next of lines.slice(i + 1)) {
        if (/^@\w/.test(next)) break;
        rest.push(next);
      }
      const fenced = /```ts\n([\s\S]*?)\n```/.exec(rest.join("\n"));
      found.push({ source: `${path.relative(ROOT, file)}:${line + i}`, subject: comment[2] ?? "(file)", code: fenced?.[1] });
    });
  }
  return found;
}

/** Writes an example as a module of its own and returns its path. */
function write(name: string, code: string): string {
  fs.mkdirSync(CACHE, { recursive: true });
  const file = path.join(CACHE, `${name}.ts`);
  const library = path.relative(CACHE, path.join(ROOT, "components")).split(path.sep).join("/");
  fs.writeFileSync(file, `${code.replaceAll(`"${LIBRARY}"`, `"${library}"`)}\nexport {};\n`);
  return file;
}

const COMPONENT_FILES = fs
  .readdirSync(path.join(ROOT, "components"))
  .filter((f) => f.endsWith(".ts") && f !== "index.ts")
  .map((f) => path.join(ROOT, "components", f));
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
