import { spawnSync } from "child_process";
import * as fs from "fs";
import { z } from "zod";
import { BadInput } from "./errors";

const job = z.object({
  /** Full resource name, `projects/<p>/locations/<r>/jobs/<job>`. */
  name: z.string().regex(/^projects\/[^/]+\/locations\/[^/]+\/jobs\/[^/]+$/, "expected projects/<project>/locations/<region>/jobs/<job>"),
  jobName: z.string(),
  region: z.string(),
  project: z.string(),
});
const jobPipeline = z.object({
  steps: z.array(z.string()).min(1),
  stagingBucket: z.string().min(3),
  /** The deployed chain, `projects/<p>/locations/<r>/workflows/<w>` (for `--remote`). */
  workflow: z.string().regex(/^projects\/[^/]+\/locations\/[^/]+\/workflows\/[^/]+$/, "expected projects/<project>/locations/<region>/workflows/<workflow>").optional(),
});
const schema = z.object({
  jobs: z.record(z.string(), job),
  // Job pipelines are the ones with steps; the event-driven ones (scoring, streaming) are not the runner's.
  pipelines: z
    .preprocess(
      (value) => (value !== null && typeof value === "object" ? Object.fromEntries(Object.entries(value).filter(([, p]) => p !== null && typeof p === "object" && "steps" in p)) : value),
      z.record(z.string(), jobPipeline),
    )
    .default({}),
  /** The log view of the stack's job logs, `projects/<p>/locations/<l>/buckets/<b>/views/<v>`, read by `--logs`. */
  logView: z
    .string()
    .regex(/^projects\/[^/]+\/locations\/[^/]+\/buckets\/[^/]+\/views\/[^/]+$/, "expected projects/<project>/locations/<location>/buckets/<bucket>/views/<view>")
    .optional(),
});

/** The parts of a stack's outputs the runner reads (index.ts exports them; other keys are ignored). */
export type StackOutputs = z.infer<typeof schema>;
export type JobOutput = z.infer<typeof job>;

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
    if (result.error) throw new BadInput(`the Pulumi CLI is not available (${result.error.message}): pass --outputs FILE (npm run preview -- --stack ${stack} --outputs FILE writes one)`);
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
export function readOutputs(stack: string, file?: string, run: typeof spawnSync = spawnSync): StackOutputs {
  const { json, from } = readOutputsJson(stack, file, run);
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadInput(`--outputs: ${from} does not look like this project's stack outputs: ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/** The job declared under `key`, an own key of the stack's jobs (`toString` is not a job). @throws BadInput listing the known jobs. */
export function jobByKey(outputs: StackOutputs, key: string): JobOutput {
  const found = Object.hasOwn(outputs.jobs, key) ? outputs.jobs[key] : undefined;
  if (!found) throw new BadInput(`unknown job "${key}": the stack has ${Object.keys(outputs.jobs).sort().join(", ") || "no jobs"}`);
  return found;
}
