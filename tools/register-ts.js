// How this project runs TypeScript without a type check: tsx's CommonJS hook (esbuild transpiles each .ts file as it is
// required; src: https://tsx.is/dev-api/register-cjs). Used by `npm test` (.mocharc.json `require`), the npm scripts,
// the runner's bin (runner/bin.js) and every process the project starts (`npm run local`'s containers, the tests' child
// processes, the benchmarks: `-r` this file, tools/run-ts.ts `RUN_TS`). esbuild only transpiles: the type check is
// tsc's (`npm run build`, and the preview's cached check, tools/type-check.ts).
//
// Why tsx, not ts-node: ts-node has had no release since 10.9.2 (December 2023), tsx is maintained. Its CommonJS hook
// alone, without its ESM hook (`--import tsx`, `tsx/esm/api`): the sources are CommonJS (package.json has no "type",
// tsconfig `module: nodenext`), the ESM-only packages they use load through Node's own require(esm), and the ESM hook
// costs about 0.07 s more CPU on every process start (measured here: 0.16 s against 0.09 s for a one-line file).
// Not Node's own type stripping: it does not rewrite extensionless imports and treats a .ts file with `import` as an
// ES module (src: https://nodejs.org/api/typescript.html#type-stripping).
//
// Pulumi's Node.js host does not use this file: it registers the project's ts-node with tsconfig.json and type-checks
// the program (src: node_modules/@pulumi/pulumi/cmd/run/run.js), so ts-node and typescript stay dev dependencies for
// `pulumi up`. tsx takes tsconfig.json (compiler options such as `target`, hence class-field semantics) from the working
// directory, or from TSX_TSCONFIG_PATH (what `tsx --tsconfig` sets: node_modules/tsx/dist/cli.mjs; src:
// https://tsx.is/typescript#custom-tsconfig-json-path), set here to the project's own so that `npx cloudrun-job` runs the
// same from any directory. `import()` in a loaded file is not transpiled by this hook (src:
// https://tsx.is/dev-api/register-cjs, "Caveats"): the sources load each other with import statements only.
process.env.TSX_TSCONFIG_PATH ??= require("path").join(__dirname, "..", "tsconfig.json");
require("tsx/cjs/api").register();
