import { z } from "zod";
import { departureAt, Trip } from "./model";

/** Thrown for a body with no usable `correlationId` attribute (not JSON, none, empty): nobody to answer, the service answers 400. */
export class MalformedPush extends Error {}

/**
 * Thrown for a push that carries a usable `correlationId` attribute but no valid trip request (no data, data that is
 * not base64, not JSON, or not a trip request, no message id). The requester can be answered: the service publishes
 * an error answer with its correlation id.
 */
export class InvalidRequest extends Error {
  constructor(
    message: string,
    /** The requester's `correlationId` attribute. */
    readonly correlationId: string,
  ) {
    super(message);
  }
}

/** An IATA airport code: three capital letters, e.g. `SFO`. */
const airport = z.string().regex(/^[A-Z]{3}$/, "expected a three-letter IATA airport code, e.g. SFO");

/**
 * A trip request, the JSON a backend publishes to the request topic:
 * `{ "origin": "SFO", "destination": "LAX", "distance": 337, "departure": "2001-01-01T08:30" }`.
 * - `distance`: statute miles, more than 0 and at most 5,000 (the longest U.S. domestic nonstop routes are just
 *   under that; the training flights span 30 to 4,475 miles, and a linear model far outside them is a guess).
 * - `departure`: scheduled departure, local clock time at the origin, `YYYY-MM-DDTHH:MM` with no zone (the
 *   training data has none either); the date must exist.
 * Other keys are ignored.
 */
export const tripRequest = z
  .object({
    origin: airport,
    destination: airport,
    distance: z.number().positive().max(5000),
    departure: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, "expected a local date and time YYYY-MM-DDTHH:MM, e.g. 2001-01-01T08:30")
      .refine((s) => departureOf(s) !== undefined, "no such date or time"),
  })
  .refine((r) => r.origin !== r.destination, { message: "origin and destination are the same airport", path: ["destination"] });

export type TripRequest = z.infer<typeof tripRequest>;

/** The {@link Departure} of a `YYYY-MM-DDTHH:MM` string, or undefined when it does not exist. */
function departureOf(text: string) {
  const [y, mo, d, h, mi] = text.split(/[-T:]/).map(Number);
  return departureAt(y, mo, d, h, mi);
}

/** What the model predicts from, for a validated request. */
export function tripOfRequest(request: TripRequest): Trip {
  return { distance: request.distance, departure: departureOf(request.departure)! };
}

/**
 * What the requester is answered by: the `correlationId` attribute of a push request's message. An attribute value
 * holds at most 1,024 bytes (src: https://cloud.google.com/pubsub/quotas#resource_limits).
 */
const addressed = z.object({ message: z.object({ attributes: z.object({ correlationId: z.string().min(1).max(1024) }) }) });

/**
 * The rest of the push request body: `{ message: { data (base64), attributes, messageId, publishTime }, subscription }`
 * (src: https://cloud.google.com/pubsub/docs/push#receive_push). A message may carry attributes and no data (src:
 * `PubsubMessage` in https://cloud.google.com/pubsub/docs/reference/rest/v1/PubsubMessage: "must contain either a
 * non-empty data field or at least one attribute").
 */
const envelope = z.object({
  message: z.object({
    data: z
      .string({ error: "the message has no data: publish the trip request's JSON as the message data" })
      .min(1, "the message has no data: publish the trip request's JSON as the message data")
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, "the message data is not base64, as Pub/Sub push sends it"),
    messageId: z.string().min(1),
  }),
  subscription: z.string().optional(),
});

/** A push request, read and validated. */
export interface Pushed {
  /** The `correlationId` attribute the requester set; the result carries it back. */
  readonly correlationId: string;
  /** Pub/Sub's id of the request message (the same on every redelivery). */
  readonly messageId: string;
  readonly request: TripRequest;
}

const firstIssue = (error: z.ZodError) => {
  const issue = error.issues[0];
  return `${issue.path.join(".") || "(top level)"}: ${issue.message}`;
};

/**
 * Reads a push request: the `correlationId` attribute first, then the envelope and the trip request in the message data.
 * @throws MalformedPush (400) when the body is not JSON or has no usable `correlationId` attribute.
 * @throws InvalidRequest when the correlation id is readable but the rest is not a trip request (no data, data not
 * base64, not JSON, a missing or wrong field), naming the field.
 */
export function parsePush(body: string): Pushed {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new MalformedPush("the body is not JSON");
  }
  const address = addressed.safeParse(json);
  if (!address.success) throw new MalformedPush(`not a Pub/Sub push with a correlationId attribute: ${firstIssue(address.error)}`);
  const { correlationId } = address.data.message.attributes;
  const parsed = envelope.safeParse(json);
  if (!parsed.success) throw new InvalidRequest(`not a Pub/Sub push of a trip request: ${firstIssue(parsed.error)}`, correlationId);
  const { data, messageId } = parsed.data.message;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(data, "base64").toString("utf8"));
  } catch {
    throw new InvalidRequest("the message data is not base64-encoded JSON", correlationId);
  }
  const request = tripRequest.safeParse(payload);
  if (!request.success) throw new InvalidRequest(`not a trip request: ${firstIssue(request.error)}`, correlationId);
  return { correlationId, messageId, request: request.data };
}
