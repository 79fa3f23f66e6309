import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { nearest } from "../project/nearest";
import { installMockRuntime, RecordedInvoke, RecordedResource, ResourceRecorder, SECRET, settled } from "./mock-runtime";

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
  readonly outputs: Record<string, unknown>;
  readonly resources: RecordedResource[];
  /** The data sources the program called, with what they depend on. */
  readonly invokes: RecordedInvoke[];
}

/**
 * Reads `Pulumi.<stack>.yaml` and, as the Pulumi CLI does, adds the defaults `Pulumi.yaml` declares for keys the
 * stack file leaves out.
 * @throws Error naming the file when it is missing.
 */
export function readStackConfig(stack: string, root = process.cwd()): StackConfigFile {
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    const known = fs.readdirSync(root).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
    throw new Error(`no stack file ${path.basename(file)}; stacks: ${known.join(", ")}`);
  }
  const doc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
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
  const project = readProject(root);
  for (const [key, spec] of Object.entries(project.config ?? {})) {
    const qualified = key.includes(":") ? key : `${project.name}:${key}`;
    if (!(qualified in values) && spec.default !== undefined) {
      values[qualified] = typeof spec.default === "string" ? spec.default : JSON.stringify(spec.default);
    }
  }
  return { values, secretKeys };
}

/** What the runs read from a program's `Pulumi.yaml`. */
interface ProjectFile {
  /** The project name: the namespace of the program's own config keys (src: https://www.pulumi.com/docs/iac/concepts/config/). */
  readonly name: string;
  /** The program's path relative to `Pulumi.yaml`: a file, or a folder holding `index.ts` (src: https://www.pulumi.com/docs/iac/concepts/projects/project-file/, `main`). */
  readonly main?: string;
  readonly config?: Record<string, { default?: unknown }>;
}

/**
 * Reads the `Pulumi.yaml` in `root`.
 * @throws Error naming the file when it is missing or has no `name`.
 */
export function readProject(root = process.cwd()): ProjectFile {
  const file = path.join(root, "Pulumi.yaml");
  if (!fs.existsSync(file)) throw new Error(`no Pulumi.yaml beside the program in ${root}: a program needs its project file (name, runtime, config)`);
  const project = (parse(fs.readFileSync(file, "utf8")) ?? {}) as Partial<ProjectFile>;
  if (typeof project.name !== "string" || project.name === "") throw new Error(`${file}: no project name (\`name: <project>\`)`);
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
    throw new Error(`no program ${entry}: ${path.join(root, "Pulumi.yaml")}'s \`main\` names the program (default: index.ts beside it)`);
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
 * inside `runInPulumiStack`. Resolves with the stack outputs and every registered resource once all registrations
 * are answered.
 * @param config - the stack's config; by default read from `Pulumi.<stack>.yaml` beside the program.
 * @param recorder - where registered resources are recorded (a test passes its own to see what a failed run declared).
 * @param program - the program's entry file; its directory holds its `Pulumi.yaml` and stack files.
 * @throws the program's own error, e.g. the config error naming the key; an Error naming a missing `Pulumi.yaml`.
 * @example
 * const run = await runProgram("dev", readStackConfig("dev", "examples/own-pipeline"), undefined, "examples/own-pipeline/index.ts");
 */
export async function runProgram(stack: string, config?: StackConfigFile, recorder = new ResourceRecorder(), program = programOf()): Promise<ProgramRun> {
  const root = path.dirname(path.resolve(program));
  const project = readProject(root).name;
  const values = config ?? readStackConfig(stack, root);
  const cloud = { project: values.values["gcp:project"] ?? "unset-project", region: values.values["gcp:region"] ?? "unset-region" };
  await installMockRuntime(cloud, stack, recorder, project);
  pulumi.runtime.setAllConfig(values.values, values.secretKeys);
  forgetProgramModules(root);
  loadTypeScript(root);
  // eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/require-await -- async: a failing require rejects
  const outputs = await pulumi.runtime.runInPulumiStack(async () => ({ ...(require(path.resolve(program)) as Record<string, unknown>) }));
  await settled();
  return { stack, outputs: outputs ?? {}, resources: recorder.resources, invokes: recorder.invokes };
}

/** Drops the project's own modules from the require cache, so the program (and its config) is evaluated anew. */
function forgetProgramModules(root: string): void {
  for (const id of Object.keys(require.cache)) {
    if (id.startsWith(root) && !id.includes(`${path.sep}node_modules${path.sep}`) && !id.startsWith(CLI_ROOT)) {
      delete require.cache[id];
    }
  }
}
