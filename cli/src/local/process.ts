import { ChildProcess, spawn } from "child_process";
import * as os from "os";
import * as path from "path";
import type { PlannedContainer } from "./plan";
import { RUN_TS } from "../../../tools/run-ts";

/** The repository root: local processes run from it. */
const ROOT = path.resolve(__dirname, "..", "..", "..");

/**
 * The source each image runs, by image name, and the file its Dockerfile starts (`node /app/dist/<file>.js`). The
 * ETL jobs run through `local/etl-job.ts`, which is `images/etl/src/main.ts` with a folder for Cloud Storage and
 * DuckDB for BigQuery; the services run their own sources unchanged.
 */
const LOCAL_SOURCES: Readonly<Record<string, { readonly entry: string; readonly source: string }>> = {
  etl: { entry: "/app/dist/main.js", source: "images/etl/local/main.ts" },
  scorer: { entry: "/app/dist/server.js", source: "images/scorer/src/server.ts" },
  stream: { entry: "/app/dist/server.js", source: "images/stream/src/server.ts" },
};

/** Where local runs keep their state; every local process gets these, and reads only these beyond its Cloud Run env. */
export interface LocalEndpoints {
  /** The folder standing in for Cloud Storage: `gs://<bucket>/<name>` is `<dir>/<bucket>/<name>` (`LOCAL_STORE_DIR`). */
  readonly storeDir: string;
  /** `PUBSUB_EMULATOR_HOST`. */
  readonly pubsubHost?: string;
  /** The DuckDB file standing in for BigQuery (`LOCAL_WAREHOUSE_FILE`, read by `local/etl-job.ts` only). */
  readonly warehouseFile?: string;
}

/** The image's name: `…/scorer@sha256:…` → `scorer`. */
export function imageName(image: string): string {
  return (
    image
      .replace(/[@:][^/]*$/, "")
      .split("/")
      .pop() ?? image
  );
}

/**
 * The local command line of a container: the image's source run as the npm scripts run TypeScript ({@link RUN_TS}) in place of
 * `node /app/dist/<file>.js`, then the rest of the container's command and its args, as Cloud Run runs them.
 * @throws Error naming the image when there is no local source for it, or when its command runs another file.
 */
export function localCommand(container: Pick<PlannedContainer, "image" | "command">, args: readonly string[]): string[] {
  const name = imageName(container.image);
  const local = LOCAL_SOURCES[name];
  if (!local) throw new Error(`image "${container.image}": no local source for "${name}"; known: ${Object.keys(LOCAL_SOURCES).join(", ")}`);
  const [program, entry, ...rest] = container.command.length > 0 ? container.command : ["node", local.entry];
  if (program !== "node" || entry !== local.entry)
    throw new Error(`image "${name}": command "${container.command.join(" ")}" does not start ${local.entry}, the file mapped to ${local.source}`);
  return [...RUN_TS, path.join(ROOT, local.source), ...rest, ...args];
}

/**
 * No Compute Engine metadata server here: Google's client libraries skip probing for one (which would fail after a
 * timeout and print a MetadataLookupWarning) (src: gcp-metadata's `METADATA_SERVER_DETECTION`,
 * https://cloud.google.com/nodejs/docs/reference/gcp-metadata/latest/overview; firebase/firebase-tools#6860 sets
 * it for its emulators the same way).
 */
export const NO_METADATA_SERVER = { METADATA_SERVER_DETECTION: "none" } as const;

/**
 * The env of a local process: only what Cloud Run would give the container (its env, `extra` such as `PORT` or
 * the task variables) plus the local endpoints, {@link NO_METADATA_SERVER}, and `PATH`/`HOME` so Node runs.
 * Nothing else of this shell leaks in.
 */
export function localEnv(
  env: Readonly<Record<string, string>>,
  endpoints: LocalEndpoints,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    ...(process.env.PATH && { PATH: process.env.PATH }),
    ...(process.env.HOME && { HOME: process.env.HOME }),
    ...env,
    ...extra,
    ...NO_METADATA_SERVER,
    LOCAL_STORE_DIR: endpoints.storeDir,
    ...(endpoints.pubsubHost && { PUBSUB_EMULATOR_HOST: endpoints.pubsubHost }),
    ...(endpoints.warehouseFile && { LOCAL_WAREHOUSE_FILE: endpoints.warehouseFile }),
  };
}

/** Starts a local process of a container; its output lines go to `log`, prefixed with `label`. */
export function startProcess(label: string, argv: readonly string[], env: Record<string, string>, log: (line: string) => void): ChildProcess {
  const child = spawn(process.execPath, [...argv], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [child.stdout, child.stderr]) {
    let rest = "";
    stream?.on("data", (chunk: Buffer) => {
      const lines = (rest + chunk.toString("utf8")).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) log(`[${label}] ${line}`);
    });
  }
  return child;
}

/** Resolves with the exit code of a process; killed by a signal, 128 + the signal's number, as a shell reports it. */
export function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once("exit", (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
  });
}
