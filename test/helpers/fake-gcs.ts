import { CRC32C } from "@google-cloud/storage";
import * as crypto from "crypto";
import * as http from "http";
import { AddressInfo } from "net";

// The part of the Cloud Storage JSON API the images use, served on loopback over HTTP, so the real
// @google-cloud/storage client speaks the real wire format to it: `STORAGE_EMULATOR_HOST=<url>` points the client
// here, without credentials (src: @google-cloud/storage's storage.js, `STORAGE_EMULATOR_HOST`). Requests (src:
// https://cloud.google.com/storage/docs/json_api/v1/objects): get (metadata, or `alt=media` for the content), list
// (`prefix`), delete, and insert as a multipart upload or a resumable one (a session POST, then PUTs with
// `Content-Range`; an object appears only when its last byte has arrived, src:
// https://cloud.google.com/storage/docs/performing-resumable-uploads).

/** A stored object: its content and the metadata the API returns for it (hashes included: the client checks them). */
interface StoredObject {
  readonly content: Buffer;
  readonly generation: string;
  readonly contentType: string;
}

/** A request the fake holds unanswered until released, to keep a client's call in flight. */
export interface Hold {
  /** Resolves when a matching request has arrived (and is being held). */
  readonly reached: Promise<void>;
  /** Lets the held request be answered. */
  release(): void;
}

