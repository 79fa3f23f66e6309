// Loads the TypeScript file named by argv[2] the way Pulumi's Node.js language host loads a CommonJS program: ts-node
// and typescript resolved by @pulumi/pulumi's own tsutils (the project's, else its vendored ts-node 7 and TypeScript
// 3.8), tsconfig.json's compiler options read by it, the type check on unless `noCheck` (or
// PULUMI_NODEJS_TRANSPILE_ONLY) says otherwise, then `register` with the options run.js passes.
// (src: node_modules/@pulumi/pulumi/cmd/run/run.js, the `typeScript` branch outside "automatic ESM mode";
// node_modules/@pulumi/pulumi/tsutils.js `typeScriptRequireStrings`, `loadTypeScriptCompilerOptions`)
// Run from the project root, as the host runs from the program's directory. Prints the versions it used on stderr.
const path = require("path");

const tsutils = require("@pulumi/pulumi/tsutils");
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const compilerOptions = tsutils.loadTypeScriptCompilerOptions("tsconfig.json");
const tsnode = require(require.resolve(tsnodeRequire, { paths: [process.cwd()] }));
const typescript = require(require.resolve(typescriptRequire, { paths: [process.cwd()] }));
tsnode.register({
  compiler: typescriptRequire,
  transpileOnly: compilerOptions.noCheck,
  project: "tsconfig.json",
  skipProject: false,
  compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...compilerOptions },
});
process.stderr.write(`ts-node ${tsnode.VERSION}, typescript ${typescript.version}\n`);
require(path.resolve(process.argv[2]));
