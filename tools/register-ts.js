// How this project runs TypeScript without a type check: ts-node with swc as its transpiler, the same as
// `ts-node --swc` (src: https://typestrong.org/ts-node/docs/swc). Used by `npm test` (.mocharc.json `require`), the
// runner's bin (runner/bin.js), and every process the project starts (`npm run local`'s containers, the tests' child
// processes, the benchmarks: `-r` this file, tools/run-ts.ts `RUN_TS`); the npm scripts say `ts-node --swc`. swc only
// transpiles: the type check is tsc's (`npm run build`, and the preview's cached check, tools/type-check.ts).
//
// Why swc: TypeScript's own transpiler was about half the CPU of starting a process here. Loading the preview, the
// runner and `npm run local` took 3.1 s CPU with it and 1.4 s with swc (two runs each, on the 2-core machine).
//
// Not in tsconfig.json's "ts-node" section: Pulumi's Node.js host registers the project's ts-node with tsconfig.json
// (src: node_modules/@pulumi/pulumi/cmd/run/run.js, `project: tsConfigPath`), and swc there would make `pulumi up` skip
// its type check. The tsconfig is named by path, not searched from the working directory: `npx cloudrun-job` runs
// anywhere.
require("ts-node").register({ swc: true, project: require("path").join(__dirname, "..", "tsconfig.json") });
