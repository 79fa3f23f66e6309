import { PubSub, Topic } from "@google-cloud/pubsub";
import * as http from "http";
import * as path from "path";
import { createLogger, Logger, pushServer, serve } from "@cloudrun-pipelines/images-shared";
import { DataError, DelayModel, loadFlights, train } from "./model";
import { InvalidRequest, MalformedPush, parsePush, Pushed, tripOfRequest } from "./request";

/** Where results are published; tests pass an in-memory one. */
export interface Publisher {
  /**
   * Publishes one message.
   * @param topic full topic id, `projects/<project>/topics/<topic>`.
   * @returns the message id Pub/Sub assigned.
   */
  publish(topic: string, data: Buffer, attributes: Record<string, string>): Promise<string>;
}

/**
 * Pub/Sub with the service's own account (Application Default Credentials); the library sends to the emulator
 * when `PUBSUB_EMULATOR_HOST` is set. One `Topic` per name, publishing each message at once (no batching wait:
 * the push request waits for it).
 */
export function pubsubPublisher(pubsub = new PubSub(), deadlineMs = DEFAULT_PUBLISH_DEADLINE_SECONDS * 1000): Publisher {
  const topics = new Map<string, Topic>();
  return {
    publish(topic, data, attributes) {
      let t = topics.get(topic);
      // gaxOpts.timeout bounds the library's own publish retries too (src: `PublishOptions.gaxOpts` in @google-cloud/pubsub's publisher/index.d.ts).
      if (!t) topics.set(topic, (t = pubsub.topic(topic, { batching: { maxMessages: 1 }, gaxOpts: { timeout: deadlineMs } })));
      return t.publishMessage({ data, attributes });
    },
  };
}

/** The answer to a request the service cannot predict for: what is wrong with it, naming the field. */
export interface StreamError {
  readonly correlationId: string;
  readonly error: string;
}

/** The result published for one request (the JSON of the result message). */
export interface StreamResult {
  /** The request's `correlationId` attribute; the result message carries it as an attribute too. */
  readonly correlationId: string;
  /** Predicted delay in minutes, to a tenth; negative means early. */
  readonly predictedDelayMinutes: number;
  readonly model: {
    /** Flights the model was fitted on. */
    readonly trainedRows: number;
    /** The model's mean absolute error on held-out flights, in minutes, to a hundredth. */
    readonly maeMinutes: number;
  };
}

export interface StreamConfig {
  /** Full id of the topic results go to, `projects/<project>/topics/<topic>` (`RESULT_TOPIC`). */
  readonly resultTopic: string;
  /**
   * Longest wait for one answer to be published, in milliseconds (`PUBLISH_DEADLINE_SECONDS`, which the platform
   * sets to half the push subscription's ack deadline). Past it the push gets a 500, before Pub/Sub's own deadline
   * would redeliver the message while the first attempt is still publishing.
   */
  readonly publishDeadlineMs: number;
}

/** The publish deadline when `PUBLISH_DEADLINE_SECONDS` is not set (local runs): half the push default of 60 s. */
export const DEFAULT_PUBLISH_DEADLINE_SECONDS = 30;

/** Thrown when publishing an answer takes longer than the deadline (a 500: the message is redelivered). */
export class PublishTimeout extends Error {}

