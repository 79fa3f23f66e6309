import { InputError } from "./errors";

/** A duration written with its unit, e.g. `"30 seconds"`, `"10 minutes"`, `"2 hours"`, `"7 days"`. */
export type Duration = `${number} ${"second" | "seconds" | "minute" | "minutes" | "hour" | "hours" | "day" | "days"}`;

/** A memory size written with its binary unit, e.g. `"512 MiB"`, `"2 GiB"`. */
export type Size = `${number} ${"MiB" | "GiB"}`;

const SECONDS_PER_UNIT: Record<string, number> = {
  second: 1,
  seconds: 1,
  minute: 60,
  minutes: 60,
  hour: 3600,
  hours: 3600,
  day: 86400,
  days: 86400,
};

/**
 * Converts a {@link Duration} to whole seconds.
 * @throws InputError naming `field` when the string is not `<number> <unit>` or is not a whole, positive number of seconds.
 */
export function toSeconds(duration: Duration, field: string): number {
  const match = /^(\d+(?:\.\d+)?) (\w+)$/.exec(duration);
  const perUnit = match ? SECONDS_PER_UNIT[match[2]] : undefined;
  if (!match || perUnit === undefined) {
    throw new InputError(field, `"${duration}" is not a duration`, 'write a number and a unit, e.g. "90 seconds", "30 minutes", "2 hours", "7 days"');
  }
  const seconds = Number(match[1]) * perUnit;
  if (!Number.isInteger(seconds) || seconds <= 0) {
    throw new InputError(field, `"${duration}" is ${seconds} seconds`, "use a positive whole number of seconds");
  }
  return seconds;
}

/**
 * Converts a {@link Duration} to whole seconds within a GCP limit.
 * @throws InputError naming `field` when it is not a duration, or `"<duration>" is out of range` with `fix`.
 */
export function toSecondsWithin(duration: Duration, field: string, range: { readonly min: number; readonly max: number }, fix: string): number {
  const seconds = toSeconds(duration, field);
  if (seconds < range.min || seconds > range.max) throw new InputError(field, `"${duration}" is out of range`, fix);
  return seconds;
}

/** Formats seconds as the protobuf Duration JSON string GCP APIs expect, e.g. `600` → `"600s"`. */
export function durationString(seconds: number): string {
  return `${seconds}s`;
}

/**
 * Converts a {@link Size} to whole MiB.
 * @throws InputError naming `field` when the string is not `<number> MiB|GiB` or not a whole number of MiB.
 */
export function toMiB(size: Size, field: string): number {
  const match = /^(\d+(?:\.\d+)?) (MiB|GiB)$/.exec(size);
  if (!match) {
    throw new InputError(field, `"${size}" is not a memory size`, 'write a number and MiB or GiB, e.g. "512 MiB" or "2 GiB"');
  }
  const mib = Number(match[1]) * (match[2] === "GiB" ? 1024 : 1);
  if (!Number.isInteger(mib) || mib <= 0) {
    throw new InputError(field, `"${size}" is ${mib} MiB`, "use a positive whole number of MiB");
  }
  return mib;
}

/** Formats MiB as the Kubernetes quantity Cloud Run takes, e.g. `512` → `"512Mi"`, `2048` → `"2Gi"`. */
export function memoryQuantity(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`;
}
