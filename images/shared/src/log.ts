import { createGcpLoggingPinoConfig } from "@google-cloud/pino-logging-gcp-config";
import pino from "pino";

/** Cloud Logging's severities the images write (src: https://cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry#logseverity). */
export type Severity = "DEBUG" | "INFO" | "NOTICE" | "WARNING" | "ERROR";

/**
 * Writes one JSON log line: `fields` join the line; an `error` field that is an Error goes out as `err` and its stack
 * as `stack_trace`, the field Error Reporting reads first (src: https://cloud.google.com/error-reporting/docs/formatting-error-messages,
 * "a jsonPayload that includes a message, stack_trace, or exception field").
 */
export type Logger = (severity: Severity, message: string, fields?: object) => void;

/** Where the lines go: DEBUG to NOTICE to `stdout`, WARNING and ERROR to `stderr`. */
export interface Io {
  stdout(line: string): void;
  stderr(line: string): void;
}

/**
 * Writes to `stream` until its reader has gone (EPIPE, e.g. `npm run etl -- --help | head -1`), then drops the lines:
 * Node emits the failed write as an `error` event, which with no listener ends the process with a stack
 * (src: https://nodejs.org/api/stream.html#event-error).
 */
function untilClosed(stream: NodeJS.WriteStream): (line: string) => void {
  let open = true;
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
    open = false;
  });
  return (line) => void (open && stream.write(line));
}

/** The process's own streams, quiet once their reader has gone. */
export const processIo: Io = { stdout: untilClosed(process.stdout), stderr: untilClosed(process.stderr) };

const METHOD = { DEBUG: "debug", INFO: "info", NOTICE: "notice", WARNING: "warn", ERROR: "error" } as const;

/**
 * A logger writing Cloud Logging's structured lines through pino and Google's configuration of it
 * (`@google-cloud/pino-logging-gcp-config`: `severity`, `message`, `timestamp`, `logging.googleapis.com/insertId`, and
 * `stack_trace` plus `serviceContext` for Error Reporting). `RUN_ID`, when set, is the label `run_id` of every line
 * (`logging.googleapis.com/labels`, src: https://cloud.google.com/logging/docs/structured-logging#special-payload-fields).
 * The Error Reporting service is `K_SERVICE` (services) or `CLOUD_RUN_JOB` (jobs), which Cloud Run sets
 * (src: https://cloud.google.com/run/docs/container-contract#env-vars), else `local`; giving it, and an empty trace
 * project, keeps the library from probing the metadata server or the credentials for them.
 * @example createLogger(processIo, { RUN_ID: "20261123t053000z-a1b2" })("INFO", "started", { job: "extract" });
 */
export function createLogger(io: Io = processIo, env: Readonly<Record<string, string | undefined>> = process.env): Logger {
  const config = createGcpLoggingPinoConfig(
    { serviceContext: { service: env.K_SERVICE ?? env.CLOUD_RUN_JOB ?? "local" }, traceGoogleCloudProjectId: "", inihibitDiagnosticMessage: true },
    { level: "debug", customLevels: { notice: 35 }, base: env.RUN_ID ? { "logging.googleapis.com/labels": { run_id: env.RUN_ID } } : {} },
  );
  const { level = () => ({}) } = config.formatters ?? {}; // the library maps pino's own levels only; NOTICE is ours
  config.formatters = { ...config.formatters, level: (label, number) => (label === "notice" ? { severity: "NOTICE", level: number } : level(label, number)) };
  // dedupe: a line goes to the one stream of the highest level it reaches, stdout or stderr, not both.
  const streams = pino.multistream(
    [
      { level: "debug", stream: { write: (line: string) => io.stdout(line) } },
      { level: "warn", stream: { write: (line: string) => io.stderr(line) } },
    ],
    { dedupe: true },
  );
  const logger = pino<"notice">(config as pino.LoggerOptions<"notice">, streams);
  return (severity, message, fields = {}) => {
    const { error, ...rest } = fields as Record<string, unknown>;
    logger[METHOD[severity]](error instanceof Error ? { ...rest, err: error } : fields, message);
  };
}
