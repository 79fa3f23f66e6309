import { createHash } from "crypto";
import { PlannedNotification } from "./plan";

/** A finalized object of a local bucket folder. */
export interface LocalObject {
  readonly bucket: string;
  /** Object name: the path under the bucket's folder, with `/` separators. */
  readonly name: string;
  readonly content: Buffer;
  /** When the file was last written. */
  readonly updated: Date;
}

/** The Pub/Sub message GCS publishes for an event. */
export interface NotificationMessage {
  readonly data: Buffer;
  readonly attributes: Record<string, string>;
}

/**
 * The object's generation: GCS gives every write of an object a new, larger generation number; locally, the
 * file's write time in microseconds since the epoch, so a rewrite gets a larger one.
 */
export function generationOf(updated: Date): string {
  return String(updated.getTime() * 1000);
}

/**
 * Whether a notification configuration sends this event for this object: its event types (empty means all) and
 * its object name prefix (src: https://cloud.google.com/storage/docs/json_api/v1/notifications, `event_types[]`,
 * `object_name_prefix`).
 */
export function notifies(config: PlannedNotification, eventType: string, object: Pick<LocalObject, "bucket" | "name">): boolean {
  return (
    config.bucket === object.bucket &&
    (config.eventTypes.length === 0 || config.eventTypes.includes(eventType)) &&
    object.name.startsWith(config.objectNamePrefix ?? "")
  );
}

/**
 * The message GCS publishes when an object is finalized (src: https://cloud.google.com/storage/docs/pubsub-notifications):
 * - attributes `notificationConfig` (`projects/_/buckets/<bucket>/notificationConfigs/<id>`; the id is GCS's, here
 *   `local`), `eventType` (`OBJECT_FINALIZE`), `payloadFormat`, `bucketId`, `objectId`, `objectGeneration`,
 *   `eventTime` (RFC 3339);
 * - data: with `JSON_API_V1`, the object's metadata as the JSON API's object resource
 *   (src: https://cloud.google.com/storage/docs/json_api/v1/objects#resource): `kind`, `id`, `selfLink`,
 *   `mediaLink`, `name`, `bucket`, `generation`, `metageneration`, `contentType`, `timeCreated`, `updated`,
 *   `storageClass`, `size`, `md5Hash`, `etag`. `crc32c` is left out (Node has no CRC32C). With `NONE`, no data.
 * The overwrite attributes (`overwroteGeneration`) are not sent: a local file's earlier generation is not kept.
 * @example
 * const message = finalizeMessage(plan.notifications[0], { bucket: "in", name: "a.csv", content: Buffer.from("x\n"), updated: new Date() });
 * await pubsub.topic(plan.notifications[0].topic).publishMessage(message);
 */
export function finalizeMessage(config: PlannedNotification, object: LocalObject): NotificationMessage {
  const generation = generationOf(object.updated);
  const time = object.updated.toISOString();
  const attributes = {
    notificationConfig: `projects/_/buckets/${object.bucket}/notificationConfigs/local`,
    eventType: "OBJECT_FINALIZE",
    payloadFormat: config.payloadFormat,
    bucketId: object.bucket,
    objectId: object.name,
    objectGeneration: generation,
    eventTime: time,
  };
  if (config.payloadFormat === "NONE") return { data: Buffer.alloc(0), attributes };
  const encoded = encodeURIComponent(object.name);
  const resource = {
    kind: "storage#object",
    id: `${object.bucket}/${object.name}/${generation}`,
    selfLink: `https://www.googleapis.com/storage/v1/b/${object.bucket}/o/${encoded}`,
    mediaLink: `https://storage.googleapis.com/download/storage/v1/b/${object.bucket}/o/${encoded}?generation=${generation}&alt=media`,
    name: object.name,
    bucket: object.bucket,
    generation,
    metageneration: "1",
    contentType: object.name.toLowerCase().endsWith(".csv") ? "text/csv" : "application/octet-stream",
    timeCreated: time,
    updated: time,
    storageClass: "STANDARD",
    size: String(object.content.length),
    md5Hash: createHash("md5").update(object.content).digest("base64"),
    etag: createHash("sha1").update(`${object.name}#${generation}`).digest("base64").slice(0, 12),
  };
  return { data: Buffer.from(JSON.stringify(resource)), attributes };
}
