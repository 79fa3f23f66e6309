import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { nearest } from "../project/nearest";
import { installMockRuntime, RecordedInvoke, RecordedResource, ResourceRecorder, SECRET, settled } from "./mock-runtime";
import { checkStackConfig, projectConfig } from "./config-check";
import { programFailures } from "./program-failure";
import { PulumiSdk, pulumiSdk } from "./pulumi-sdk";
import { BadInput } from "../errors";

/** The CLI's own folder: its modules stay loaded across runs. */
const CLI_ROOT = path.resolve(__dirname, "..", "..") + path.sep;

/** A stack's config as the Pulumi CLI hands it to the program: every value a string, lists and maps as JSON. */
export interface StackConfigFile {
  readonly values: Record<string, string>;
  /** Keys whose values are `secure:` ciphertext; they cannot be decrypted offline and read as {@link SECRET}. */
  readonly secretKeys: string[];
}

/** The program run for one stack under the mock runtime. */
export interface ProgramRun {
  readonly stack: string;
  /** The config the program ran with, as the Pulumi CLI hands it over (every value a string); secrets read {@link SECRET}. */
  readonly config: Readonly<Record<string, string>>;
  readonly outputs: Record<string, unknown>;
  readonly resources: RecordedResource[];
  /** The data sources the program called, with what they depend on. */
  readonly invokes: RecordedInvoke[];
}

/**
 * Reads `Pulumi.<stack>.yaml`, checks its config against the `config:` block of the project's `Pulumi.yaml`
 * (./config-check.ts: undeclared keys, types, secrets, keys left unset), and, as the Pulumi CLI does, adds what
 * `Pulumi.yaml` gives the keys the stack file leaves out: a project key's default, another namespace's `value`.
 * @throws Error naming the file when it is missing; StackConfigError with every problem of the stack file's config or
 *   of `Pulumi.yaml`'s `config:` block.
 * @example
 * readStackConfig("dev", "examples/own-pipeline").values["landing-validation:protectData"]; // "false"
 */
