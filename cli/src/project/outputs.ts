import { spawnSync } from "child_process";
import * as fs from "fs";
import { JobOutput, RunnerOutputs, runnerOutputs } from "../contract/outputs";
import { BadInput } from "../errors";

export type { JobOutput, RunnerOutputs } from "../contract/outputs";

/**
 * A stack's outputs as JSON: from `file` (the shape `pulumi stack output --json` prints; `npm run preview --
 * --outputs FILE` writes one), else from the Pulumi CLI for `stack`.
 * @returns the parsed JSON and where it came from (for messages).
 * @throws BadInput when the file is missing or not JSON, or when neither a file nor the CLI is there.
 */
export function readOutputsJson(stack: string, file?: string, run: typeof spawnSync = spawnSync): { json: unknown; from: string } {
  let text: string;
  let from: string;
  if (file) {
    if (!fs.existsSync(file)) throw new BadInput(`--outputs: no such file ${file} (write one with: npm run preview -- --stack ${stack} --outputs ${file})`);
    text = fs.readFileSync(file, "utf8");
    from = file;
  } else {
    const result = run("pulumi", ["stack", "output", "--json", "--show-secrets=false", "--stack", stack], { encoding: "utf8" });
    if (result.error)
      throw new BadInput(
        `the Pulumi CLI is not available (${result.error.message}): pass --outputs FILE (npm run preview -- --stack ${stack} --outputs FILE writes one)`,
      );
    if (result.status !== 0) throw new BadInput(`pulumi stack output --stack ${stack} failed: ${String(result.stderr).trim()}`);
    text = String(result.stdout);
    from = `the outputs of stack ${stack}`;
  }
  try {
    return { json: JSON.parse(text), from };
  } catch {
    throw new BadInput(`--outputs: ${from} is not JSON`);
  }
}

/**
 * Reads the jobs and pipelines of a stack's outputs (see {@link readOutputsJson}).
 * @throws BadInput naming the file or the field that does not fit.
 */
export function readOutputs(stack: string, file?: string, run: typeof spawnSync = spawnSync): RunnerOutputs {
  const { json, from } = readOutputsJson(stack, file, run);
  const parsed = runnerOutputs.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadInput(`--outputs: ${from} does not look like this project's stack outputs: ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/** The job declared under `key`, an own key of the stack's jobs (`toString` is not a job). @throws BadInput listing the known jobs. */
export function jobByKey(outputs: RunnerOutputs, key: string): JobOutput {
  const found = Object.hasOwn(outputs.jobs, key) ? outputs.jobs[key] : undefined;
  if (!found) throw new BadInput(`unknown job "${key}": the stack has ${Object.keys(outputs.jobs).sort().join(", ") || "no jobs"}`);
  return found;
}
