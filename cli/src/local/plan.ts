import * as path from "path";
import { StackOutputs, stackOutputs } from "../contract/outputs";
import { RecordedResource } from "../preview/plan";
import { programOf, runProgram } from "../preview/run-program";
import { LocalImage, readSettings } from "../project/settings";

/** A Pub/Sub topic as the stack declares it. */
export interface PlannedTopic {
  /** Full id, `projects/<p>/topics/<t>`. */
  readonly id: string;
  /** e.g. `"86400s"`; unset: the topic keeps no messages (only subscriptions do). */
  readonly messageRetentionDuration?: string;
}

/** A Pub/Sub subscription as the stack declares it (the `gcp.pubsub.Subscription` inputs that matter to delivery). */
export interface PlannedSubscription {
  readonly name: string;
  /** Full topic id, `projects/<p>/topics/<t>`. */
  readonly topic: string;
  readonly ackDeadlineSeconds?: number;
  /** e.g. `"604800s"`. */
  readonly messageRetentionDuration?: string;
  readonly retryPolicy?: { readonly minimumBackoff?: string; readonly maximumBackoff?: string };
  readonly deadLetterPolicy?: { readonly deadLetterTopic: string; readonly maxDeliveryAttempts: number };
  /** The push endpoint in the cloud (the service's run.app URL and path); absent for a pull subscription. */
  readonly pushEndpoint?: string;
  readonly filter?: string;
}

/** A GCS notification as the stack declares it. */
export interface PlannedNotification {
  readonly bucket: string;
  readonly topic: string;
  readonly payloadFormat: "JSON_API_V1" | "NONE";
  readonly eventTypes: readonly string[];
  readonly objectNamePrefix?: string;
}

/** A Cloud Run container: what a local process of it gets. */
export interface PlannedContainer {
  /** The image, e.g. `<registry>/scorer@sha256:<digest>`: its name (`scorer`) picks the local command (`local.images` of cloudrun-pipelines.yaml). */
  readonly image: string;
  /** The command (jobs: `["node", "/app/dist/main.js", "extract"]`); empty for the image's own entry point. */
  readonly command: readonly string[];
  readonly args: readonly string[];
  /** Plain env values; variables read from Secret Manager are in `secretEnv`. */
  readonly env: Readonly<Record<string, string>>;
  /** Names of the variables Cloud Run reads from Secret Manager (`valueSource.secretKeyRef`): not set locally. */
  readonly secretEnv: readonly string[];
}

export interface PlannedService extends PlannedContainer {
  readonly name: string;
  /** The service's URL in the plan (a placeholder run.app URL): the push endpoints start with it. */
  readonly uri: string;
}

export interface PlannedJob extends PlannedContainer {
  /** The key in the stack outputs' `jobs` (e.g. `extract`). */
  readonly key: string;
  readonly name: string;
  readonly taskCount: number;
  /** Per-task timeout in seconds. */
  readonly timeoutSeconds: number;
  readonly maxRetries: number;
}

/** What the local runs take from a stack's plan. */
export interface LocalPlan {
  readonly stack: string;
  /** The project's folder (its Pulumi.yaml): local processes run from it. */
  readonly root: string;
  /** How each image's workload starts on this machine, by image name (`local.images` of the project's cloudrun-pipelines.yaml). */
  readonly images: Readonly<Record<string, LocalImage>>;
  readonly project: string;
  readonly topics: readonly PlannedTopic[];
  readonly subscriptions: readonly PlannedSubscription[];
  readonly notifications: readonly PlannedNotification[];
  readonly services: readonly PlannedService[];
  readonly jobs: readonly PlannedJob[];
  /** The stack outputs (what the runner and the stream client read), as the preview resolves them, parsed with the contract's schema. */
  readonly outputs: StackOutputs;
}

type Inputs = Record<string, unknown>;
const of = (resources: readonly RecordedResource[], type: string) => resources.filter((r) => r.type === type);
const seconds = (duration: unknown) => Number(String(duration ?? "0s").replace(/s$/, ""));

function container(template: Inputs | undefined): PlannedContainer {
  const c = ((template?.containers as Inputs[] | undefined) ?? [])[0] ?? {};
  const envs = (c.envs as { name: string; value?: string; valueSource?: unknown }[] | undefined) ?? [];
  return {
    image: String(c.image ?? ""),
    command: (c.commands as string[] | undefined) ?? [],
    args: (c.args as string[] | undefined) ?? [],
    env: Object.fromEntries(envs.filter((e) => e.value !== undefined).map((e) => [e.name, String(e.value)])),
    secretEnv: envs.filter((e) => e.value === undefined).map((e) => e.name),
  };
}