/** `promise`, or a {@link PublishTimeout} after `ms`, whichever comes first. */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PublishTimeout(`publishing the answer took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** The process's structured logger (see ./log): `RUN_ID`, when set, is the `run_id` label of every line. */
export const structuredLog: Logger = createLogger();

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** The result of a request: depends on the request and the model only, so a redelivered message gets the same one. */
export function resultOf(pushed: Pushed, model: DelayModel): StreamResult {
  return {
    correlationId: pushed.correlationId,
    predictedDelayMinutes: round(model.predict(tripOfRequest(pushed.request)), 1),
    model: { trainedRows: model.metrics.trainedRows, maeMinutes: round(model.metrics.maeMinutes, 2) },
  };
}

/**
 * Answers one push request, always by publishing to the result topic with the request's `correlationId` attribute:
 * - a valid trip request: its prediction ({@link StreamResult}); 200 once published;
 * - anything else with a readable `correlationId` attribute (no data, data not base64 or not JSON, a missing or wrong
 *   field): an error answer ({@link StreamError}) naming the field; 200 once published. Retrying would not make it
 *   valid, and the requester learns at once instead of timing out.
 *
 * 400 for a push with no usable correlation id (not JSON, no `correlationId` attribute): there is nobody to answer, so
 * it is logged and answered non-2xx; Pub/Sub retries it per the subscription's retry policy, then moves it to the
 * dead-letter topic (src: https://cloud.google.com/pubsub/docs/handling-failures). A publish failure is thrown,
 * for a 500: the message is redelivered, and since the answer is deterministic, the redelivery publishes the same
 * one (the requester may get it twice; it acknowledges every copy).
 */
export async function handlePush(
  body: string,
  config: StreamConfig,
  model: DelayModel,
  publisher: Publisher,
  log: Logger = structuredLog,
): Promise<{ status: number; body: object }> {
  const answer = async (answer: StreamResult | StreamError) =>
    withDeadline(publisher.publish(config.resultTopic, Buffer.from(JSON.stringify(answer)), { correlationId: answer.correlationId }), config.publishDeadlineMs);
  let pushed: Pushed;
  try {
    pushed = parsePush(body);
  } catch (err) {
    if (err instanceof MalformedPush) {
      log("WARNING", `rejected a push request: ${err.message}`);
      return { status: 400, body: { error: err.message } };
    }
    if (err instanceof InvalidRequest) {
      const refusal: StreamError = { correlationId: err.correlationId, error: err.message };
      const resultMessageId = await answer(refusal);
      log("WARNING", `invalid trip request, answered with an error: ${err.message}`, { correlationId: err.correlationId, resultMessageId });
      return { status: 200, body: { ...refusal, resultMessageId } };
    }
    throw err;
  }
  const result = resultOf(pushed, model);
  const resultMessageId = await answer(result);
  log(
    "INFO",
    `predicted ${result.predictedDelayMinutes} min of delay for ${pushed.request.origin}-${pushed.request.destination} at ${pushed.request.departure}`,
    {
      correlationId: pushed.correlationId,
      messageId: pushed.messageId,
      resultMessageId,
      predictedDelayMinutes: result.predictedDelayMinutes,
    },
  );
  return { status: 200, body: { ...result, resultMessageId } };
}

/**
 * Largest push request body read: 14,680,064 bytes (14 MiB). A Pub/Sub message holds at most 10 MB of data (src:
 * https://cloud.google.com/pubsub/quotas#resource_limits, "Message size"), and push sends it base64-encoded in JSON
 * (src: https://cloud.google.com/pubsub/docs/push#receive_push), which makes 10 MiB of data 13,981,016 characters;
 * the rest allows for the attributes (at most 100 of 256 + 1,024 bytes, the same page) and the envelope. So every push
 * Pub/Sub can send is read, and answered with its correlation id when it has one; a larger body is not from Pub/Sub
 * and gets a 413 before it is read (from its Content-Length), or as soon as it goes over.
 */
export const MAX_REQUEST_BYTES = 14 * 1024 * 1024;

/** The HTTP server: `POST /` for pushes (bodies up to {@link MAX_REQUEST_BYTES}, else 413), `GET /healthz` for health checks. */
export function createServer(config: StreamConfig, model: DelayModel, publisher: Publisher, log: Logger = structuredLog): http.Server {
  return pushServer(
    {
      maxBytes: MAX_REQUEST_BYTES,
      tooLarge: `the request body is over ${MAX_REQUEST_BYTES} bytes, more than a push of a Pub/Sub message (at most 10 MB of data) can be`,
      health: () => ({ status: "ok", model: model.metrics }),
      handle: (body) => handlePush(body, config, model, publisher, log),
      failure: "failed to publish the result",
    },
    log,
  );
}

/** `RESULT_TOPIC`'s form. */
export const TOPIC_ID = /^projects\/[^/]+\/topics\/[^/]+$/;

/** The training data: `DATA_FILE`, else the file of the `vega-datasets` package (local runs; the image sets `DATA_FILE`). */
export function dataFile(env: NodeJS.ProcessEnv): string {
  // The package exports its code only, not its data files: resolve the code, then walk to data/.
  return env.DATA_FILE || path.join(path.dirname(require.resolve("vega-datasets")), "..", "data", "flights-10k.json");
}

if (require.main === module) {
  const resultTopic = process.env.RESULT_TOPIC ?? "";
  if (!TOPIC_ID.test(resultTopic)) {
    structuredLog("ERROR", `RESULT_TOPIC "${resultTopic}": expected the full id of the result topic, projects/<project>/topics/<topic> (the platform sets it)`);
    process.exit(2);
  }
  let model: DelayModel;
  try {
    const file = dataFile(process.env);
    model = train(loadFlights(file));
    structuredLog(
      "INFO",
      `trained on ${model.metrics.trainedRows} flights of ${file}: MAE ${model.metrics.maeMinutes.toFixed(2)} min on ${model.metrics.testRows} held-out flights (always the mean: ${model.metrics.baselineMaeMinutes.toFixed(2)} min)`,
      { model: model.metrics },
    );
  } catch (err) {
    structuredLog("ERROR", err instanceof DataError ? err.message : `cannot train: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  }
  const deadline = process.env.PUBLISH_DEADLINE_SECONDS ?? String(DEFAULT_PUBLISH_DEADLINE_SECONDS);
  if (!/^\d+$/.test(deadline) || Number(deadline) < 1) {
    structuredLog(
      "ERROR",
      `PUBLISH_DEADLINE_SECONDS "${deadline}": expected a whole number of seconds, at least 1 (the platform sets half the push ack deadline)`,
    );
    process.exit(2);
  }
  const publishDeadlineMs = Number(deadline) * 1000;
  const server = createServer({ resultTopic, publishDeadlineMs }, model, pubsubPublisher(undefined, publishDeadlineMs));
  serve(server, "stream", structuredLog);
}
