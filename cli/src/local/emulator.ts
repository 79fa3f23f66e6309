import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

/**
 * Google's Pub/Sub emulator, as the Google Cloud CLI ships it: `gcloud beta emulators pubsub start
 * --host-port=HOST:PORT`; client libraries send to it when `PUBSUB_EMULATOR_HOST=HOST:PORT` is set
 * (src: https://cloud.google.com/pubsub/docs/emulator).
 */
export interface Emulator {
  /** `127.0.0.1:<port>`: the value of `PUBSUB_EMULATOR_HOST`. */
  readonly host: string;
  /** Stops the emulator if this process started it (its whole process group: gcloud runs it as a Java child). */
  stop(): Promise<void>;
}

/** How to install the emulator, for messages. */
export const INSTALL_HINT =
  "install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install) and its emulator: gcloud components install pubsub-emulator beta (on Debian/Ubuntu: apt-get install google-cloud-cli-pubsub-emulator)";

/** Only loopback addresses: the emulator has no authentication. */
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):(\d{1,5})$/;

/**
 * Why the emulator cannot be started here, or undefined when it can: the Google Cloud CLI and Java must be on
 * the PATH (the emulator is a Java program; this project's machines run it on Java 17).
 */
export function emulatorMissing(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.PUBSUB_EMULATOR_HOST) return undefined;
  for (const tool of ["gcloud", "java"]) {
    const found = spawnSync(tool, ["--version"], { encoding: "utf8", stdio: "ignore" });
    if (found.error) return `the Pub/Sub emulator needs ${tool} on the PATH (not found): ${INSTALL_HINT}`;
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `host:port` accepts a TCP connection, polling every 200 ms; rejects when `until` says stop. */
export async function waitForPort(host: string, port: number, until: () => string | undefined): Promise<void> {
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host, port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    const stop = until();
    if (stop) throw new Error(stop);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** How long {@link assertListening} waits for a connection: on loopback, a refusal comes at once. */
const CONNECT_MS = 1000;

/**
 * Checks that something accepts TCP connections at `PUBSUB_EMULATOR_HOST` before a client uses it: the Pub/Sub
 * client would otherwise retry for a minute and then fail with a gRPC deadline that names nothing.
 * @throws Error naming the variable, its value and the fix, within {@link CONNECT_MS}.
 * @example
 * await assertListening("127.0.0.1:8085");
 */
export async function assertListening(host: string): Promise<void> {
  const at = host.lastIndexOf(":");
  const reason = await new Promise<string | undefined>((resolve) => {
    const socket = net.connect({ host: host.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(host.slice(at + 1)) });
    socket.setTimeout(CONNECT_MS, () => (socket.destroy(), resolve(`no answer within ${CONNECT_MS} ms`)));
    socket.once("connect", () => (socket.destroy(), resolve(undefined)));
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
  if (reason !== undefined)
    throw new Error(
      `PUBSUB_EMULATOR_HOST "${host}": nothing listens there (${reason}); start the emulator (npm run local -- up streaming prints its host) or unset PUBSUB_EMULATOR_HOST to use Pub/Sub`,
    );
}

/**
 * The emulator `PUBSUB_EMULATOR_HOST` names (used as it is, never stopped here), else a new one started on a free
 * loopback port, with its data in a fresh temporary folder. Resolves once its port accepts connections (a cold
 * start takes several seconds). It is stopped when this process exits, if `stop` was not called.
 * @throws Error when `PUBSUB_EMULATOR_HOST` is not a loopback `host:port`, when gcloud is missing (with
 * {@link INSTALL_HINT}), or when the emulator exits before listening (with the end of its output).
 * @example
 * const emulator = await startEmulator();
 * process.env.PUBSUB_EMULATOR_HOST = emulator.host;
 * await emulator.stop();
 */
export async function startEmulator(env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = () => undefined): Promise<Emulator> {
  const given = env.PUBSUB_EMULATOR_HOST;
  if (given) {
    const match = LOOPBACK.exec(given);
    if (!match)
      throw new Error(
        `PUBSUB_EMULATOR_HOST "${given}": expected a loopback host:port such as 127.0.0.1:8085 (the emulator has no authentication; never expose it)`,
      );
    await assertListening(given);
    return { host: given, stop: async () => undefined };
  }
  const missing = emulatorMissing(env);
  if (missing) throw new Error(missing);
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pubsub-emulator-"));
  const child: ChildProcess = spawn("gcloud", ["beta", "emulators", "pubsub", "start", `--host-port=127.0.0.1:${port}`, `--data-dir=${dataDir}`, "--quiet"], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => ((exited = `the Pub/Sub emulator exited (${signal ?? `code ${code}`}) before listening:\n${output}`), resolve())),
  );
  child.once("error", (err) => (exited = `cannot start gcloud: ${err.message}. ${INSTALL_HINT}`));
  const killGroup = () => {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // already gone
    }
  };
  // Detached, the emulator would outlive this process if it ended without stop() (an uncaught error).
  process.once("exit", killGroup);
  const stop = async () => {
    process.off("exit", killGroup);
    if (child.exitCode === null && child.signalCode === null) {
      killGroup();
      await exit;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForPort("127.0.0.1", port, () => exited);
  } catch (err) {
    await stop();
    throw err;
  }
  log(`Pub/Sub emulator listening on 127.0.0.1:${port}`);
  return { host: `127.0.0.1:${port}`, stop };
}