/**
 * Reads the Pub/Sub topics and subscriptions, GCS notifications, Cloud Run services and jobs out of the resources a
 * program registered (the offline preview's recorded plan, `preview/run-program.ts`), with the local commands the
 * project in `root` declares.
 * @throws Error when the outputs do not fit the contract; SettingsError for a bad cloudrun-pipelines.yaml.
 */
export function localPlanOf(stack: string, resources: readonly RecordedResource[], resolved: Record<string, unknown>, root = process.cwd()): LocalPlan {
  const parsed = stackOutputs.safeParse(resolved);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`the outputs of stack ${stack} do not fit the CLI's contract (cloudrun-pipelines/contract): ${issue.path.join(".")}: ${issue.message}`);
  }
  const images = readSettings(root).local?.images ?? {};
  const outputs = parsed.data;
  const project = outputs.project;
  const jobKeys = new Map(Object.entries(outputs.jobs).map(([key, j]) => [j.jobName, key]));
  return {
    stack,
    root: path.resolve(root),
    images,
    project,
    outputs,
    topics: of(resources, "gcp:pubsub/topic:Topic").map((r) => ({
      id: `projects/${project}/topics/${String(r.inputs.name)}`,
      messageRetentionDuration: r.inputs.messageRetentionDuration as string | undefined,
    })),
    subscriptions: of(resources, "gcp:pubsub/subscription:Subscription").map((r) => {
      const i = r.inputs;
      return {
        name: String(i.name),
        topic: String(i.topic),
        ackDeadlineSeconds: i.ackDeadlineSeconds as number | undefined,
        messageRetentionDuration: i.messageRetentionDuration as string | undefined,
        retryPolicy: i.retryPolicy as PlannedSubscription["retryPolicy"],
        deadLetterPolicy: i.deadLetterPolicy as PlannedSubscription["deadLetterPolicy"],
        pushEndpoint: (i.pushConfig as { pushEndpoint?: string } | undefined)?.pushEndpoint,
        filter: i.filter as string | undefined,
      };
    }),
    notifications: of(resources, "gcp:storage/notification:Notification").map((r) => ({
      bucket: String(r.inputs.bucket),
      topic: String(r.inputs.topic),
      payloadFormat: r.inputs.payloadFormat as PlannedNotification["payloadFormat"],
      eventTypes: (r.inputs.eventTypes as string[] | undefined) ?? [],
      objectNamePrefix: r.inputs.objectNamePrefix as string | undefined,
    })),
    services: of(resources, "gcp:cloudrunv2/service:Service").map((r) => ({
      name: String(r.inputs.name),
      uri: String(r.outputs.uri),
      ...container(r.inputs.template as Inputs),
    })),
    jobs: of(resources, "gcp:cloudrunv2/job:Job").map((r) => {
      const outer = r.inputs.template as Inputs;
      const task = outer.template as Inputs;
      const name = String(r.inputs.name);
      return {
        key: jobKeys.get(name) ?? name,
        name,
        taskCount: Number(outer.taskCount ?? 1),
        // Cloud Run's defaults: 10 minutes per task (src: https://cloud.google.com/run/docs/configuring/task-timeout),
        // 3 retries per task (src: https://cloud.google.com/run/docs/configuring/max-retries).
        timeoutSeconds: seconds(task.timeout ?? "600s"),
        maxRetries: Number(task.maxRetries ?? 3),
        ...container(task),
      };
    }),
  };
}

/**
 * The plan of a stack: runs the project's program (in `root`, {@link programOf}) with `Pulumi.<stack>.yaml` under the
 * mock runtime, in this process, as the preview does.
 * @throws the program's own error (e.g. the config error naming the key).
 * @example
 * const plan = await readLocalPlan("dev");
 * console.log(plan.subscriptions.map((s) => s.name));
 */
export async function readLocalPlan(stack: string, root = process.cwd()): Promise<LocalPlan> {
  const run = await runProgram(stack, undefined, undefined, programOf(root));
  return localPlanOf(stack, run.resources, run.outputs, root);
}
