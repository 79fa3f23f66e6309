// `node load-program.js PROJECT_DIR STACK`: loads the program of the Pulumi project in PROJECT_DIR the way Pulumi's
// Node.js host compiles it, and runs it under Pulumi's mock runtime in place of the engine. Exactly:
// - compiled: the project's own ts-node and typescript, registered with its tsconfig.json as @pulumi/pulumi's
//   cmd/run/run.js registers them, type check on (../helpers/pulumi-host.js, which cites run.js);
// - run: `require` of the project's `main` (package.json) under the project's own @pulumi/pulumi, with
//   `pulumi.runtime.setMocks` set first (https://www.pulumi.com/docs/iac/guides/testing/unit/), the project name from
//   its Pulumi.yaml and the config of its stack file (Pulumi.<STACK>.yaml's `config:`, values as strings, as the engine
//   passes them; no secrets, no defaults from Pulumi.yaml). No engine, no provider plugin: the mocks answer every
//   resource with its inputs.
// Prints `{versions, resources, outputs}` as JSON on stdout: the ts-node and typescript versions, every registered
// resource as "<type> <name>", the stack outputs' names. Plain JavaScript: only what the project installed compiles and
// runs the program (this repository's `yaml` reads the two YAML files).
const fs = require("fs");
const path = require("path");
const { parse } = require("yaml");
const { registerAsPulumiHost } = require("../helpers/pulumi-host.js");

async function main() {
  const [dir, stack] = process.argv.slice(2);
  const project = path.resolve(dir);
  const { name } = parse(fs.readFileSync(path.join(project, "Pulumi.yaml"), "utf8"));
  const { config = {} } = parse(fs.readFileSync(path.join(project, `Pulumi.${stack}.yaml`), "utf8")) ?? {};
  const values = Object.fromEntries(Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
  const { main: entry = "index.js" } = JSON.parse(fs.readFileSync(path.join(project, "package.json"), "utf8"));

  const versions = registerAsPulumiHost(project);
  const fromProject = (id) => require(require.resolve(id, { paths: [project] }));
  const pulumi = fromProject("@pulumi/pulumi");
  const settings = fromProject("@pulumi/pulumi/runtime/settings");
  const resources = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        resources.push(`${args.type} ${args.name}`);
        return { id: undefined, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    name,
    stack,
    false,
  );
  pulumi.runtime.setAllConfig(values, []);
  const outputs = await pulumi.runtime.runInPulumiStack(async () => ({ ...require(path.join(project, entry)) }));
  await settings.waitForRPCs();
  process.stdout.write(`${JSON.stringify({ versions, resources, outputs: Object.keys(outputs ?? {}) })}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