export function readStackConfig(stack: string, root = process.cwd()): StackConfigFile {
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    const known = fs.readdirSync(root).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
    throw new BadInput(`no stack file ${path.basename(file)}; stacks: ${known.join(", ")}`);
  }
  const doc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const project = readProject(root);
  // A string `config:` is the deprecated spelling of stackConfigDir (src: project-file reference, "Deprecated attributes").
  const block = typeof project.config === "object" && project.config !== null && !Array.isArray(project.config) ? project.config : {};
  const declared = projectConfig(project.name, block);
  checkStackConfig(project.name, stack, path.basename(file), doc.config ?? {}, declared);
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(doc.config ?? {})) {
    if (value !== null && typeof value === "object" && "secure" in value) {
      values[key] = SECRET;
      secretKeys.push(key);
    } else {
      values[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  for (const [key, { fallback }] of declared) {
    if (!(key in values) && fallback !== undefined) values[key] = typeof fallback === "string" ? fallback : JSON.stringify(fallback);
  }
  return { values, secretKeys };
}

/** What the runs read from a program's `Pulumi.yaml`. */
interface ProjectFile {
  /** The project name: the namespace of the program's own config keys (src: https://www.pulumi.com/docs/iac/concepts/config/). */
  readonly name: string;
  /** The program's path relative to `Pulumi.yaml`: a file, or a folder holding `index.ts` (src: https://www.pulumi.com/docs/iac/concepts/projects/project-file/, `main`). */
  readonly main?: string;
  /** The `config:` block: declarations by key (./config-check.ts `projectConfig` reads them). */
  readonly config?: Record<string, unknown>;
}

/**
 * Reads the `Pulumi.yaml` in `root`.
 * @throws Error naming the file when it is missing or has no `name`.
 */
export function readProject(root = process.cwd()): ProjectFile {
  const file = path.join(root, "Pulumi.yaml");
  if (!fs.existsSync(file)) throw new BadInput(`no Pulumi.yaml beside the program in ${root}: a program needs its project file (name, runtime, config)`);
  const project = (parse(fs.readFileSync(file, "utf8")) ?? {}) as Partial<ProjectFile>;
  if (typeof project.name !== "string" || project.name === "") throw new BadInput(`${file}: no project name (\`name: <project>\`)`);
  return { ...project, name: project.name };
}

/**
 * The entry file of the Pulumi project in `root`: its `Pulumi.yaml`'s `main` (a file, or a folder's `index.ts`), else
 * `index.ts` beside `Pulumi.yaml`, the file Pulumi's Node.js host loads for a TypeScript program.
 * @throws Error naming the file when `Pulumi.yaml` or the program is missing.
 * @example
 * programOf("examples/own-pipeline"); // "<absolute path>/examples/own-pipeline/index.ts"
 */
export function programOf(root = process.cwd()): string {
  const main = path.resolve(root, readProject(root).main ?? ".");
  const entry = fs.existsSync(main) && fs.statSync(main).isDirectory() ? path.join(main, "index.ts") : main;
  if (!fs.existsSync(entry))
    throw new BadInput(`no program ${entry}: ${path.join(root, "Pulumi.yaml")}'s \`main\` names the program (default: index.ts beside it)`);
  return entry;
}

/**
 * Lets `require` load a TypeScript program that nothing registered a loader for (the published CLI runs as
 * JavaScript): @swc-node/register, which transpiles each file as it loads, with the compiler options of the program's
 * nearest tsconfig.json (`SWC_NODE_PROJECT`; src: node_modules/@swc-node/register/README.md). It only transpiles: the
 * type check is tsc's (./type-check.ts). A process that already loads TypeScript (the repository's npm scripts,
 * tools/register-ts.js) keeps its loader.
 */
function loadTypeScript(programDir: string): void {
  if (require.extensions[".ts"]) return;
  const tsconfig = nearest(programDir, "tsconfig.json");
  if (tsconfig !== undefined) process.env.SWC_NODE_PROJECT ??= tsconfig;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- registers a require hook
  require("@swc-node/register");
}

/**
 * Runs a real program (by default the project's in the current folder, {@link programOf}) for `stack` the way the engine would, with no engine:
 * mock runtime under the project name of the program's `Pulumi.yaml`, the stack file's config, the program loaded
 * inside `runInPulumiStack` with the `@pulumi/pulumi` installed beside it ({@link pulumiSdk}). Resolves with the stack
 * outputs and every registered resource once all registrations are answered.
 * @param config - the stack's config; by default read from `Pulumi.<stack>.yaml` beside the program.
 * @param recorder - where registered resources are recorded (a test passes its own to see what a failed run declared).
 * @param program - the program's entry file; its directory holds its `Pulumi.yaml` and stack files.
 * @throws ProgramError (./program-failure.ts) when the program throws, rejects or leaves an error unhandled (e.g. in
 *   an `apply`), with the program's own message (e.g. the config error naming the key); an Error naming a missing
 *   `Pulumi.yaml`; PulumiSdkError when no usable `@pulumi/pulumi` is installed beside the program.
 * @example
 * const run = await runProgram("dev", readStackConfig("dev", "examples/own-pipeline"), undefined, "examples/own-pipeline/index.ts");
 */
export async function runProgram(stack: string, config?: StackConfigFile, recorder = new ResourceRecorder(), program = programOf()): Promise<ProgramRun> {
  const root = path.dirname(path.resolve(program));
  const project = readProject(root).name;
  const values = config ?? readStackConfig(stack, root);
  const sdk = pulumiSdk(root);
  const cloud = { project: values.values["gcp:project"] ?? "unset-project", region: values.values["gcp:region"] ?? "unset-region" };
  await installMockRuntime(cloud, stack, recorder, project, sdk);
  sdk.pulumi.runtime.setAllConfig(values.values, values.secretKeys);
  forgetProgramModules(root);
  loadTypeScript(root);
  const failures = programFailures(path.resolve(program), stack);
  try {
    let exported: Record<string, unknown> = {};
    const outputs = await failures.race(
      // eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/require-await -- async: a failing require rejects
      sdk.pulumi.runtime.runInPulumiStack(async () => (exported = { ...(require(path.resolve(program)) as Record<string, unknown>) })),
    );
    await failures.race(settled(sdk));
    await failures.settled();
    const hidden = new Set(values.secretKeys);
    const shown = Object.fromEntries(Object.entries(values.values).map(([key, value]) => [key, hidden.has(key) ? SECRET : value]));
    return { stack, config: shown, outputs: await hideSecretOutputs(sdk, exported, outputs ?? {}), resources: recorder.resources, invokes: recorder.invokes };
  } finally {
    await failures.dispose();
  }
}

/**
 * The stack outputs with every secret one (an export that is, or holds, a `pulumi.secret`) read as {@link SECRET}, as
 * `pulumi stack output` shows it: `runInPulumiStack` resolves them to plain values (`output(data).promise()`,
 * @pulumi/pulumi `runtime/stack.js`, 3.276), and `output()` of a value that holds a secret is secret as a whole
 * (src: https://www.pulumi.com/docs/iac/concepts/secrets/, "How secrets relate to outputs").
 */
async function hideSecretOutputs(sdk: PulumiSdk, exported: Record<string, unknown>, outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const shown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) shown[key] = (await sdk.pulumi.isSecret(sdk.pulumi.output(exported[key]))) ? SECRET : value;
  return shown;
}

/** Drops the project's own modules from the require cache, so the program (and its config) is evaluated anew. */
function forgetProgramModules(root: string): void {
  for (const id of Object.keys(require.cache)) {
    if (id.startsWith(root) && !id.includes(`${path.sep}node_modules${path.sep}`) && !id.startsWith(CLI_ROOT)) {
      delete require.cache[id];
    }
  }
}
