import { Storage } from "@google-cloud/storage";

/** The few Cloud Storage operations the jobs use; the real one talks to GCS, tests pass an in-memory one. */
export interface Gcs {
  /** Names of the objects under `prefix` in `bucket`. */
  list(bucket: string, prefix: string): Promise<string[]>;
  download(bucket: string, name: string, localPath: string): Promise<void>;
  /** Uploads a file as the object `name`, which exists, whole, once this resolves, and not before. */
  upload(localPath: string, bucket: string, name: string): Promise<void>;
  delete(bucket: string, name: string): Promise<void>;
}

/** A `gs://bucket/path` URI split into its bucket and object name (or prefix). */
export function parseGsUri(uri: string): { bucket: string; name: string } {
  const match = /^gs:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new Error(`"${uri}" is not a gs:// URI`);
  return { bucket: match[1], name: match[2] };
}

/** Cloud Storage with Application Default Credentials (the job's service account on Cloud Run). */
export function cloudStorage(storage = new Storage()): Gcs {
  return {
    async list(bucket, prefix) {
      const [files] = await storage.bucket(bucket).getFiles({ prefix });
      return files.map((f) => f.name);
    },
    async download(bucket, name, localPath) {
      await storage.bucket(bucket).file(name).download({ destination: localPath });
    },
    // Resumable, so an upload cut short (a stop past its deadline, a kill) leaves no object: "Only a completed
    // resumable upload appears in your bucket and, if applicable, replaces an existing object with the same name"
    // (src: https://cloud.google.com/storage/docs/resumable-uploads). It costs one more request per object.
    async upload(localPath, bucket, name) {
      await storage.bucket(bucket).upload(localPath, { destination: name, resumable: true });
    },
    async delete(bucket, name) {
      await storage.bucket(bucket).file(name).delete({ ignoreNotFound: true });
    },
  };
}
