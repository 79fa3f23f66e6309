import { Storage } from "@google-cloud/storage";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { DataError, Row, score } from "./model";
import { MalformedPush, ObjectRef, parsePush, resultNames } from "./push";

/** The object storage the scorer reads from and writes to; tests pass an in-memory one. */
export interface ObjectStore {
  /** The object's content at that generation. */
  read(object: ObjectRef): Promise<Buffer>;
  write(bucket: string, name: string, content: string, contentType: string): Promise<void>;
}

/** Cloud Storage with the service's own account (Application Default Credentials). */
export function cloudStore(storage = new Storage()): ObjectStore {
  return {
    async read(object) {
      const [content] = await storage.bucket(object.bucket).file(object.name, { generation: Number(object.generation) }).download();
      return content;
    },
    async write(bucket, name, content, contentType) {
      await storage.bucket(bucket).file(name).save(content, { contentType, resumable: false });
    },
  };
}

/** A local folder standing in for Cloud Storage, for local runs: `gs://<bucket>/<name>` is `<dir>/<bucket>/<name>` (generations are not kept). */
export function localStore(dir: string): ObjectStore {
  return {
    async read(object) {
      return fs.readFileSync(path.join(dir, object.bucket, object.name));
    },
    async write(bucket, name, content) {
      const file = path.join(dir, bucket, name);
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

/** Writes one log line. */
export type Logger = (severity: "INFO" | "WARNING" | "ERROR", message: string, fields?: object) => void;

/** One structured log line on stdout/stderr (Cloud Logging reads `severity` and `message`). */
export const structuredLog: Logger = (severity, message, fields = {}) => {
  (severity === "INFO" ? process.stdout : process.stderr).write(`${JSON.stringify({ severity, message, ...fields })}\n`);
};

/**
 * Answers one push request. 200 once both results are written; 204 for an event that is ignored (acknowledged);
 * 400 for a malformed request and 422 for a CSV that cannot be scored (both logged; Pub/Sub retries and then
 * dead-letters them); 500 when reading or writing fails (retried).
 */
export async function handlePush(body: string, config: ScorerConfig, store: ObjectStore, log: Logger = structuredLog): Promise<{ status: number; body: object }> {
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
    const rows = parse(await store.read(event.object), { columns: true, skip_empty_lines: true, trim: true }) as Row[];
    if (rows.length === 0) throw new DataError("the CSV has no rows");
    result = score(rows, config.label);
  } catch (err) {
    if (!(err instanceof DataError) && !(err instanceof Error && "code" in err && String(err.code).startsWith("CSV_"))) throw err;
    log("ERROR", `cannot score ${source}: ${err.message}`, { source });
    return { status: 422, body: { error: err.message } };
  }
  const names = resultNames(event.object);
  await store.write(config.outputBucket, names.predictions, stringify(result.predictions, { header: true }), "text/csv");
  await store.write(config.outputBucket, names.metrics, `${JSON.stringify({ source, ...result.metrics }, null, 2)}\n`, "application/json");
  log("INFO", `scored ${source}: accuracy ${result.metrics.accuracy.toFixed(3)} on ${result.metrics.testRows} held-out rows, ${result.metrics.predictedRows} rows predicted`, { source, ...result.metrics, output: names });
  return { status: 200, body: { source, output: names, metrics: result.metrics } };
}

/** The HTTP server: `POST /` for pushes, `GET /healthz` for health checks. */
export function createServer(config: ScorerConfig, store: ObjectStore, log: Logger = structuredLog): http.Server {
  return http.createServer((req, res) => {
    const reply = (status: number, body: object) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(status === 204 ? undefined : JSON.stringify(body));
    };
    if (req.method === "GET" && req.url === "/healthz") return reply(200, { status: "ok" });
    if (req.method !== "POST" || req.url !== "/") return reply(404, { error: "POST / with a Pub/Sub push request, or GET /healthz" });
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      handlePush(Buffer.concat(chunks).toString("utf8"), config, store, log)
        .then((r) => reply(r.status, r.body))
        .catch((err: unknown) => {
          log("ERROR", `failed: ${err instanceof Error ? err.message : String(err)}`);
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
  const port = Number(process.env.PORT ?? 8080);
  const store = process.env.LOCAL_STORE_DIR ? localStore(process.env.LOCAL_STORE_DIR) : cloudStore();
  createServer({ outputBucket, label: process.env.LABEL_COLUMN ?? "label" }, store).listen(port, () => structuredLog("INFO", `scorer listening on port ${port}`));
}
