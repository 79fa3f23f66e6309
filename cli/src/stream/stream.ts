import { PubSub, v1 } from "@google-cloud/pubsub";
import * as fs from "fs";
import { BadInput } from "../errors";
import { streamingOutputs } from "../contract/outputs";
import { tripRequest } from "../contract/stream";
import { readOutputsJson } from "../project/outputs";
import { Bus, Received } from "./correlate";

/** gRPC status DEADLINE_EXCEEDED: a pull that waited its whole time without a message. */
const DEADLINE_EXCEEDED = 4;

/**
 * Pub/Sub with Application Default Credentials. The library sends to the emulator when `PUBSUB_EMULATOR_HOST` is
 * set (host:port, plaintext, no credentials); the synchronous-pull client is built from the same client config
 * (`PubSub#getClientConfig`), so it follows the emulator too (a bare `v1.SubscriberClient` would not).
 * Pull, acknowledge and modifyAckDeadline are the v1 `Subscriber` RPCs
 * (src: https://cloud.google.com/pubsub/docs/reference/rpc/google.pubsub.v1#subscriber).
 */
export function pubsubBus(pubsub = new PubSub()): Bus & { close(): Promise<void> } {
  let subscriber: Promise<v1.SubscriberClient> | undefined;
  // ClientConfig types `port` as string | number; determineBaseUrl_ sets it with parseInt, so it is a number.
  const client = () =>
    (subscriber ??= pubsub.getClientConfig().then((config) => new v1.SubscriberClient(config as ConstructorParameters<typeof v1.SubscriberClient>[0])));
  return {
    publish: (topic, data, attributes) => pubsub.topic(topic).publishMessage({ data, attributes }),
    async pull(subscription, maxMessages, timeoutMs) {
      try {
        const [response] = await (await client()).pull({ subscription, maxMessages }, { timeout: timeoutMs });
        return (response.receivedMessages ?? []).map((r): Received => ({
          ackId: r.ackId ?? "",
          messageId: r.message?.messageId ?? "",
          data: Buffer.from(r.message?.data ?? ""),
          attributes: { ...(r.message?.attributes ?? {}) },
        }));
      } catch (err) {
        if ((err as { code?: number }).code === DEADLINE_EXCEEDED) return [];
        throw err;
      }
    },
    async ack(subscription, ackIds) {
      await (await client()).acknowledge({ subscription, ackIds: [...ackIds] });
    },
    async nack(subscription, ackIds) {
      await (await client()).modifyAckDeadline({ subscription, ackIds: [...ackIds], ackDeadlineSeconds: 0 });
    },
    async close() {
      await pubsub.close();
      if (subscriber) await (await subscriber).close();
    },
  };
}

/** The streaming entry of a stack's outputs. @throws BadInput naming the source and the field. */
export function streamingOf(stack: string, file?: string): { requestTopic: string; resultSubscription: string } {
  const { json, from } = readOutputsJson(stack, file);
  const parsed = streamingOutputs.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadInput(`--outputs: ${from} has no streaming pipeline: ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data.pipelines.streaming;
}

/** The request in `--file`: JSON, and a valid trip request (the service would refuse anything else with 422). */
export function readRequest(file: string): unknown {
  if (!fs.existsSync(file)) throw new BadInput(`--file: no such file ${file}`);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    throw new BadInput(`--file: ${file} is not JSON`);
  }
  const parsed = tripRequest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadInput(`--file: ${file} is not a trip request: ${issue.path.join(".") || "(top level)"}: ${issue.message}`);
  }
  return json;
}
