import * as fs from "fs";
import * as path from "path";
import { Gcs, parseGsUri } from "./gcs";

/** Input formats extract reads, by file extension. */
export const FORMATS = { ".csv": "csv", ".parquet": "parquet", ".json": "json", ".jsonl": "json", ".ndjson": "json" } as const;
export type Format = (typeof FORMATS)[keyof typeof FORMATS];

/** The format of a file from its extension. @throws Error naming the supported extensions. */
export function formatOf(file: string): Format {
  const format = FORMATS[path.extname(file).toLowerCase() as keyof typeof FORMATS];
  if (!format) throw new Error(`cannot tell the format of "${file}": use one of ${Object.keys(FORMATS).join(", ")}`);
  return format;
}

/**
 * Brings a source to local files: an https:// URL (sent `Authorization: Bearer <token>` when a token is given) or
 * gs:// object is downloaded into `dir`; a gs:// prefix (ending
 * in `/`) or a local folder gives every file with a supported extension under it; a local file is used in place.
 * Aborting `stop` cuts an https download short (fetch's `signal`).
 * @throws Error when the source does not exist or holds no readable file.
 */
export async function localFiles(source: string, dir: string, gcs: () => Gcs, token?: string, stop?: AbortSignal): Promise<string[]> {
  if (source.startsWith("https://")) {
    let response: Response;
    try {
      response = await fetch(source, { ...(token && { headers: { Authorization: `Bearer ${token}` } }), signal: stop });
    } catch (err) {
      if (stop?.aborted && err === stop.reason) throw err; // cut short by a stop: the caller says so
      // fetch rejects with "fetch failed"; the reason (DNS, refused, TLS) is its cause.
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`cannot download ${source}: the source is unreachable (${cause?.code ?? cause?.message ?? (err as Error).message})`, { cause: err });
    }
    if (!response.ok) throw new Error(`cannot download ${source}: HTTP ${response.status} ${response.statusText}`.trimEnd());
    const file = path.join(dir, path.basename(new URL(source).pathname) || "source");
    fs.writeFileSync(file, Buffer.from(await response.arrayBuffer()));
    return [file];
  }
  if (source.startsWith("gs://")) {
    const { bucket, name } = parseGsUri(source);
    const names = name.endsWith("/") || name === "" ? (await gcs().list(bucket, name)).filter(hasFormat) : [name];
    if (names.length === 0) throw new Error(`no ${Object.keys(FORMATS).join("/")} objects under ${source}`);
    return Promise.all(
      names.map(async (n, i) => {
        const file = path.join(dir, `${i}-${path.basename(n)}`);
        try {
          await gcs().download(bucket, n, file);
        } catch (err) {
          throw new Error(`cannot download gs://${bucket}/${n}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        }
        return file;
      }),
    );
  }
  if (!fs.existsSync(source)) throw new Error(`cannot read ${source}: no such file or folder`);
  if (!fs.statSync(source).isDirectory()) return [source];
  const files = fs
    .readdirSync(source)
    .filter(hasFormat)
    .sort()
    .map((f) => path.join(source, f));
  if (files.length === 0) throw new Error(`no ${Object.keys(FORMATS).join("/")} files in ${source}`);
  return files;
}

function hasFormat(name: string): boolean {
  return path.extname(name).toLowerCase() in FORMATS;
}

/**
 * Makes `prefix` (a gs:// URI or local folder ending in `/`) hold exactly `files` (object name → local path,
 * uploaded, or moved into a local folder), so a re-run with the same parameters leaves the same objects. The new
 * objects go in first, each replacing the object of its name in one step, and only then are the objects under
 * `prefix` that are not among them deleted: a stop in between never leaves the prefix empty, and where the names are
 * the same as before (one file per day, the usual case) it holds the old objects or the new ones, never a mix.
 * - gs://: a resumable upload (./gcs) appears only once complete and then replaces the object of its name (src:
 *   https://cloud.google.com/storage/docs/resumable-uploads), readable at once, new or replaced (src:
 *   https://cloud.google.com/storage/docs/consistency, "whether you create a new object or overwrite an existing
 *   object").
 * - a local folder: each file is renamed into place, which replaces the target atomically (src: rename(2),
 *   https://man7.org/linux/man-pages/man2/rename.2.html), or copied to a hidden name beside it and renamed from
 *   there when the two are on different file systems.
 */
export async function replaceUnder(prefix: string, files: ReadonlyMap<string, string>, gcs: () => Gcs): Promise<void> {
  if (prefix.startsWith("gs://")) {
    const { bucket, name } = parseGsUri(prefix);
    const client = gcs();
    await Promise.all([...files].map(([object, file]) => client.upload(file, bucket, `${name}${object}`)));
    const kept = new Set([...files.keys()].map((object) => `${name}${object}`));
    await Promise.all((await client.list(bucket, name)).filter((n) => !kept.has(n)).map((n) => client.delete(bucket, n)));
    return;
  }
  fs.mkdirSync(prefix, { recursive: true });
  for (const [object, file] of files) moveFile(file, path.join(prefix, object));
  for (const entry of fs.readdirSync(prefix)) if (!files.has(entry)) fs.rmSync(path.join(prefix, entry), { recursive: true, force: true });
}

/** The `date=YYYY-MM-DD` partitions under `prefix` (a gs:// URI or local folder ending in `/`), sorted. */
export async function partitionsUnder(prefix: string, gcs: () => Gcs): Promise<string[]> {
  let names: string[];
  if (prefix.startsWith("gs://")) {
    const { bucket, name } = parseGsUri(prefix);
    names = (await gcs().list(bucket, name)).map((n) => n.slice(name.length));
  } else {
    names = fs.existsSync(prefix) ? fs.readdirSync(prefix) : [];
  }
  return [...new Set(names.map((n) => /^(date=\d{4}-\d{2}-\d{2})(\/|$)/.exec(n)?.[1]).filter((p): p is string => p !== undefined))].sort();
}

/** Deletes everything under `prefix` (a gs:// URI or local folder ending in `/`). */
export async function removeUnder(prefix: string, gcs: () => Gcs): Promise<void> {
  if (prefix.startsWith("gs://")) {
    const { bucket, name } = parseGsUri(prefix);
    const client = gcs();
    await Promise.all((await client.list(bucket, name)).map((n) => client.delete(bucket, n)));
    return;
  }
  fs.rmSync(prefix, { recursive: true, force: true });
}

/** Moves a file into place in one step (rename), through a hidden copy beside the target where a rename cannot cross file systems. */
function moveFile(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
    const partial = path.join(path.dirname(to), `.${path.basename(to)}.partial`);
    fs.copyFileSync(from, partial);
    fs.renameSync(partial, to);
  }
}
