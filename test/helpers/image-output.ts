import { Metrics } from "../../images/scorer/src/model";

/**
 * One JSON log line an image writes (images/<image>/src/log.ts): Cloud Logging's `severity` and `message`, and the
 * `params` an etl job logs when it starts.
 */
export interface LogLine {
  severity: string;
  message: string;
  params?: Record<string, unknown>;
}

/** `line`, one line an image logged, parsed. */
export function logLine(line: string): LogLine {
  return JSON.parse(line) as LogLine;
}

/** The scorer's `metrics.json` (images/scorer/src/server.ts writes it): the object it scored, `gs://<bucket>/<name>#<generation>`, and the model's metrics. */
export type ScorerMetrics = { source: string } & Metrics;

/** `text`, a `metrics.json` the scorer wrote, parsed. */
export function scorerMetrics(text: string): ScorerMetrics {
  return JSON.parse(text) as ScorerMetrics;
}
