import { z } from "zod";

/**
 * The stack outputs: what `index.ts` exports (a type-level check there) and what its readers parse, defined once.
 * The runner ({@link runnerOutputs}), the stream client ({@link streamingOutputs}) and `promote`
 * ({@link imageOutputs}) each read a view of this schema; other keys are ignored. The JSON is what
 * `pulumi stack output --json` prints, and what `npm run preview -- --outputs FILE` writes.
 */

const resourceName = (pattern: RegExp, expected: string) => z.string().regex(pattern, `expected ${expected}`);

/** One Cloud Run job of the stack. */
export const jobOutput = z.object({
  /** Full resource name, `projects/<p>/locations/<r>/jobs/<job>`. */
  name: resourceName(/^projects\/[^/]+\/locations\/[^/]+\/jobs\/[^/]+$/, "projects/<project>/locations/<region>/jobs/<job>"),
  /** The job's short name, e.g. `dev-etl-extract`. */
  jobName: z.string().min(1),
  region: z.string().min(1),
  project: z.string().min(1),
  /** Email of the account the job runs as. */
  serviceAccount: z.string().min(1),
});

/** A chain of jobs: the runner's `pipeline` command runs its steps in order. */
export const jobPipelineOutput = z.object({
  /** Keys of `jobs`, in the order they run. */
  steps: z.array(z.string()).min(1),
  /** Bucket of each run's `STAGING_PREFIX`: at least 3 characters (the rule components/shared/naming.ts cites, https://cloud.google.com/storage/docs/buckets#naming). */
  stagingBucket: z.string().min(3),
  /** The deployed chain, `projects/<p>/locations/<r>/workflows/<w>` (for `--remote`). */
  workflow: resourceName(/^projects\/[^/]+\/locations\/[^/]+\/workflows\/[^/]+$/, "projects/<project>/locations/<region>/workflows/<workflow>").optional(),
});

const topicId = resourceName(/^projects\/[^/]+\/topics\/[^/]+$/, "projects/<project>/topics/<topic>");
const subscriptionId = resourceName(/^projects\/[^/]+\/subscriptions\/[^/]+$/, "projects/<project>/subscriptions/<subscription>");

/** The event-driven scoring pipeline. */
export const scoringPipelineOutput = z.object({
  inputBucket: z.string().min(3),
  outputBucket: z.string().min(3),
  service: z.url(),
  deadLetterSubscription: z.string().min(1),
});

/** The streaming pipeline: a backend publishes to `requestTopic` and pulls its answer from `resultSubscription`. */
export const streamingPipelineOutput = z.object({
  requestTopic: topicId,
  resultSubscription: subscriptionId,
  service: z.url(),
  deadLetterSubscription: z.string().min(1),
});

/** The log view of the stack's job logs, `projects/<p>/locations/<l>/buckets/<b>/views/<v>`, read by `--logs`. */
const logView = resourceName(
  /^projects\/[^/]+\/locations\/[^/]+\/buckets\/[^/]+\/views\/[^/]+$/,
  "projects/<project>/locations/<location>/buckets/<bucket>/views/<view>",
);

/**
 * Every output of a stack of this program; `parse` throws a ZodError whose issue names the field (e.g.
 * `jobs.extract.name`) and the expected form.
 * @example
 * const outputs = stackOutputs.parse(JSON.parse(fs.readFileSync("outputs.json", "utf8")));
 * console.log(outputs.pipelines.etl.steps.map((step) => outputs.jobs[step].jobName));
 */
export const stackOutputs = z.object({
  project: z.string().min(1),
  region: z.string().min(1),
  jobs: z.record(z.string(), jobOutput),
  pipelines: z.object({ etl: jobPipelineOutput, scoring: scoringPipelineOutput, streaming: streamingPipelineOutput }),
  buckets: z.object({ raw: z.string().min(3), staging: z.string().min(3), curated: z.string().min(3) }),
  dataset: z.string().min(1),
  logView,
  /** The stack's Artifact Registry repository, `<location>-docker.pkg.dev/<project>/<repository>`. */
  repository: z.string().min(1),
  /** Each image the stack runs, by digest (`<repository>/<image>@sha256:<64 hex>`). */
  images: z.record(z.string(), z.string().min(1)),
});

/** The stack outputs, resolved. */
export type StackOutputs = z.infer<typeof stackOutputs>;

/**
 * `T` itself, when it fits {@link StackOutputs}: `index.ts` names its resolved exports with it, so `tsc` fails there
 * when the exports and this schema drift apart.
 */
export type SatisfiesStackOutputs<T extends StackOutputs> = T;

/**
 * The runner's view: the jobs, the pipelines that have steps (job chains; the event-driven ones are not the
 * runner's), and the log view, which is optional for the runner (without it, `--logs` says so).
 */
export const runnerOutputs = z.object({
  jobs: z.record(z.string(), jobOutput.omit({ serviceAccount: true })),
  pipelines: z
    .preprocess(
      (value) =>
        value !== null && typeof value === "object"
          ? Object.fromEntries(Object.entries(value).filter(([, p]) => p !== null && typeof p === "object" && "steps" in p))
          : value,
      z.record(z.string(), jobPipelineOutput),
    )
    .default({}),
  logView: logView.optional(),
});
export type RunnerOutputs = z.infer<typeof runnerOutputs>;
export type JobOutput = RunnerOutputs["jobs"][string];

/**
 * The stream client's view: where to publish a request and where its answer arrives.
 * @example
 * const { requestTopic, resultSubscription } = streamingOutputs.parse(JSON.parse(fs.readFileSync("outputs.json", "utf8"))).pipelines.streaming;
 */
export const streamingOutputs = z.object({
  pipelines: z.object({ streaming: streamingPipelineOutput.pick({ requestTopic: true, resultSubscription: true }) }),
});

/**
 * `promote`'s view: every image under `images`, by name, each checked against `digest` (an image-by-digest format);
 * at least one.
 * @example
 * const digests = imageOutputs(z.string().regex(/@sha256:[0-9a-f]{64}$/)).parse(JSON.parse(fs.readFileSync("outputs.json", "utf8"))).images;
 */
export function imageOutputs(digest: z.ZodString) {
  return z.object({
    images: z.record(z.string(), digest).refine((images) => Object.keys(images).length > 0, "expected at least one image, by name"),
  });
}
