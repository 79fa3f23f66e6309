import { prettyFactory } from "pino-pretty";

/**
 * What a reader on a terminal does not need from a workload's structured log line: the time, severity and message
 * (shown first instead), pino's numeric `level`, and what the images add for Cloud Logging and Error Reporting
 * (images/<name>/src/log.ts: `logging.googleapis.com/…` fields, `serviceContext`, and `stack_trace`, the stack `err`
 * already holds). pino-pretty's `ignore` takes dotted paths, so the dots inside a key are escaped.
 */
const HIDDEN = [
  "timestamp",
  "time",
  "severity",
  "level",
  "pid",
  "hostname",
  "serviceContext",
  "stack_trace",
  "logging.googleapis.com/insertId",
  "logging.googleapis.com/labels",
  "logging.googleapis.com/trace",
  "logging.googleapis.com/spanId",
  "logging.googleapis.com/trace_sampled",
  "logging.googleapis.com/sourceLocation",
  "logging.googleapis.com/operation",
].map((key) => key.replace(/\./g, "\\."));

/** `HH:MM:SS` in local time of a line's `timestamp` (`{seconds, nanos}` as the images write it, or RFC 3339) or pino's `time` (epoch ms). */
function clock(log: Record<string, unknown>): string | undefined {
  const t = log.timestamp ?? log.time;
  const ms =
    typeof t === "number" ? t : typeof t === "string" ? Date.parse(t) : t !== null && typeof t === "object" && "seconds" in t ? Number(t.seconds) * 1000 : NaN;
  if (!Number.isFinite(ms)) return undefined;
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}

const pretty = prettyFactory({
  colorize: false,
  singleLine: true,
  messageKey: "message",
  ignore: HIDDEN.join(","),
  // Time, severity and message first; the line's other fields follow as JSON, an `err` with its stack on the next lines.
  messageFormat: (log, messageKey) =>
    [clock(log), (typeof log.severity === "string" ? log.severity : "DEFAULT").padEnd(7), typeof log[messageKey] === "string" ? log[messageKey] : ""]
      .filter((part) => part !== undefined)
      .join(" ")
      .trimEnd(),
});

/**
 * A workload's structured log line (Cloud Logging's JSON fields, as the images write them: `severity`, `message`,
 * `timestamp`) as it reads on a terminal: `HH:MM:SS SEVERITY message {other fields}`, the time local; an `err` field
 * follows with its stack on the next lines. Formatted by pino-pretty; anything that is not a JSON object comes back
 * unchanged. No trailing newline.
 * @example
 * readableLogLine('{"severity":"INFO","timestamp":{"seconds":1796173202,"nanos":0},"message":"wrote 120 rows","rows":120}');
 * // "01:00:02 INFO    wrote 120 rows {\"rows\":120}" with TZ=UTC
 */
export function readableLogLine(line: string | Record<string, unknown>): string {
  return pretty(line)
    .replace(/\n$/, "")
    .replace(/ +(?=\n)/, "");
}