/** A request as the fake saw it: the method, the path without the API's prefix, the query. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
}

export class FakeGcs {
  /** Objects by `bucket/name`. */
  readonly objects = new Map<string, StoredObject>();
  /** Every request, in order of arrival. */
  readonly requests: SeenRequest[] = [];
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly sessions = new Map<string, { bucket: string; name: string; contentType: string; parts: Buffer[] }>();
  private holds: { matches: (r: SeenRequest) => boolean; arrived: () => void; released: Promise<void> }[] = [];
  private generation = 1_700_000_000_000_000;
  /** `http://127.0.0.1:<port>`, for `STORAGE_EMULATOR_HOST`, once started. */
  url = "";

  async start(): Promise<string> {
    this.server.listen(0, "127.0.0.1");
    await new Promise((resolve) => this.server.once("listening", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Stores an object, as an upload would. */
  put(bucket: string, name: string, content: string | Buffer, contentType = "application/octet-stream"): void {
    this.objects.set(`${bucket}/${name}`, { content: Buffer.from(content), generation: String(++this.generation), contentType });
  }

  /** The names of the objects in `bucket`, sorted. */
  names(bucket: string): string[] {
    return [...this.objects.keys()]
      .filter((key) => key.startsWith(`${bucket}/`))
      .map((key) => key.slice(bucket.length + 1))
      .sort();
  }

  /** Holds the first request `matches` accepts (once its body has arrived) until `release()`. */
  hold(matches: (request: SeenRequest) => boolean): Hold {
    let arrived!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.push({ matches, arrived, released });
    return { reached, release };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    // The client sends JSON API calls under the emulator's URL, with or without `/storage/v1`, and uploads under `/upload/storage/v1`.
    const path = url.pathname.replace(/^\/upload\/storage\/v1\//, "/upload/").replace(/^\/(download\/)?storage\/v1\//, "/");
    const seen: SeenRequest = { method: req.method ?? "GET", path, query: url.searchParams };
    this.requests.push(seen);
    const body = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c)).on("end", () => resolve(Buffer.concat(chunks)));
    });
    const held = this.holds.find((h) => h.matches(seen));
    if (held) {
      this.holds = this.holds.filter((h) => h !== held);
      held.arrived();
      await held.released;
    }
    const json = (status: number, value?: object, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(value === undefined ? undefined : JSON.stringify(value));
    };
    const notFound = (what: string) => json(404, { error: { code: 404, message: `No such object: ${what}` } });
    const object = /^\/b\/([^/]+)\/o\/(.+)$/.exec(seen.path);
    const objects = /^\/b\/([^/]+)\/o$/.exec(seen.path);
    const upload = /^\/upload\/b\/([^/]+)\/o$/.exec(seen.path);
    if (object && seen.method === "GET") {
      const [bucket, name] = [object[1], decodeURIComponent(object[2])];
      const stored = this.objects.get(`${bucket}/${name}`);
      if (!stored) return notFound(`${bucket}/${name}`);
      if (seen.query.get("alt") === "media") {
        res.writeHead(200, { "content-type": stored.contentType, "x-goog-hash": `crc32c=${crc32c(stored.content)},md5=${md5(stored.content)}` });
        return void res.end(stored.content);
      }
      return json(200, this.resource(bucket, name, stored));
    }
    if (object && seen.method === "DELETE") {
      const [bucket, name] = [object[1], decodeURIComponent(object[2])];
      if (!this.objects.delete(`${bucket}/${name}`)) return notFound(`${bucket}/${name}`);
      return json(204);
    }
    if (objects && seen.method === "GET") {
      const bucket = objects[1];
      const prefix = seen.query.get("prefix") ?? "";
      const items = this.names(bucket)
        .filter((n) => n.startsWith(prefix))
        .map((n) => this.resource(bucket, n, this.objects.get(`${bucket}/${n}`)!));
      return json(200, { kind: "storage#objects", items });
    }
    if (upload && seen.method === "POST" && seen.query.get("uploadType") === "multipart") {
      const { metadata, content } = multipart(req.headers["content-type"] ?? "", body);
      const name = metadata.name ?? seen.query.get("name") ?? "";
      this.put(upload[1], name, content, metadata.contentType);
      return json(200, this.resource(upload[1], name, this.objects.get(`${upload[1]}/${name}`)!));
    }
    if (upload && seen.method === "POST" && seen.query.get("uploadType") === "resumable") {
      const metadata = (body.length > 0 ? JSON.parse(body.toString("utf8")) : {}) as { name?: string; contentType?: string };
      const name = metadata.name ?? seen.query.get("name") ?? "";
      const id = String(this.sessions.size + 1);
      this.sessions.set(id, { bucket: upload[1], name, contentType: metadata.contentType ?? "application/octet-stream", parts: [] });
      return json(200, {}, { location: `${this.url}/upload/storage/v1/b/${upload[1]}/o?uploadType=resumable&upload_id=${id}` });
    }
    const session = upload && seen.method === "PUT" ? this.sessions.get(seen.query.get("upload_id") ?? "") : undefined;
    if (session) {
      session.parts.push(body);
      const received = session.parts.reduce((n, p) => n + p.length, 0);
      // `bytes <first>-*/<total or *>`: the body is the rest of the object (the client's single-request upload,
      // resumable-upload.js); `bytes <first>-<last>/*`: a chunk, more to come; `bytes <first>-<last>/<total>`: done
      // once `total` bytes have arrived.
      const range = /^bytes (\d+|\*)-?(\d+|\*)?\/(\d+|\*)$/.exec(String(req.headers["content-range"] ?? "")) ?? [];
      const complete = range[2] === "*" || (range[3] !== undefined && range[3] !== "*" && Number(range[3]) === received);
      if (!complete) {
        res.writeHead(308, received > 0 ? { range: `bytes=0-${received - 1}` } : {});
        return void res.end();
      }
      this.sessions.delete(seen.query.get("upload_id") ?? "");
      this.put(session.bucket, session.name, Buffer.concat(session.parts), session.contentType);
      return json(200, this.resource(session.bucket, session.name, this.objects.get(`${session.bucket}/${session.name}`)!));
    }
    json(501, { error: { code: 501, message: `the fake does not serve ${seen.method} ${seen.path}` } });
  }

  private resource(bucket: string, name: string, stored: StoredObject) {
    return {
      kind: "storage#object",
      bucket,
      name,
      generation: stored.generation,
      size: String(stored.content.length),
      contentType: stored.contentType,
      crc32c: crc32c(stored.content),
      md5Hash: md5(stored.content),
    };
  }
}

function crc32c(content: Buffer): string {
  const hash = new CRC32C();
  hash.update(content);
  return hash.toString();
}

const md5 = (content: Buffer) => crypto.createHash("md5").update(content).digest("base64");

/** A `multipart/related` upload body: the JSON metadata part, then the content part. */
function multipart(contentType: string, body: Buffer): { metadata: { name?: string; contentType?: string }; content: Buffer } {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!boundary) throw new Error(`not a multipart upload: content-type ${contentType}`);
  const parts = body
    .toString("latin1")
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => part.slice(part.indexOf("\r\n\r\n") + 4, part.length - 2));
  return {
    metadata: JSON.parse(Buffer.from(parts[0], "latin1").toString("utf8")) as { name?: string; contentType?: string },
    content: Buffer.from(parts[1], "latin1"),
  };
}
