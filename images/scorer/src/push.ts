import { z } from "zod";

/** The GCS object a notification names. */
export interface ObjectRef {
  readonly bucket: string;
  readonly name: string;
  readonly generation: string;
}

/** What to do with a push request. */
export type PushEvent = { readonly kind: "score"; readonly object: ObjectRef } | { readonly kind: "ignore"; readonly reason: string };

/** Thrown for a request that is not a Pub/Sub push of a GCS notification: the service answers 400. */
export class MalformedPush extends Error {}

/**
 * The push request body: `{ message: { data (base64), attributes, messageId, publishTime }, subscription }`
 * (src: https://cloud.google.com/pubsub/docs/push#receive_push). A GCS notification carries the event in its
 * attributes: `eventType`, `bucketId`, `objectId`, `objectGeneration`, `payloadFormat`
 * (src: https://cloud.google.com/storage/docs/pubsub-notifications#attributes).
 */
const envelope = z.object({
  message: z.object({
    attributes: z.object({
      eventType: z.string(),
      bucketId: z.string().min(1),
      objectId: z.string().min(1),
      objectGeneration: z.string().regex(/^\d+$/),
    }),
    messageId: z.string().optional(),
  }),
  subscription: z.string().optional(),
});

/**
 * Reads a push request: a finalized `.csv` object is to be scored; another event or object is acknowledged and ignored.
 * @throws MalformedPush naming what is missing.
 */
export function parsePush(body: string): PushEvent {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new MalformedPush("the body is not JSON");
  }
  const parsed = envelope.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MalformedPush(`not a Pub/Sub push of a GCS notification: ${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  const { eventType, bucketId, objectId, objectGeneration } = parsed.data.message.attributes;
  if (eventType !== "OBJECT_FINALIZE") return { kind: "ignore", reason: `event ${eventType} of gs://${bucketId}/${objectId} is not OBJECT_FINALIZE` };
  if (!objectId.toLowerCase().endsWith(".csv")) return { kind: "ignore", reason: `gs://${bucketId}/${objectId} is not a .csv object` };
  return { kind: "score", object: { bucket: bucketId, name: objectId, generation: objectGeneration } };
}

/**
 * Where the results of one object version go: `<object name without .csv>/<generation>/predictions.csv` and
 * `metrics.json`, so a redelivered message rewrites the same two objects.
 */
export function resultNames(object: ObjectRef): { predictions: string; metrics: string } {
  const base = `${object.name.replace(/\.csv$/i, "")}/${object.generation}`;
  return { predictions: `${base}/predictions.csv`, metrics: `${base}/metrics.json` };
}
