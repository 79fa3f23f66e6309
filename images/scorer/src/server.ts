import { Storage } from "@google-cloud/storage";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { createLogger, Logger } from "./log";
import { DataError, Row, score } from "./model";
import { MalformedPush, ObjectRef, parsePush, resultNames } from "./push";
import { stopOnSignal, stoppableServer } from "./shutdown";

/**
 * Largest CSV the scorer reads: 10 MiB. The CSV is parsed whole into rows of strings and then into matrices, so
 * memory grows with the input many times over (issue #12 measured a 50 MB CSV peaking at 1.2 GiB, about 24 times its
 * size; not re-measured here): 10 MiB keeps the peak near 256 MiB, well inside the service's 1 GiB. A larger object
 * gets a 422 (no retry helps); split it into several CSVs.
 */
export const MAX_INPUT_BYTES = 10 * 1024 * 1024;

/**
 * Largest push request body read: 1 MiB. A GCS notification carries the object's metadata (a few KiB) and Pub/Sub
 * push wraps it in base64; a larger body is not a notification of ours and gets a 413 without being read further.
 */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** An object larger than {@link MAX_INPUT_BYTES}, refused before it is read. */
export class InputTooLarge extends Error {}

const tooLarge = (size: number | string | undefined, maxBytes: number) =>
  new InputTooLarge(`the object is ${size} bytes, over the scorer's limit of ${maxBytes}; split it into smaller CSVs`);

/** An object name that would leave the local store's folder (`..`, an absolute path). */
export class BadObjectName extends Error {}

/** The object storage the scorer reads from and writes to; tests pass an in-memory one. */
export interface ObjectStore {
  /** The object's content at that generation. @throws InputTooLarge, before reading, when it is larger than `maxBytes`. */
  read(object: ObjectRef, maxBytes: number): Promise<Buffer>;
  write(bucket: string, name: string, content: string, contentType: string): Promise<void>;
}

/** Cloud Storage with the service's own account (Application Default Credentials). */
export function cloudStore(storage = new Storage()): ObjectStore {
  return {
    async read(object, maxBytes) {
      const file = storage.bucket(object.bucket).file(object.name, { generation: Number(object.generation) });
      const [metadata] = await file.getMetadata();
      if (Number(metadata.size) > maxBytes) throw tooLarge(metadata.size, maxBytes);
      const [content] = await file.download();
      return content;
    },
    async write(bucket, name, content, contentType) {
      await storage.bucket(bucket).file(name).save(content, { contentType, resumable: false });
    },
  };
}

/**
 * A local folder standing in for Cloud Storage, for local runs: `gs://<bucket>/<name>` is `<dir>/<bucket>/<name>`
 * (generations are not kept).
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
    async read(object, maxBytes) {
      const file = inside(object.bucket, object.name);
      const { size } = fs.statSync(file);
      if (size > maxBytes) throw tooLarge(size, maxBytes);
      return fs.readFileSync(file);
    },
    async write(bucket, name, content) {
      const file = inside(bucket, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    },
  };
}

export interface ScorerConfig {
  /** Bucket the results are written to (`OUTPUT_BUCKET`). */
  readonly outputBucket: string;
  /** Column to predict (`LABEL_COLUMN`). */
  readonly label: string;
}

/** The process's structured logger (see ./log): `RUN_ID`, when set, is the `run_id` label of every line. */
export const structuredLog: Logger = createLogger();

/**
 * Answers one push request. 200 once both results are written; 204 for an event that is ignored (acknowledged);
 * 400 for a malformed request or an object name the store refuses, and 422 for a CSV that cannot be scored (any
 * parse error, a duplicated header, too large: all logged; Pub/Sub retries and then dead-letters them); 500 when
 * reading or writing fails (retried).
 */
