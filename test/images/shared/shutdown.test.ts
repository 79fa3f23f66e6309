import { expect } from "chai";
import { EventEmitter } from "events";
import * as http from "http";
import * as net from "net";
import { AddressInfo } from "net";
import { createLogger } from "../../../images/shared/src/log";
import { STOP_DEADLINE_MS, STOP_SIGNALS, Stoppable, stoppableServer, stopOnSignal } from "../../../images/shared/src/shutdown";

// The images' shutdown module (images/shared, written once for the three images), in process:
// signals come from an emitter and the exit is recorded. test/images/sigterm.test.ts runs the images with real signals.

/** A logger whose lines are kept as `SEVERITY message`. */
function capture() {
  const lines: string[] = [];
  const keep = (line: string) => {
    const { severity, message } = JSON.parse(line) as { severity: string; message: string };
    lines.push(`${severity} ${message}`);
  };
  return { log: createLogger({ stdout: keep, stderr: keep }, {}), lines };
}

/** A stop wired to an emitter; `exited` resolves with the code passed to exit (and counts the calls). */
function harness(work: Stoppable, deadlineMs?: number) {
  const signals = new EventEmitter();
  const { log, lines } = capture();
  const codes: number[] = [];
  let exited!: (code: number) => void;
  const exit = new Promise<number>((resolve) => (exited = resolve));
  stopOnSignal(log, work, { signals, deadlineMs, exit: (code) => (codes.push(code), exited(code)) });
  return { signals, lines, codes, exit };
}

/** A Stoppable whose stop resolves (or rejects) when the test says. */
function controlled() {
  let finish!: (what: string) => void;
  let fail!: (err: Error) => void;
  const stopped = new Promise<string>((resolve, reject) => ((finish = resolve), (fail = reject)));
  const asked: string[] = [];
  const work: Stoppable = { stop: (signal) => (asked.push(signal), stopped), inFlight: () => "1 request" };
  return { work, finish, fail, asked };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("images' shutdown module", () => {
  it("exit codes are 128 + the signal's number, and the deadline leaves 2 of Cloud Run's 10 seconds", () => {
    expect(STOP_SIGNALS).to.deep.equal({ SIGINT: 128 + 2, SIGTERM: 128 + 15 });
    expect(STOP_DEADLINE_MS).to.equal(8_000);
  });

  it("on SIGTERM: stops the work before saying so (a reader of the line finds new work refused), then logs what finished and exits 143, not before the work is done", async () => {
    const { work, finish, asked } = controlled();
    let linesWhenAsked = -1;
    const h = harness({ ...work, stop: (signal) => ((linesWhenAsked = h.lines.length), work.stop(signal)) });
    h.signals.emit("SIGTERM");
    await tick();
    expect(asked).to.deep.equal(["SIGTERM"]);
    expect(linesWhenAsked).to.equal(0);
    expect(h.codes).to.deep.equal([]);
    finish("1 request in flight finished");
    expect(await h.exit).to.equal(143);
    expect(h.lines).to.deep.equal([
      "NOTICE SIGTERM: stopping; in flight: 1 request (at most 8 s)",
      "NOTICE SIGTERM: stopped: 1 request in flight finished; exit 143",
    ]);
  });

  it("on SIGINT exits 130; a second signal during the stop is logged and changes nothing", async () => {
    const { work, finish, asked } = controlled();
    const h = harness(work);
    h.signals.emit("SIGINT");
    h.signals.emit("SIGTERM");
    finish("done");
    expect(await h.exit).to.equal(130);
    await tick();
    expect(asked).to.deep.equal(["SIGINT"]);
    expect(h.codes).to.deep.equal([130]);
    expect(h.lines).to.deep.equal([
      "NOTICE SIGINT: stopping; in flight: 1 request (at most 8 s)",
      "NOTICE SIGTERM: already stopping on SIGINT; in flight: 1 request",
      "NOTICE SIGINT: stopped: done; exit 130",
    ]);
  });

  it("exits at the deadline with the work still in flight, saying so in a WARNING", async () => {
    const { work } = controlled(); // never finishes
    const h = harness(work, 50);
    h.signals.emit("SIGTERM");
    expect(await h.exit).to.equal(143);
    expect(h.lines).to.deep.equal([
      "NOTICE SIGTERM: stopping; in flight: 1 request (at most 0.05 s)",
      "WARNING SIGTERM: still in flight after 0.05 s: 1 request; exit 143",
    ]);
  });

  it("a stop that fails is logged as an ERROR and the process still exits 143", async () => {
    const { work, fail } = controlled();
    const h = harness(work);
    h.signals.emit("SIGTERM");
    fail(new Error("the server was not listening"));
    expect(await h.exit).to.equal(143);
    expect(h.lines.at(-1)).to.equal("ERROR SIGTERM: the stop failed: the server was not listening; exit 143");
  });

  describe("stoppableServer", () => {
    it("refuses new connections, answers the requests in flight with Connection: close, and is stopped once they are sent, keep-alive or not", async () => {
      const answers = new Map<string, () => void>();
      const started = new Map<string, () => void>();
      const arrived = (url: string) => new Promise<void>((resolve) => started.set(url, resolve));
      const server = http.createServer((req, res) => {
        if (req.url === "/streamed") res.writeHead(200).write("first part;"); // headers out before the stop
        answers.set(req.url ?? "", () => res.end(req.url === "/streamed" ? "last part" : "answered"));
        started.get(req.url ?? "")?.();
      });
      // Were a connection left idle instead of closed, the stop would wait this long and the test would time out.
      server.keepAliveTimeout = 10 * 60_000;
      const stoppable = stoppableServer(server);
      server.listen(0, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      const port = (server.address() as AddressInfo).port;
      const agent = new http.Agent({ keepAlive: true });
      const get = (url: string) =>
        new Promise<{ connection?: string; body: string }>((resolve, reject) =>
          http
            .get({ host: "127.0.0.1", port, path: url, agent }, (res) => {
              let body = "";
              res.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
              res.on("end", () => resolve({ connection: res.headers.connection, body }));
            })
            .on("error", reject),
        );
      const plain = arrived("/plain");
      const streamed = arrived("/streamed");
      const answered = [get("/plain"), get("/streamed")];
      await Promise.all([plain, streamed]);
      expect(stoppable.inFlight()).to.equal("2 requests");

      let stopped = "";
      const stopping = stoppable.stop("SIGTERM").then((what) => (stopped = what));
      const refused = await new Promise<string>((resolve) => {
        const socket = net.connect(port, "127.0.0.1");
        socket.once("connect", () => (socket.destroy(), resolve("connected")));
        socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? ""));
      });
      expect(refused).to.equal("ECONNREFUSED");
      expect(stopped).to.equal("");
      answers.get("/plain")!();
      answers.get("/streamed")!();
      expect(await Promise.all(answered)).to.deep.equal([
        { connection: "close", body: "answered" },
        { connection: "keep-alive", body: "first part;last part" },
      ]);
      await stopping;
      expect(stopped).to.equal("2 requests in flight finished, the server is closed");
      expect(stoppable.inFlight()).to.equal("0 requests");
      agent.destroy();
    });
  });
});
