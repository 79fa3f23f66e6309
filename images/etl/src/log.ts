import pino from "pino";

/**
 * Structured logging as Cloud Logging reads it from a container's stdout/stderr, through pino: one JSON object
 * per line with `severity` and `message` (src: https://cloud.google.com/run/docs/logging#writing_structured_logs)
 * and, when the run has an id, `logging.googleapis.com/labels` with `run_id`, which Cloud Logging moves into the
 * entry's labels (src: https://cloud.google.com/logging/docs/structured-logging), so one run's lines across steps
 * are the filter `labels.run_id = "<id>"` that the runner prints.
 */
export type Severity = "DEBUG" | "INFO" | "NOTICE" | "WARNING" | "ERROR";

/** Where a run writes: stdout for DEBUG to NOTICE, stderr for WARNING and ERROR; `labels` go on every line. */
export interface Io {
  stdout(line: string): void;
  stderr(line: string): void;
  labels?: Readonly<Record<string, string>>;
}

/** The process's own streams. */
export const processIo: Io = {
  stdout: (line) => process.stdout.write(line),
  stderr: (line) => process.stderr.write(line),
};

/** `io` with the run's labels (`run_id` from `RUN_ID`, which the runner and the chain set), if it has an id. */
export function withRunLabels(io: Io, env: Readonly<Record<string, string | undefined>>): Io {
  return env.RUN_ID ? { ...io, labels: { ...io.labels, run_id: env.RUN_ID } } : io;
}

const METHOD = { DEBUG: "debug", INFO: "info", NOTICE: "notice", WARNING: "warn", ERROR: "error" } as const;
const SEVERITY: Record<string, Severity> = { debug: "DEBUG", info: "INFO", notice: "NOTICE", warn: "WARNING", error: "ERROR" };
const loggers = new WeakMap<Io, pino.Logger<"notice">>();

function loggerOf(io: Io): pino.Logger<"notice"> {
  let logger = loggers.get(io);
  if (!logger) {
    const labels = io.labels && Object.keys(io.labels).length > 0 ? { "logging.googleapis.com/labels": io.labels } : {};
    logger = pino(
      {
        level: "debug",
        customLevels: { notice: 35 },
        messageKey: "message",
        base: labels,
        timestamp: false,
        formatters: { level: (label) => ({ severity: SEVERITY[label] ?? label.toUpperCase() }) },
      },
      // dedupe: a line goes to the stream with the highest level it reaches, stdout or stderr, not both.
      pino.multistream([{ level: "debug", stream: { write: (line: string) => io.stdout(line) } }, { level: "warn", stream: { write: (line: string) => io.stderr(line) } }], { dedupe: true }),
    );
    loggers.set(io, logger);
  }
  return logger;
}

/**
 * Writes one structured log line; `fields` are added to the JSON object (e.g. counts, parameters). An `error`
 * field that is an Error is written in the shape Error Reporting picks up: `@type` ReportedErrorEvent and the
 * V8 stack in `stack_trace` (src: https://cloud.google.com/error-reporting/docs/formatting-error-messages;
 * UNVERIFIED against that page's text, found only through ReportedErrorEvent's reference: a JavaScript error's
 * message "must be the value of error.stack").
 */
export function log(io: Io, severity: Severity, message: string, fields: Record<string, unknown> = {}): void {
  const { error, ...rest } = fields;
  const reported =
    error instanceof Error
      ? { "@type": "type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent", stack_trace: error.stack ?? `${error.name}: ${error.message}` }
      : error !== undefined
        ? { error }
        : {};
  loggerOf(io)[METHOD[severity]]({ ...rest, ...reported }, message);
}
