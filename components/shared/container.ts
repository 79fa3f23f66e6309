import * as pulumi from "@pulumi/pulumi";
import { isReservedEnvName } from "./limits";
import { InputError } from "./errors";
import { memoryQuantity, Size, toMiB } from "./units";

/** vCPUs of a Cloud Run job task: 1, 2, 4, 6 or 8 (src: `@pulumi/gcp` `JobTemplateTemplateContainerResources.limits`). */
export type Cpu = 1 | 2 | 4 | 6 | 8;

/** An environment variable read from a Secret Manager secret when the container starts. */
export interface SecretEnv {
  /** The secret: its id (`projects/<p>/secrets/<s>`) or, in the same project, its name. */
  secret: pulumi.Input<string>;
  /**
   * The version to read, e.g. `"3"`. Pin a number in prod so a new version rolls out with a deploy, not silently.
   * @default "latest"
   */
  version?: pulumi.Input<string>;
}

/** A container env entry as Cloud Run v2 takes it. */
export interface EnvEntry {
  name: string;
  value?: pulumi.Input<string>;
  valueSource?: { secretKeyRef: { secret: pulumi.Input<string>; version: pulumi.Input<string> } };
}

/**
 * Builds the container's env list: plain values and secret references, sorted by name. A stable order matters:
 * the provider diffs env lists by position, so adding one variable in the middle would show every later one as
 * changed (src: hashicorp/terraform-provider-google#17607).
 * @throws InputError naming `field` for an invalid or reserved name, or a name set both plainly and from a secret.
 */
export function containerEnv(field: string, env: Record<string, pulumi.Input<string>>, secretEnv: Record<string, SecretEnv>): EnvEntry[] {
  for (const name of [...Object.keys(env), ...Object.keys(secretEnv)]) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new InputError(`${field}.env`, `"${name}" is not a valid variable name`, "use letters, digits and underscores, not starting with a digit");
    }
    if (isReservedEnvName(name)) {
      throw new InputError(`${field}.env`, `${name} is set by Cloud Run itself`, "choose another name");
    }
    if (name in env && name in secretEnv) {
      throw new InputError(`${field}.secretEnv`, `${name} is also a plain env variable`, "set it in one of env and secretEnv");
    }
  }
  const plain: EnvEntry[] = Object.entries(env).map(([name, value]) => ({ name, value }));
  const secrets: EnvEntry[] = Object.entries(secretEnv).map(([name, ref]) => ({
    name,
    valueSource: { secretKeyRef: { secret: ref.secret, version: ref.version ?? "latest" } },
  }));
  return [...plain, ...secrets].sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * CPU and memory limits, always both: with memory alone the API adds a CPU limit and every update shows a diff
 * (src: hashicorp/terraform-provider-google#20399). Memory must fit the CPU: 1 vCPU takes 512 MiB to 4 GiB,
 * 2 vCPU 512 MiB to 8 GiB, 4 vCPU 2 to 16 GiB, 6 vCPU 4 to 24 GiB, 8 vCPU 4 to 32 GiB
 * (src: https://cloud.google.com/run/docs/configuring/jobs/cpu, /jobs/memory-limits).
 * @throws InputError naming `field` when memory does not fit the CPU.
 */
export function resourceLimits(field: string, cpu: Cpu, memory: Size): { cpu: string; memory: string } {
  if (![1, 2, 4, 6, 8].includes(cpu)) {
    throw new InputError(`${field}.cpu`, `${cpu} is not an allowed vCPU count`, "use 1, 2, 4, 6 or 8");
  }
  const mib = toMiB(memory, `${field}.memory`);
  const min = cpu >= 6 ? 4096 : cpu === 4 ? 2048 : 512;
  const max = cpu * 4096;
  if (mib < min || mib > max) {
    throw new InputError(`${field}.memory`, `${memory} does not fit ${cpu} vCPU`, `use ${memoryQuantity(min)} to ${memoryQuantity(max)} with ${cpu} vCPU`);
  }
  return { cpu: String(cpu), memory: memoryQuantity(mib) };
}