export async function handlePush(
  body: string,
  config: ScorerConfig,
  store: ObjectStore,
  log: Logger = structuredLog,
): Promise<{ status: number; body: object }> {
  let event;
  try {
    event = parsePush(body);
  } catch (err) {
    if (!(err instanceof MalformedPush)) throw err;
    log("WARNING", `rejected a push request: ${err.message}`);
    return { status: 400, body: { error: err.message } };
  }
  if (event.kind === "ignore") {
    log("INFO", `ignored: ${event.reason}`);
    return { status: 204, body: {} };
  }
  const source = `gs://${event.object.bucket}/${event.object.name}#${event.object.generation}`;
  let result;
  try {
    const content = await store.read(event.object, MAX_INPUT_BYTES);
    if (content.length > MAX_INPUT_BYTES) throw tooLarge(content.length, MAX_INPUT_BYTES);
    const rows = parseCsv(content);
    if (rows.length === 0) throw new DataError("the CSV has no rows");
    result = score(rows, config.label);
  } catch (err) {
    if (err instanceof BadObjectName) {
      log("WARNING", `rejected a push request: ${err.message}`, { source });
      return { status: 400, body: { error: err.message } };
    }
    if (!(err instanceof DataError) && !(err instanceof InputTooLarge)) throw err;
    log("ERROR", `cannot score ${source}: ${err.message}`, { source });
    return { status: 422, body: { error: err.message } };
  }
  const names = resultNames(event.object);
  await store.write(config.outputBucket, names.predictions, stringify(result.predictions, { header: true }), "text/csv");
  await store.write(config.outputBucket, names.metrics, `${JSON.stringify({ source, ...result.metrics }, null, 2)}\n`, "application/json");
  log(
    "INFO",
    `scored ${source}: accuracy ${result.metrics.accuracy.toFixed(3)} on ${result.metrics.testRows} held-out rows, ${result.metrics.predictedRows} rows predicted`,
    { source, ...result.metrics, output: names },
  );
  return { status: 200, body: { source, output: names, metrics: result.metrics } };
}

/**
 * The rows of a CSV with a header line. A UTF-8 byte-order mark is dropped (csv-parse's `bom`).
 * @throws DataError for any parse error (so no retry is attempted) and for a header that names a column twice.
 */
export function parseCsv(content: Buffer): Row[] {
  try {
    return parse<Row>(content, {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      columns: (header: string[]) => {
        const twice = header.find((c, i) => header.indexOf(c) !== i);
        if (twice !== undefined) throw new DataError(`the header names the column "${twice}" twice; give each column a distinct name`);
        return header;
      },
    });
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`the CSV cannot be parsed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The HTTP server: `POST /` for pushes (bodies up to {@link MAX_REQUEST_BYTES}, else 413), `GET /healthz` for health checks. */
export function createServer(config: ScorerConfig, store: ObjectStore, log: Logger = structuredLog): http.Server {
  return http.createServer((req, res) => {
    const reply = (status: number, body: object) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(status === 204 ? undefined : JSON.stringify(body));
    };
    if (req.method === "GET" && req.url === "/healthz") return reply(200, { status: "ok" });
    if (req.method !== "POST" || req.url !== "/") return reply(404, { error: "POST / with a Pub/Sub push request, or GET /healthz" });
    const chunks: Buffer[] = [];
    let received = 0;
    req.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_REQUEST_BYTES) {
        log("WARNING", `rejected a push request: the body is over ${MAX_REQUEST_BYTES} bytes`);
        req.removeAllListeners("data").removeAllListeners("end").pause();
        res.setHeader("connection", "close");
        res.on("finish", () => req.destroy());
        reply(413, { error: `the request body is over ${MAX_REQUEST_BYTES} bytes; a push of a Cloud Storage notification is a few KiB` });
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      handlePush(Buffer.concat(chunks).toString("utf8"), config, store, log)
        .then((r) => reply(r.status, r.body))
        .catch((err: unknown) => {
          log("ERROR", `failed: ${err instanceof Error ? err.message : String(err)}`, { error: err });
          reply(500, { error: "internal error; the message will be redelivered" });
        });
    });
  });
}

if (require.main === module) {
  const outputBucket = process.env.OUTPUT_BUCKET;
  if (!outputBucket) {
    structuredLog("ERROR", "missing OUTPUT_BUCKET: the bucket the results are written to (the platform sets it)");
    process.exit(2);
  }
  const store = process.env.LOCAL_STORE_DIR ? localStore(process.env.LOCAL_STORE_DIR) : cloudStore();
  const server = createServer({ outputBucket, label: process.env.LABEL_COLUMN ?? "label" }, store);
  // SIGTERM (Cloud Run shutting the instance down) or SIGINT: finish the pushes in flight, refuse new ones, exit 143 or 130.
  stopOnSignal(structuredLog, stoppableServer(server));
  server.listen(Number(process.env.PORT ?? 8080), () => structuredLog("INFO", `scorer listening on port ${(server.address() as AddressInfo).port}`));
}
