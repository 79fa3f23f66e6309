import * as fs from "node:fs";
import * as path from "node:path";
import { COMPONENT_FILES, examplesOf, LIBRARY } from "../helpers/tsdoc-examples";

// `node <tools/run-ts.ts's RUN_TS> test/consumer/examples.ts DIR`: writes the code of every `@example` of the components'
// TSDoc (the ones test/components/examples.test.ts compiles against the sources) into DIR, one module each, importing
// "@cloudrun-pipelines/components" in place of "./components", as a user's program would; prints how many. The
// consumer test then type-checks them against the installed package under the user's compiler flags.
function main(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const examples = COMPONENT_FILES.flatMap((f) => examplesOf(f, fs.readFileSync(f, "utf8")));
  for (const [i, { source, code }] of examples.entries()) {
    if (code === undefined) throw new Error(`${source}: an @example without a \`\`\`ts block`);
    const name = `${path.basename(source).replace(/[.:]/g, "-")}-${i}.ts`;
    fs.writeFileSync(path.join(dir, name), `${code.replaceAll(`"${LIBRARY}"`, '"@cloudrun-pipelines/components"')}\nexport {};\n`);
  }
  process.stdout.write(`${examples.length}\n`);
}

main(path.resolve(process.argv[2] ?? "examples"));
