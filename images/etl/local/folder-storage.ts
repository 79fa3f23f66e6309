import * as fs from "fs";
import * as path from "path";
import { Gcs, parseGsUri } from "../src/gcs";

/**
 * The local file of a `gs://<bucket>/<name>` URI (a wildcard stays a wildcard): `<storeDir>/<bucket>/<name>`, the
 * layout the scorer's `LOCAL_STORE_DIR` uses too.
 */
export function localPath(storeDir: string, uri: string): string {
  const { bucket, name } = parseGsUri(uri);
  return path.join(storeDir, bucket, ...name.split("/"));
}

/**
 * The ETL's {@link Gcs} on a folder: bucket `b` is `<storeDir>/b`, object names are paths under it.
 * @example
 * const names = await folderStorage(".local/gcs").list("my-bucket", "flights/");
 */
export function folderStorage(storeDir: string): Gcs {
  const file = (bucket: string, name: string) => path.join(storeDir, bucket, ...name.split("/"));
  return {
    async list(bucket, prefix) {
      const root = path.join(storeDir, bucket);
      if (!fs.existsSync(root)) return [];
      const names = (fs.readdirSync(root, { recursive: true }) as string[])
        .map((n) => n.split(path.sep).join("/"))
        .filter((n) => fs.statSync(path.join(root, n)).isFile());
      return names.filter((n) => n.startsWith(prefix)).sort();
    },
    async download(bucket, name, localPath) {
      fs.copyFileSync(file(bucket, name), localPath);
    },
    // Copied beside the target under a hidden name, then renamed over it: the object appears whole or not at all,
    // as a resumable upload does in Cloud Storage (rename(2) replaces the target atomically,
    // src: https://man7.org/linux/man-pages/man2/rename.2.html).
    async upload(localPath, bucket, name) {
      const target = file(bucket, name);
      const partial = path.join(path.dirname(target), `.${path.basename(target)}.partial`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(localPath, partial);
      fs.renameSync(partial, target);
    },
    async delete(bucket, name) {
      fs.rmSync(file(bucket, name), { force: true });
    },
  };
}
