import { PubSub } from "@google-cloud/pubsub";
import { ChildProcess } from "child_process";
import { watch } from "chokidar";
import { StackOutputs } from "../contract/outputs";
import * as fs from "fs";
import * as path from "path";
import { Emulator, freePort, startEmulator, waitForPort } from "./emulator";
import { finalizeMessage, notifies } from "./notification";
import { exitOf, LocalEndpoints, localCommand, localEnv, startProcess } from "./process";
import { LocalPlan, PlannedService, readLocalPlan } from "./plan";
import { Applied, applyPlan } from "./pubsub";

/** A path for messages: relative to the current folder when under it, else absolute. */
const shown = (file: string) => (path.relative(process.cwd(), file).startsWith("..") ? file : path.relative(process.cwd(), file));

/** The event-driven pipelines `up` runs. */
export const UP_PIPELINES = ["scoring", "streaming"] as const;
export type UpPipeline = (typeof UP_PIPELINES)[number];

export interface UpOptions {
  /** Stack whose plan is run. @default "dev" */
  readonly stack?: string;
  /** The plan, when the caller has it already (tests); by default the stack's, read in this process. */
  readonly plan?: LocalPlan;
  /** Folder for the local state: `gcs/` (the buckets), `outputs.json`. @default ".local" */
  readonly dir?: string;
  /** Replaces the push subscriptions' retry backoff (tests); see {@link applyPlan}. */
  readonly retryBackoff?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
}

/** A running local pipeline. */
export interface LocalPipeline {
  readonly plan: LocalPlan;
  readonly emulator: Emulator;
  /** A client of the emulator, for the plan's project. */
  readonly pubsub: PubSub;
  readonly endpoints: LocalEndpoints;
  readonly applied: Applied;
  /** Local URL of each running service, by the service's name in the plan. */
  readonly services: ReadonlyMap<string, string>;
  /** The stack outputs, written for `npm run stream -- --outputs FILE` and `npm run job -- --outputs FILE`. */
  readonly outputsFile: string;
  /** scoring: the folder a CSV is dropped into (the input bucket) and the one results appear in (the output bucket). */
  readonly folders?: { readonly input: string; readonly output: string };
  /** scoring: resolves with each object name once its notification is published. */
  readonly published?: (listener: (object: string, messageId: string) => void) => void;
  /** Stops the watcher, the services and the emulator (if started here). */
  stop(): Promise<void>;
}

const PIPELINE_SERVICE: Record<UpPipeline, (outputs: StackOutputs) => string> = {
  scoring: (o) => o.pipelines.scoring.service,
  streaming: (o) => o.pipelines.streaming.service,
};

/**
 * Runs an event-driven pipeline of a stack on this machine: the Pub/Sub emulator (or the one
 * `PUBSUB_EMULATOR_HOST` names), the plan's topics and subscriptions on it ({@link applyPlan}), and the pipeline's
 * Cloud Run service as a local process with the plan's env, `PORT`, and the local endpoints (`LOCAL_STORE_DIR`,
 * `PUBSUB_EMULATOR_HOST`). For scoring, it also watches the input bucket's folder and publishes GCS's
 * `OBJECT_FINALIZE` notification for each file written there ({@link finalizeMessage}).
 * @throws Error for an unknown pipeline, a plan without it, or a service that exits before listening.
 * @example
 * const local = await up("streaming", { stack: "dev" });
 * console.log(local.outputsFile);
 * await local.stop();
 */
