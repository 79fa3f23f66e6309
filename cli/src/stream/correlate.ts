/**
 * The request/answer logic of the streaming client, over a small Pub/Sub interface: publish a request with a
 * correlation id, then pull the result subscription until the answer with that id arrives. The result
 * subscription is shared by every requester, so a client acknowledges only its own answer and hands every other
 * message straight back (ack deadline 0) for its owner to pull.
 */
import { CORRELATION_ATTRIBUTE } from "../contract/stream";

/** A message as a synchronous pull returns it. */
export interface Received {
  /** The id to acknowledge or modify this delivery with (each delivery of a message has its own). */
  readonly ackId: string;
  readonly messageId: string;
  readonly data: Buffer;
  readonly attributes: Readonly<Record<string, string>>;
}

/** The Pub/Sub calls the client makes; tests pass an in-memory one. */
export interface Bus {
  /** Publishes one message to a topic (`projects/<p>/topics/<t>`). @returns its message id. */
  publish(topic: string, data: Buffer, attributes: Record<string, string>): Promise<string>;
  /**
   * One synchronous pull of at most `maxMessages` from a subscription (`projects/<p>/subscriptions/<s>`),
   * waiting at most `timeoutMs` for a message; none when the wait runs out.
   */
  pull(subscription: string, maxMessages: number, timeoutMs: number): Promise<Received[]>;
  /** Acknowledges deliveries: Pub/Sub will not deliver those messages again. */
  ack(subscription: string, ackIds: readonly string[]): Promise<void>;
  /** Sets the ack deadline of deliveries to 0 s (ModifyAckDeadline 0): Pub/Sub delivers them again at once, to whoever pulls next. */
  nack(subscription: string, ackIds: readonly string[]): Promise<void>;
}

/**
 * Publishes a request: its JSON as the message data, the correlation id as the `correlationId` attribute.
 * @returns the message id.
 */
export function publishRequest(bus: Bus, topic: string, request: unknown, correlationId: string): Promise<string> {
  return bus.publish(topic, Buffer.from(JSON.stringify(request)), { [CORRELATION_ATTRIBUTE]: correlationId });
}

/** How {@link awaitAnswer} waits. */
export interface WaitOptions {
  /** How long to wait for the answer in all, in milliseconds. */
  readonly timeoutMs: number;
  /** Messages per pull. @default 10 (Pub/Sub allows up to 1,000 per pull; src: https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.subscriptions/pull) */
  readonly maxMessages?: number;
  /** Longest single pull, in milliseconds (the wait is split into pulls of at most this). @default 10000 */
  readonly pullMs?: number;
  /**
   * Pause after a pull that did not bring the answer, in milliseconds: first, and the most it doubles to. It gives
   * the owners of the messages handed back a chance to pull them before this client does again.
   * @default { first: 100, max: 1000 }
   */
  readonly pauseMs?: { readonly first: number; readonly max: number };
  /** The clock, in milliseconds. @default Date.now */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The outcome of a wait. */
export type WaitOutcome =
  | {
      readonly kind: "answer";
      /** The answer's JSON. */
      readonly answer: unknown;
      readonly messageId: string;
      /** Copies of the answer acknowledged besides the first (a redelivered request publishes its answer again). */
      readonly duplicates: number;
      /** Deliveries of other requesters' messages handed back. */
      readonly handedBack: number;
    }
  | { readonly kind: "timeout"; readonly handedBack: number };

/** Thrown when this client's answer is not JSON (it was acknowledged: waiting longer would not bring another). */
export class BadAnswer extends Error {}

/**
 * Pulls `subscription` until the message whose `correlationId` attribute is `correlationId` arrives, or the
 * timeout passes. Acknowledges that message (and any copy of it in the same pull), and only those; every other
 * message (another requester's answer, or one without the attribute) gets its ack deadline set to 0 so it is
 * redelivered at once to whoever pulls next, and is never acknowledged here.
 * @throws BadAnswer when the answer's data is not JSON; errors of the bus as they come.
 */
export async function awaitAnswer(bus: Bus, subscription: string, correlationId: string, options: WaitOptions): Promise<WaitOutcome> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { first, max } = options.pauseMs ?? { first: 100, max: 1000 };
  const deadline = now() + options.timeoutMs;
  let pause = first;
  let handedBack = 0;
  for (let remaining = options.timeoutMs; remaining > 0; remaining = deadline - now()) {
    const messages = await bus.pull(subscription, options.maxMessages ?? 10, Math.min(remaining, options.pullMs ?? 10_000));
    const mine = messages.filter((m) => m.attributes[CORRELATION_ATTRIBUTE] === correlationId);
    const others = messages.filter((m) => m.attributes[CORRELATION_ATTRIBUTE] !== correlationId);
    if (others.length > 0) {
      await bus.nack(
        subscription,
        others.map((m) => m.ackId),
      );
      handedBack += others.length;
    }
    if (mine.length > 0) {
      await bus.ack(
        subscription,
        mine.map((m) => m.ackId),
      );
      const text = mine[0].data.toString("utf8");
      try {
        return { kind: "answer", answer: JSON.parse(text), messageId: mine[0].messageId, duplicates: mine.length - 1, handedBack };
      } catch {
        throw new BadAnswer(`the answer to ${correlationId} (message ${mine[0].messageId}) is not JSON: ${text.slice(0, 200)}`);
      }
    }
    const left = deadline - now();
    if (left <= 0) break;
    await sleep(Math.min(pause, left));
    pause = Math.min(pause * 2, max);
  }
  return { kind: "timeout", handedBack };
}
