import * as http from "http";
import { Logger, Severity } from "./log";

// The ETL job uses the signal handling only; the two services also use stoppableServer.

/**
 * The signals that stop a container, with the exit code of each: 128 + the signal's number, as a shell reports a
 * process a signal ended (src: https://www.gnu.org/software/bash/manual/html_node/Exit-Status.html), the project's
 * convention for every entry point. Cloud Run sends SIGTERM; SIGINT is Ctrl-C on a laptop.
 */
export const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;

/**
 * Longest stop, from the signal to the exit: 8 seconds. Cloud Run sends SIGTERM and kills the instance 10 seconds
 * later (src: https://cloud.google.com/run/docs/container-contract#instance-shutdown, services: "Before shutting down
 * an instance, Cloud Run sends a SIGTERM signal to all the containers in an instance, indicating the start of a 10
 * second period before the actual shutdown occurs, at which point Cloud Run sends a SIGKILL signal"; jobs, the same
 * page's exit codes: "When a task exceeds its configured timeout or if the task is canceled, it receives a SIGTERM
 * signal"). The 2 seconds left are for the last log lines to be written out and the process to end, with room for
 * a timer that fires late on a busy CPU; work still running at 8 seconds would be cut by the kill anyway.
 */
export const STOP_DEADLINE_MS = 8_000;

/** The work a process is doing, as a stop sees it. */
export interface Stoppable {
  /** Takes no new work and resolves, saying what finished, once the work in flight is done. Called once. */
  stop(signal: StopSignal): Promise<string>;
  /** The work still in flight, e.g. `1 request`, for the log lines of a stop. */
  inFlight(): string;
}

export interface StopOptions {
  /** @default STOP_DEADLINE_MS */
  readonly deadlineMs?: number;
  /** Where SIGTERM and SIGINT come from. @default process */
  readonly signals?: NodeJS.EventEmitter;
  /** Ends the process, once the log lines are written out. @default process.exit */
  readonly exit?: (code: number) => void;
}

/**
 * Stops `work` on the first SIGTERM or SIGINT, then exits with the signal's code ({@link STOP_SIGNALS}). Node sets
 * no handler for either, and a container's first process (PID 1: Cloud Run runs jobs and second-generation services
 * so, src: https://cloud.google.com/run/docs/container-contract, "Container sandbox": the code "starts as the
 * container init process") gets no default action from the kernel
 * either ("The only signals that can be sent to process ID 1, the init process, are those for which init has
 * explicitly installed signal handlers", src: https://man7.org/linux/man-pages/man2/kill.2.html), so without this the
 * process would run on, mid-write, until the SIGKILL.
 *
 * Logs NOTICE `SIGTERM: stopping; in flight: <work>`, waits for `work.stop` up to the deadline, then logs NOTICE
 * `SIGTERM: stopped: <what finished>; exit 143`, or WARNING `SIGTERM: still in flight after 8 s: <work>; exit 143`, and exits once stdout and stderr have taken every line ({@link exitWhenWritten}). A second
 * signal during the stop is logged and changes nothing: the deadline bounds the wait.
 * @example
 * stopOnSignal(createLogger(), stoppableServer(server));
 */
export function stopOnSignal(log: Logger, work: Stoppable, options: StopOptions = {}): void {
  const { deadlineMs = STOP_DEADLINE_MS, signals = process, exit = (code: number) => process.exit(code) } = options;
  let stopping: StopSignal | undefined;
  let ended = false;
  const onSignal = (signal: StopSignal) => {
    if (stopping) {
      if (!ended) log("NOTICE", `${signal}: already stopping on ${stopping}; in flight: ${work.inFlight()}`);
      return;
    }
    stopping = signal;
    const code = STOP_SIGNALS[signal];
    const inFlight = work.inFlight();
    // Started before the line is written, so whoever reads the line finds new work already refused.
    const stopped = work.stop(signal);
    log("NOTICE", `${signal}: stopping; in flight: ${inFlight} (at most ${deadlineMs / 1000} s)`, { signal });
    // The stop's outcome or the deadline, whichever comes first, writes the last line and exits.
    const end = (severity: Severity, message: string, fields: object = {}) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      log(severity, `${signal}: ${message}; exit ${code}`, { signal, ...fields });
      void exitWhenWritten(code, exit);
    };
    const timer = setTimeout(() => end("WARNING", `still in flight after ${deadlineMs / 1000} s: ${work.inFlight()}`, {}), deadlineMs);
    stopped.then(
      (finished) => end("NOTICE", `stopped: ${finished}`),
      (err: unknown) => end("ERROR", `the stop failed: ${err instanceof Error ? err.message : String(err)}`, { error: err }),
    );
  };
  for (const signal of Object.keys(STOP_SIGNALS) as StopSignal[]) signals.on(signal, () => onSignal(signal));
}

