import * as http from "http";

/**
 * The body of a request, or `undefined` when it is over `maxBytes`: a `Content-Length` over it is refused before a
 * byte of the body is read; a body sent without one (chunked) is read until it goes over, and no further.
 */
export function readBody(req: http.IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
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
export function refuseTooLarge(req: http.IncomingMessage, res: http.ServerResponse, body: object): void {
  res.setHeader("connection", "close");
  res.on("finish", () => req.destroy());
  res.writeHead(413, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
