import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { installMockRuntime, RecordedInvoke, RecordedResource, ResourceRecorder, SECRET, settled } from "./mock-runtime";

/** The project root (where Pulumi.yaml and the stack files are). */
export const ROOT = path.resolve(__dirname, "..");

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
export function readStackConfig(stack: string, root = ROOT): StackConfigFile {
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
  const project = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { name: string; config?: Record<string, { default?: unknown }> };
  for (const [key, spec] of Object.entries(project.config ?? {})) {
    const qualified = key.includes(":") ? key : `${project.name}:${key}`;
    if (!(qualified in values) && spec.default !== undefined) {
      values[qualified] = typeof spec.default === "string" ? spec.default : JSON.stringify(spec.default);
    }
  }
  return { values, secretKeys };
}

/**
 * Runs the real program (`index.ts`) for `stack` the way the engine would, with no engine: mock runtime, the
 * stack file's config, the program loaded inside `runInPulumiStack`. Resolves with the stack outputs and every
 * registered resource once all registrations are answered.
 * @param config - the stack's config; by default read from `Pulumi.<stack>.yaml`.
 * @param recorder - where registered resources are recorded (a test passes its own to see what a failed run declared).
 * @throws the program's own error, e.g. the config error naming the key.
 */
export async function runProgram(stack: string, config: StackConfigFile = readStackConfig(stack), recorder = new ResourceRecorder()): Promise<ProgramRun> {
  const cloud = { project: config.values["gcp:project"] ?? "unset-project", region: config.values["gcp:region"] ?? "unset-region" };
  await installMockRuntime(cloud, stack, recorder);
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);
  forgetProgramModules(ROOT);
  const program = path.join(ROOT, "index.ts");
  // eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/require-await -- async: a failing require rejects
  const outputs = await pulumi.runtime.runInPulumiStack(async () => ({ ...(require(program) as Record<string, unknown>) }));
  await settled();
  return { stack, outputs: outputs ?? {}, resources: recorder.resources, invokes: recorder.invokes };
}

/** Drops the project's own modules from the require cache, so the program (and its config) is evaluated anew. */
function forgetProgramModules(root: string): void {
  for (const id of Object.keys(require.cache)) {
    if (id.startsWith(root) && !id.includes(`${path.sep}node_modules${path.sep}`) && !id.includes(`${path.sep}tools${path.sep}`)) {
      delete require.cache[id];
    }
  }
}