/**
 * Exits with `code` once stdout and stderr have handed every line written so far to the operating system. A pipe
 * (how a container's output is read) takes writes asynchronously when it is full, and `process.exit` drops what is
 * still queued (src: https://nodejs.org/api/process.html#a-note-on-process-io); a write's callback runs after the
 * earlier writes' (src: https://nodejs.org/api/stream.html#writablewritechunk-encoding-callback). The logger writes
 * each line to the stream at once (pino with synchronous destinations, ./log), so nothing else holds a line back.
 */
export async function exitWhenWritten(code: number, exit: (code: number) => void = (c) => process.exit(c)): Promise<void> {
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write("", () => resolve()))));
  exit(code);
}

/**
 * The requests in flight on `server`, to stop it the way Cloud Run shuts an instance down: `stop` closes the
 * listening socket (a new connection is refused), closes the idle keep-alive connections (`server.close()` does
 * since Node 19, src: https://nodejs.org/api/http.html#serverclosecallback), answers each request still in flight
 * with `Connection: close` and closes its connection once the response is sent (an idle connection would otherwise
 * stay open for `keepAliveTimeout`, 5 s), and resolves when the last connection has closed. Cloud Run routes new
 * requests to other instances meanwhile (src: https://cloud.google.com/run/docs/container-contract#instance-shutdown,
 * "requests already being processed are given time to complete, and new incoming requests are routed to other
 * instances"). Call it before `listen`, so it sees every request.
 *
 * Node's own `server.close()` and `closeIdleConnections()` rather than a library, read at their sources:
 * http-terminator 3.2 calls `server.close()` only after its drain, so a new connection is accepted and then
 * destroyed instead of refused, and it polls every 10 ms (gajus/http-terminator,
 * src/factories/createInternalHttpTerminator.ts); stoppable 1.1 tracks sockets to close the idle ones, which
 * `server.close()` has done itself since Node 19; close-with-grace 2.5 handles the signals but exits 0 after the
 * stop and 1 after its delay, not 143 or 130, without waiting for stdout (mcollina/close-with-grace, index.js).
 * @example
 * const server = createServer(config, store);
 * stopOnSignal(log, stoppableServer(server));
 * server.listen(8080);
 */
export function stoppableServer(server: http.Server): Stoppable {
  const inFlight = new Set<http.ServerResponse>();
  let stopping = false;
  const count = (n: number) => `${n} request${n === 1 ? "" : "s"}`;
  const closeAfter = (res: http.ServerResponse) => {
    if (!res.headersSent) res.setHeader("connection", "close");
  };
  server.on("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight.add(res);
    if (stopping) closeAfter(res);
    res.on("close", () => {
      inFlight.delete(res);
      // A response whose headers went out before the stop leaves its connection idle, not closed.
      if (stopping) server.closeIdleConnections();
    });
  });
  return {
    inFlight: () => count(inFlight.size),
    stop() {
      stopping = true;
      const started = inFlight.size;
      inFlight.forEach(closeAfter);
      return new Promise((resolve, reject) =>
        server.close((err) => (err ? reject(err) : resolve(`${count(started)} in flight finished, the server is closed`))),
      );
    },
  };
}
