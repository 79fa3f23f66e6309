import * as http from "http";
import { Readable } from "stream";
import { createLogger, Logger, pushServer, serve } from "@cloudrun-pipelines/images-shared";
import { DataError } from "./model";
import { MalformedPush, parsePush, resultNames } from "./push";
import { scoreObject } from "./score";
import { BadObjectName, cloudStore, localStore, ObjectStore } from "./store";

/**
 * Largest CSV the scorer takes: 1 GiB, refused from its metadata before it is read. Memory does not grow with the
 * object (it is streamed, twice); time does, and the answer must come within the push subscription's ack deadline,
 * at most 600 s (src: https://cloud.google.com/pubsub/docs/lease-management), which for push is also the request's
 * timeout (src: `ackDeadlineSeconds` in https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.subscriptions),
 * or Pub/Sub redelivers the message while it is still being scored; the stack gives the service the same 10 minutes
 * as its request timeout (pipelines/scoring.ts; Cloud Run allows up to 60, src:
 * https://cloud.google.com/run/docs/configuring/request-timeout). Pinned to one core of the 2-core development machine (the service has 1 vCPU, the
 * CloudRunService default that pipelines/scoring.ts keeps), the scorer took 64 s for 200 MiB end to end (`npm run
 * bench`, load 3 on 2 cores; 84 s at load 5): about 1.8 GiB in 600 s, so 1 GiB takes 330 to 430 s. The rest of the
 * deadline is the margin for a vCPU slower than that core (UNVERIFIED: Google publishes no speed for it), reading
 * from Cloud Storage twice, and the fit. A larger object gets a 422 (no retry helps) saying how to split it.
 */
export const MAX_INPUT_BYTES = 1024 * 1024 * 1024;

/**
 * Largest push request body read: 1 MiB. A GCS notification carries the object's metadata (a few KiB) and Pub/Sub
 * push wraps it in base64; a larger body is not a notification of ours and gets a 413 without being read further.
 */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** An object larger than {@link MAX_INPUT_BYTES}, refused before it is read. */
export class InputTooLarge extends Error {}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

const tooLarge = (size: number) =>
  new InputTooLarge(
    `the object is ${size} bytes (${mib(size)}), over the scorer's limit of ${MAX_INPUT_BYTES} bytes (${mib(MAX_INPUT_BYTES)}), what it scores within Pub/Sub's 600 s push deadline; split it into CSVs of at most ${mib(MAX_INPUT_BYTES)}, each with labelled rows of its own`,
  );

export interface ScorerConfig {
  /** Bucket the results are written to (`OUTPUT_BUCKET`). */
  readonly outputBucket: string;
  /** Column to predict (`LABEL_COLUMN`). */
  readonly label: string;
  /** Most labelled rows sampled to fit and test on. Default: MAX_SAMPLE_ROWS (./model, where the cap is explained). */
  readonly sampleCap?: number;
}

/** The process's structured logger (see ./log): `RUN_ID`, when set, is the `run_id` label of every line. */
export const structuredLog: Logger = createLogger();

/**
 * Answers one push request. 200 once both results are written (`metrics.json` last, so it marks a finished scoring),
 * or at once when `metrics.json` of that object generation exists already (a redelivery after the results were
 * written: nothing is read or written again); 204 for an event that is ignored (acknowledged); 400 for a malformed
 * request or an object name the store refuses, and 422 for a CSV that cannot be scored (any parse error, a duplicated
 * header, too large: all logged; Pub/Sub retries and then dead-letters them); 500 when reading or writing fails
 * (retried: a predictions file half written is never left under its name, see {@link ObjectStore.write}).
 */
export async function handlePush(
  body: string,
  config: ScorerConfig,
  store: ObjectStore,
  log: Logger = structuredLog,
): Promise<{ status: number; body: object }> {
  let event;
  try {
    event = parsePush(body);
  } catch (err) {
    if (!(err instanceof MalformedPush)) throw err;
    log("WARNING", `rejected a push request: ${err.message}`);
    return { status: 400, body: { error: err.message } };
  }
  if (event.kind === "ignore") {
    log("INFO", `ignored: ${event.reason}`);
    return { status: 204, body: {} };
  }
  const source = `gs://${event.object.bucket}/${event.object.name}#${event.object.generation}`;
  const names = resultNames(event.object);
  let metrics;
  try {
    if (await store.exists(config.outputBucket, names.metrics)) {
      log("INFO", `already scored ${source}: gs://${config.outputBucket}/${names.metrics} exists`, { source, output: names });
      return { status: 200, body: { source, output: names, alreadyScored: true } };
    }
    const size = await store.size(event.object);
    if (size > MAX_INPUT_BYTES) throw tooLarge(size);
    metrics = await scoreObject(store, event.object, config.label, { bucket: config.outputBucket, name: names.predictions }, config.sampleCap);
  } catch (err) {
    if (err instanceof BadObjectName) {
      log("WARNING", `rejected a push request: ${err.message}`, { source });
      return { status: 400, body: { error: err.message } };
    }
    if (!(err instanceof DataError) && !(err instanceof InputTooLarge)) throw err;
    log("ERROR", `cannot score ${source}: ${err.message}`, { source });
    return { status: 422, body: { error: err.message } };
  }
  await store.write(config.outputBucket, names.metrics, "application/json", Readable.from([`${JSON.stringify({ source, ...metrics }, null, 2)}\n`]));
  log("INFO", `scored ${source}: accuracy ${metrics.accuracy.toFixed(3)} on ${metrics.testRows} held-out rows, ${metrics.predictedRows} rows predicted`, {
    source,
    ...metrics,
    output: names,
  });
  return { status: 200, body: { source, output: names, metrics } };
}

/** The HTTP server: `POST /` for pushes (bodies up to {@link MAX_REQUEST_BYTES}, else 413), `GET /healthz` for health checks. */
export function createServer(config: ScorerConfig, store: ObjectStore, log: Logger = structuredLog): http.Server {
  return pushServer(
    {
      maxBytes: MAX_REQUEST_BYTES,
      tooLarge: `the request body is over ${MAX_REQUEST_BYTES} bytes; a push of a Cloud Storage notification is a few KiB`,
      health: () => ({ status: "ok" }),
      handle: (body) => handlePush(body, config, store, log),
      failure: "failed",
    },
    log,
  );
}

if (require.main === module) {
  const outputBucket = process.env.OUTPUT_BUCKET;
  if (!outputBucket) {
    structuredLog("ERROR", "missing OUTPUT_BUCKET: the bucket the results are written to (the platform sets it)");
    process.exit(2);
  }
  const store = process.env.LOCAL_STORE_DIR ? localStore(process.env.LOCAL_STORE_DIR) : cloudStore();
  const server = createServer({ outputBucket, label: process.env.LABEL_COLUMN ?? "label" }, store);
  serve(server, "scorer", structuredLog);
}
