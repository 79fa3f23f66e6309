import * as http from "http";
import { AddressInfo } from "net";
import { Logger } from "./log";
import { stopOnSignal, stoppableServer } from "./shutdown";

/**
 * The body of a request, or `undefined` when it is over `maxBytes`: a `Content-Length` over it is refused before a
 * byte of the body is read; a body sent without one (chunked) is read until it goes over, and no further.
 */
function readBody(req: http.IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers["content-length"] ?? 0) > maxBytes) return resolve(undefined);
    const chunks: Buffer[] = [];
    let received = 0;
    req.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received <= maxBytes) return void chunks.push(chunk);
      req.removeAllListeners("data").removeAllListeners("end").pause();
      resolve(undefined);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * Answers 413 with `body` (JSON) and closes the connection once the answer is sent, so the rest of the request body
 * is never read.
 */
function refuseTooLarge(req: http.IncomingMessage, res: http.ServerResponse, body: object): void {
  res.setHeader("connection", "close");
  res.on("finish", () => req.destroy());
  res.writeHead(413, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** What a push service answers: an HTTP status and a JSON body (none for 204). */
export interface PushAnswer {
  readonly status: number;
  readonly body: object;
}

/** A push service: how large a push can be, what its health check says, and how it handles a push. */
export interface PushService {
  /** Largest request body read, in bytes; a larger one gets 413 before it is read, or as soon as it goes over. */
  readonly maxBytes: number;
  /** The 413's error: why a body over `maxBytes` cannot be a push this service takes. */
  readonly tooLarge: string;
  /** The body of `GET /healthz`. */
  health(): object;
  /** Handles one push's body (UTF-8); what it throws is answered 500, so that Pub/Sub redelivers the message. */
  handle(body: string): Promise<PushAnswer>;
  /** The 500's log line, before the error's message, e.g. `failed to publish the result`. */
  readonly failure: string;
}

/**
 * The HTTP server of a Pub/Sub push service: `POST /` for pushes (bodies up to `maxBytes`, else 413), `GET /healthz`
 * for health checks, 404 for anything else, 500 when the handler throws.
 * @example
 * pushServer({ maxBytes: 1024, tooLarge: "too large", health: () => ({ status: "ok" }), handle: async () => ({ status: 204, body: {} }), failure: "failed" }, console.log);
 */
export function pushServer(service: PushService, log: Logger): http.Server {
  return http.createServer((req, res) => {
    const reply = (status: number, body: object) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(status === 204 ? undefined : JSON.stringify(body));
    };
    if (req.method === "GET" && req.url === "/healthz") return reply(200, service.health());
    if (req.method !== "POST" || req.url !== "/") return reply(404, { error: "POST / with a Pub/Sub push request, or GET /healthz" });
    readBody(req, service.maxBytes)
      .then(async (body) => {
        if (body === undefined) {
          log("WARNING", `rejected a push request: the body is over ${service.maxBytes} bytes`);
          return refuseTooLarge(req, res, { error: service.tooLarge });
        }
        const answer = await service.handle(body.toString("utf8"));
        reply(answer.status, answer.body);
      })
      .catch((err: unknown) => {
        log("ERROR", `${service.failure}: ${err instanceof Error ? err.message : String(err)}`, { error: err });
        reply(500, { error: "internal error; the message will be redelivered" });
      });
  });
}

/**
 * Serves `server` on `$PORT` (Cloud Run sets it; 8080 otherwise) and, on SIGTERM (Cloud Run shutting the instance
 * down) or SIGINT, finishes the pushes in flight, refuses new ones and exits 143 or 130.
 */
export function serve(server: http.Server, name: string, log: Logger, env: NodeJS.ProcessEnv = process.env): void {
  stopOnSignal(log, stoppableServer(server));
  server.listen(Number(env.PORT ?? 8080), () => log("INFO", `${name} listening on port ${(server.address() as AddressInfo).port}`));
}
