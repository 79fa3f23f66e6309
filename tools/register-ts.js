// How this project runs TypeScript without a type check: @swc-node/register, swc's require hook (src:
// node_modules/@swc-node/register/README.md). Used by `npm test` (.mocharc.json `require`), the npm scripts and
// every process the project starts (`npm run local`'s containers, the tests' child
// processes, the benchmarks: `-r` this file, tools/run-ts.ts `RUN_TS`). swc only transpiles: the type check is tsc's
// (`npm run build`, and the preview's cached check, tools/type-check.ts).
//
// Why this one: ts-node has had no release since 10.9.2 (February 2024); @swc-node/register is maintained (1.12.1, July
// 2026) and keeps swc, which made process starts fast here. Measured on the 2-core machine, median CPU seconds of five
// paired runs each, against ts-node with swc (what ran before): the dev preview (warm) 2.67 s against 2.43 s, the
// runner's `--help` 1.71 s against 1.56 s; tsx took 3.33 s and 2.21 s (it lexes every JavaScript file it loads, the
// dependencies' too, for ES module syntax). Not Node's own type stripping: it does not rewrite extensionless imports and
// takes a .ts file with `import` for an ES module (src: https://nodejs.org/api/typescript.html#type-stripping).
//
// Pulumi's Node.js host does not use this file: it registers the project's ts-node with tsconfig.json and type-checks
// the program (src: node_modules/@pulumi/pulumi/cmd/run/run.js), so ts-node and typescript stay dev dependencies for
// `pulumi up` (test/tools/pulumi-host.test.ts). The published CLI registers the same hook itself for a user's program
// (cli/src/preview/run-program.ts). The hook reads the compiler options (`target`, hence class-field
// semantics) from the tsconfig named by SWC_NODE_PROJECT, set here to the project's own, so that a script runs the
// same from any directory (src: node_modules/@swc-node/register/README.md, "Read tsconfig.json").
process.env.SWC_NODE_PROJECT ??= require("path").join(__dirname, "..", "tsconfig.json");
require("@swc-node/register");
