/**
 * Structured logging as Cloud Logging reads it from a container's stdout/stderr: one JSON object per line with
 * `severity` and `message` (src: https://cloud.google.com/run/docs/logging#writing_structured_logs).
 */
export type Severity = "DEBUG" | "INFO" | "NOTICE" | "WARNING" | "ERROR";

/** Where a run writes: stdout for DEBUG to NOTICE, stderr for WARNING and ERROR. */
export interface Io {
  stdout(line: string): void;
  stderr(line: string): void;
}

/** The process's own streams. */
export const processIo: Io = {
  stdout: (line) => process.stdout.write(line),
  stderr: (line) => process.stderr.write(line),
};

/** Writes one structured log line; `fields` are added to the JSON object (e.g. counts, parameters). */
export function log(io: Io, severity: Severity, message: string, fields: Record<string, unknown> = {}): void {
  const line = `${JSON.stringify({ severity, message, ...fields })}\n`;
  if (severity === "WARNING" || severity === "ERROR") io.stderr(line);
  else io.stdout(line);
}
