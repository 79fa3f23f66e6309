import * as http from "http";

/** POSTs to the local port with `headers`, lets `send` write (never ending the body), and resolves with the answer. */
export function postTo(port: number, headers: Record<string, string>, send: (req: http.ClientRequest) => void): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method: "POST", path: "/", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) }));
    });
    req.on("error", reject);
    req.flushHeaders();
    send(req);
  });
}
