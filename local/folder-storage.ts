import * as fs from "fs";
import * as path from "path";
import { Gcs, parseGsUri } from "../images/etl/src/gcs";

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
    async upload(localPath, bucket, name) {
      fs.mkdirSync(path.dirname(file(bucket, name)), { recursive: true });
      fs.copyFileSync(localPath, file(bucket, name));
    },
    async delete(bucket, name) {
      fs.rmSync(file(bucket, name), { force: true });
    },
  };
}
