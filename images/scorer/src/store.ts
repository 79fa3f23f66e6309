import { Storage } from "@google-cloud/storage";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { Readable } from "stream";
import { pipeline } from "stream/promises";
import { ObjectRef } from "./push";

/** An object name that would leave the local store's folder (`..`, an absolute path). */
export class BadObjectName extends Error {}

/** The object storage the scorer reads from and writes to; tests pass an in-memory one. */
export interface ObjectStore {
  /** The object's size in bytes at that generation, from its metadata: none of its content is read. */
  size(object: ObjectRef): Promise<number>;
  /** The object's content at that generation, as a stream. */
  read(object: ObjectRef): Readable;
  /** Whether `name` exists in `bucket`: as {@link write} goes, only as a whole object. */
  exists(bucket: string, name: string): Promise<boolean>;
  /**
   * Writes `content` to `name` in `bucket`. The object appears, whole, only once all of `content` is written: when
   * writing fails, nothing is left under that name (an earlier object of that name stays as it was).
   */
  write(bucket: string, name: string, contentType: string, content: Readable): Promise<void>;
}

/**
 * Cloud Storage with the service's own account (Application Default Credentials). Reads are of the notified
 * generation. Writes are resumable uploads, streamed: "only a completed resumable upload appears in your bucket"
 * (src: https://cloud.google.com/storage/docs/resumable-uploads), and an existence check after an upload sees it
 * (Cloud Storage is strongly consistent for read-after-write, src: https://cloud.google.com/storage/docs/consistency).
 */
export function cloudStore(storage = new Storage()): ObjectStore {
  const file = (object: ObjectRef) => storage.bucket(object.bucket).file(object.name, { generation: Number(object.generation) });
  return {
    async size(object) {
      const [metadata] = await file(object).getMetadata();
      return Number(metadata.size);
    },
    read: (object) => file(object).createReadStream(),
    async exists(bucket, name) {
      const [exists] = await storage.bucket(bucket).file(name).exists();
      return exists;
    },
    async write(bucket, name, contentType, content) {
      await pipeline(content, storage.bucket(bucket).file(name).createWriteStream({ resumable: true, contentType }));
    },
  };
}

/**
 * A local folder standing in for Cloud Storage, for local runs: `gs://<bucket>/<name>` is `<dir>/<bucket>/<name>`
 * (generations are not kept). A write goes to a `.part` file beside the target and is renamed onto it once complete
 * (rename replaces the target atomically, src: https://man7.org/linux/man-pages/man2/rename.2.html).
 * @throws BadObjectName for a bucket or object name that would resolve outside `dir`.
 */
export function localStore(dir: string): ObjectStore {
  const root = path.resolve(dir);
  const inside = (bucket: string, name: string) => {
    const file = path.resolve(root, bucket, name);
    if (bucket === "" || bucket.includes("/") || !file.startsWith(`${root}${path.sep}${bucket}${path.sep}`)) {
      throw new BadObjectName(`gs://${bucket}/${name} leaves the local store's folder ${root}`);
    }
    return file;
  };
  return {
    size: async (object) => fs.statSync(inside(object.bucket, object.name)).size,
    read: (object) => fs.createReadStream(inside(object.bucket, object.name)),
    exists: async (bucket, name) => fs.existsSync(inside(bucket, name)),
    async write(bucket, name, _contentType, content) {
      const file = inside(bucket, name);
      const part = `${file}.${randomUUID()}.part`;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      try {
        await pipeline(content, fs.createWriteStream(part));
        fs.renameSync(part, file);
      } catch (err) {
        fs.rmSync(part, { force: true });
        throw err;
      }
    },
  };
}