export async function up(pipeline: string, options: UpOptions = {}): Promise<LocalPipeline> {
  if (!(UP_PIPELINES as readonly string[]).includes(pipeline))
    throw new Error(`unknown pipeline "${pipeline}": up runs ${UP_PIPELINES.join(", ")} (the etl jobs run with: npm run local -- pipeline etl)`);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const plan = options.plan ?? (await readLocalPlan(options.stack ?? "dev"));
  const dir = path.resolve(options.dir ?? ".local");
  const serviceUri = PIPELINE_SERVICE[pipeline as UpPipeline](plan.outputs);
  const service = plan.services.find((s) => s.uri === serviceUri);
  if (!service) throw new Error(`stack ${plan.stack}: no Cloud Run service at ${serviceUri} in the plan`);

  const emulator = await startEmulator(options.env ?? process.env, log);
  const stops: (() => Promise<void>)[] = [() => emulator.stop()];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const endpoints: LocalEndpoints = { storeDir: path.join(dir, "gcs"), pubsubHost: emulator.host };
    fs.mkdirSync(endpoints.storeDir, { recursive: true });
    const pubsub = new PubSub({ projectId: plan.project, apiEndpoint: emulator.host, emulatorMode: true });
    stops.push(() => pubsub.close());
    const url = await startService(plan, service, endpoints, log, stops);
    const services = new Map([[service.name, url]]);
    const applied = await applyPlan(pubsub, plan, new Map([[service.uri, url]]), options.retryBackoff);
    log(
      `topics: ${applied.topics.length}; subscriptions: ${applied.subscriptions.map((s) => (s.pushEndpoint ? `${s.name} -> ${s.pushEndpoint}` : s.name)).join(", ")}`,
    );
    if (applied.skipped.length > 0) log(`not created (their services are not running here): ${applied.skipped.join(", ")}`);
    const outputsFile = path.join(dir, "outputs.json");
    fs.writeFileSync(outputsFile, `${JSON.stringify(plan.outputs, null, 2)}\n`);
    const base = { plan, emulator, pubsub, endpoints, applied, services, outputsFile, stop };
    if (pipeline === "streaming") {
      log(
        `streaming is up: PUBSUB_EMULATOR_HOST=${emulator.host} npm run stream -- send --file images/stream/sample/request.json --wait --outputs ${shown(outputsFile)}`,
      );
      return base;
    }
    return { ...base, ...(await watchInput(plan, endpoints, pubsub, log, stops)) };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Starts a service's local process on a free port and resolves with its URL once it listens. */
async function startService(
  plan: LocalPlan,
  service: PlannedService,
  endpoints: LocalEndpoints,
  log: (line: string) => void,
  stops: (() => Promise<void>)[],
): Promise<string> {
  const port = await freePort();
  if (service.secretEnv.length > 0) log(`${service.name}: ${service.secretEnv.join(", ")} come from Secret Manager in the cloud and are not set locally`);
  const child: ChildProcess = startProcess(
    service.name,
    localCommand(service, service.args, plan),
    localEnv(service.env, endpoints, { PORT: String(port) }),
    log,
  );
  const exited = exitOf(child);
  let code: number | undefined;
  void exited.then((c) => (code = c));
  stops.push(async () => {
    if (code === undefined) {
      child.kill("SIGTERM");
      await exited;
    }
  });
  await waitForPort("127.0.0.1", port, () => (code !== undefined ? `${service.name} exited with code ${code} before listening (its log is above)` : undefined));
  log(`${service.name} listening on http://127.0.0.1:${port}`);
  return `http://127.0.0.1:${port}`;
}

/** Watches the input bucket's folder and publishes a notification for each file finalized in it. */
async function watchInput(plan: LocalPlan, endpoints: LocalEndpoints, pubsub: PubSub, log: (line: string) => void, stops: (() => Promise<void>)[]) {
  const scoring = plan.outputs.pipelines.scoring;
  const input = path.join(endpoints.storeDir, scoring.inputBucket);
  const output = path.join(endpoints.storeDir, scoring.outputBucket);
  fs.mkdirSync(input, { recursive: true });
  fs.mkdirSync(output, { recursive: true });
  const configs = plan.notifications.filter((n) => n.bucket === scoring.inputBucket);
  const listeners: ((object: string, messageId: string) => void)[] = [];
  // A file counts as finalized once its size has not changed for 500 ms (chokidar's awaitWriteFinish): a copy in
  // progress is not notified half-written. GCS notifies both a new object and an overwrite with OBJECT_FINALIZE.
  const watcher = watch(input, { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 500, pollInterval: 100 } });
  const publish = async (file: string) => {
    const name = path.relative(input, file).split(path.sep).join("/");
    const stat = fs.statSync(file);
    const object = { bucket: scoring.inputBucket, name, content: fs.readFileSync(file), updated: stat.mtime };
    for (const config of configs.filter((c) => notifies(c, "OBJECT_FINALIZE", object))) {
      const message = finalizeMessage(config, object);
      const messageId = await pubsub.topic(config.topic).publishMessage(message);
      log(
        `gs://${object.bucket}/${name} finalized: published OBJECT_FINALIZE (generation ${message.attributes.objectGeneration}) to ${config.topic} as message ${messageId}`,
      );
      for (const l of listeners) l(name, messageId);
    }
  };
  const onFile = (file: string) =>
    void publish(file).catch((err: unknown) => log(`cannot publish the notification of ${file}: ${err instanceof Error ? err.message : String(err)}`));
  watcher.on("add", onFile).on("change", onFile);
  await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  stops.push(() => watcher.close());
  const deadLetter = plan.outputs.pipelines.scoring.deadLetterSubscription;
  log(
    `scoring is up: drop a CSV into ${shown(input)}/ and find its results in ${shown(output)}/; a CSV that cannot be scored ends in the subscription ${deadLetter}`,
  );
  return { folders: { input, output }, published: (listener: (object: string, messageId: string) => void) => listeners.push(listener) };
}
