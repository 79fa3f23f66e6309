// Loads TypeScript the way Pulumi's Node.js language host loads a CommonJS program: ts-node and typescript resolved by
// the project's own @pulumi/pulumi tsutils (the project's, else its vendored ts-node 7 and TypeScript 3.8),
// tsconfig.json's compiler options read by it, the type check on unless `noCheck` (or PULUMI_NODEJS_TRANSPILE_ONLY)
// says otherwise, then `register` with the options run.js passes.
// (src: node_modules/@pulumi/pulumi/cmd/run/run.js, the `typeScript` branch outside "automatic ESM mode";
// node_modules/@pulumi/pulumi/tsutils.js `typeScriptRequireStrings`, `loadTypeScriptCompilerOptions`)
// Everything is resolved from the project's folder, as the host runs the project's own @pulumi/pulumi (its cmd/run)
// with the program's folder as the working directory.
// Run as a script (`node pulumi-host.js FILE`, from the project's folder), it loads FILE and prints the versions it
// used on stderr; test/consumer/load-program.js calls `registerAsPulumiHost` before it loads a program under mocks.
const path = require("path");

/**
 * Registers the project's ts-node for `.ts` files as Pulumi's host does.
 * @param {string} project - the project's folder (where its tsconfig.json and node_modules are).
 * @returns {{ tsnode: string, typescript: string }} the versions registered.
 */
function registerAsPulumiHost(project) {
  const fromProject = (id) => require(require.resolve(id, { paths: [project] }));
  const tsutils = fromProject("@pulumi/pulumi/tsutils");
  const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
  const tsconfig = path.join(project, "tsconfig.json");
  const compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsconfig);
  const tsnode = fromProject(tsnodeRequire);
  const typescript = fromProject(typescriptRequire);
  tsnode.register({
    compiler: typescriptRequire,
    transpileOnly: compilerOptions.noCheck,
    project: tsconfig,
    skipProject: false,
    compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...compilerOptions },
  });
  return { tsnode: tsnode.VERSION, typescript: typescript.version };
}

module.exports = { registerAsPulumiHost };

if (require.main === module) {
  const { tsnode, typescript } = registerAsPulumiHost(process.cwd());
  process.stderr.write(`ts-node ${tsnode}, typescript ${typescript}\n`);
  require(path.resolve(process.argv[2]));
}
