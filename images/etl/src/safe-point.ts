import { StopSignal } from "@cloudrun-pipelines/images-shared";

/**
 * Thrown by a job at a safe point once its run has been asked to stop (SIGTERM, SIGINT): every object and table it
 * wrote is whole, and what it had not reached keeps what an earlier run wrote, so a re-run with the same parameters
 * finishes the work. main turns it into exit 143 (130 on SIGINT).
 */
export class Stopped extends Error {
  constructor(
    readonly signal: StopSignal,
    /** What the job had done, e.g. `wrote 1 of 3 days (2012-01-01) to gs://raw/weather/`. */
    readonly progress: string,
  ) {
    super(`stopped by ${signal} at a safe point: ${progress}`);
  }
}

/**
 * A point where a job may stop with nothing half-written: throws {@link Stopped} once `stop` is aborted (its reason is
 * the signal's name, set by main's `runProcess`); otherwise does nothing.
 * @example
 * for (const day of days) {
 *   safePoint(stop, () => `loaded ${done.length} of ${days.length} days`);
 *   await loadDay(day);
 * }
 */
export function safePoint(stop: AbortSignal | undefined, progress: () => string): void {
  if (stop?.aborted) throw new Stopped(stop.reason as StopSignal, progress());
}
