import { ChildProcess, spawn } from "child_process";
import * as os from "os";
import * as path from "path";
import { SETTINGS_FILE } from "../project/settings";
import { readableLogLine } from "./log-line";
import type { LocalPlan, PlannedContainer } from "./plan";

/** Where local runs keep their state; every local process gets these, and reads only these beyond its Cloud Run env. */
export interface LocalEndpoints {
  /** The folder standing in for Cloud Storage: `gs://<bucket>/<name>` is `<dir>/<bucket>/<name>` (`LOCAL_STORE_DIR`). */
  readonly storeDir: string;
  /** `PUBSUB_EMULATOR_HOST`. */
  readonly pubsubHost?: string;
  /** The file standing in for BigQuery (`LOCAL_WAREHOUSE_FILE`, e.g. a DuckDB file; this project's ETL reads it in images/etl/local). */
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
 * The local command line of a container, as the project declares it in `cloudrun-pipelines.yaml`
 * (`local.images.<image>`): the declared `command` in place of the container's `entrypoint`, then the rest of the
 * container's command and its args, as Cloud Run runs them. A container without a command in the plan runs its
 * image's own entrypoint. `node` as the command's first word is the node running this CLI.
 * @throws Error naming the image and the file to edit when the project declares no local command for the image, or
 * when the container's command does not start with the declared entrypoint.
 * @example
 * localCommand({ image: "r/etl@sha256:…", command: ["node", "/app/dist/main.js", "extract"] }, ["--year", "2024"], {
 *   root: ".", images: { etl: { entrypoint: ["node", "/app/dist/main.js"], command: ["node", "dist/local.js"] } } });
 * // { program: process.execPath, args: ["dist/local.js", "extract", "--year", "2024"], cwd: "." }
 */
export function localCommand(
  container: Pick<PlannedContainer, "image" | "command">,
  args: readonly string[],
  project: Pick<LocalPlan, "root" | "images">,
): { program: string; args: string[]; cwd: string } {
  const name = imageName(container.image);
  const local = Object.hasOwn(project.images, name) ? project.images[name] : undefined;
  const file = path.join(project.root, SETTINGS_FILE);
  if (!local)
    throw new Error(
      `image "${container.image}": ${file} declares no local command for "${name}" (local.images: ${Object.keys(project.images).join(", ") || "none"}); add local.images.${name} with its entrypoint and command`,
    );
  const command = container.command.length > 0 ? container.command : local.entrypoint;
  const starts = local.entrypoint.every((word, i) => command[i] === word);
  if (!starts)
    throw new Error(
      `image "${name}": command "${container.command.join(" ")}" does not start with local.images.${name}.entrypoint "${local.entrypoint.join(" ")}" of ${file}`,
    );
  const [program, ...rest] = local.command;
  return { program: program === "node" ? process.execPath : program, args: [...rest, ...command.slice(local.entrypoint.length), ...args], cwd: project.root };
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

/** Starts a local process of a container ({@link localCommand}); its output lines go to `log`, prefixed with `label`. */
export function startProcess(label: string, command: ReturnType<typeof localCommand>, env: Record<string, string>, log: (line: string) => void): ChildProcess {
  const child = spawn(command.program, command.args, { cwd: command.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
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

/**
 * A line of {@link startProcess} as it reads on a terminal: the `[label] ` prefix, then the process's JSON log line
 * (the images' structured lines) as `HH:MM:SS SEVERITY message {fields}` ({@link readableLogLine}); any other line
 * unchanged.
 * @example
 * readableLine('[extract/0] {"severity":"NOTICE","timestamp":{"seconds":1796173202,"nanos":0},"message":"done"}');
 * // "[extract/0] 01:00:02 NOTICE  done" with TZ=UTC
 */
export function readableLine(line: string): string {
  const json = /^(\[[^\]]+\] )(\{.*\})$/.exec(line);
  return json ? json[1] + readableLogLine(json[2]) : line;
}

/** Resolves with the exit code of a process; killed by a signal, 128 + the signal's number, as a shell reports it. */
export function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once("exit", (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
  });
}
