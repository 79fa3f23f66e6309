import parse from "parse-duration";
import { BadInput } from "../../errors";

/**
 * One duration grammar for every flag that takes one (`job run --timeout`/`--task-timeout`, `stream --timeout`):
 * units as parse-duration reads them (`90s`, `30m`, `1h30m`, `1.5h`, `2d`), or a bare number of seconds, as the
 * runner's `--timeout` and the stream's took them before (parse-duration alone would read `600` as milliseconds).
 * UNVERIFIED: that gcloud's `--task-timeout` reads a bare number as seconds too; its reference page
 * (https://cloud.google.com/sdk/gcloud/reference/run/jobs/execute) was searched, but the flag's text not retrieved.
 * @param whole - whole seconds only (Cloud Run's timeouts); else fractions too, more than 0.
 * @returns seconds, from 1 (or more than 0) to `maxSeconds`.
 * @throws BadInput naming the flag, the value and the accepted range.
 * @example
 * durationSeconds("--timeout", "1h30m", 604_800); // 5400
 */
export function durationSeconds(flag: string, text: string, maxSeconds: number, whole = true): number {
  const seconds = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : parse(text, "s");
  const fits = seconds !== null && seconds > 0 && seconds <= maxSeconds && (!whole || (Number.isInteger(seconds) && seconds >= 1));
  const most = maxSeconds % 3600 === 0 ? `${maxSeconds / 3600}h` : `${maxSeconds}s`;
  if (!fits)
    throw new BadInput(
      `${flag} "${text}": expected a duration from ${whole ? "1s" : "more than 0"} to ${most}${whole ? " in whole seconds" : ""}, such as 90s, 30m, 1h30m or 600 (seconds)`,
    );
  return seconds;
}
