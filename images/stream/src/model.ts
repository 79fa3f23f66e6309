import * as fs from "fs";
import MultivariateLinearRegression from "ml-regression-multivariate-linear";
import { z } from "zod";

/**
 * One flight of vega-datasets' `flights-10k.json`: 10,000 U.S. domestic flights of January to March 2001 from the
 * Bureau of Transportation Statistics' on-time performance data (src: vega-datasets 3.2.1, `datapackage.json`,
 * resource `flights_10k`; https://www.transtats.bts.gov/).
 */
export interface Flight {
  /** Scheduled departure as the data set gives it, `YYYY/MM/DD HH:MM` (local clock time, no zone). */
  readonly date: string;
  /** Delay in minutes; negative when early. */
  readonly delay: number;
  /** Great-circle distance between the airports, in statute miles. */
  readonly distance: number;
  /** IATA code of the origin airport, e.g. `DTW`. */
  readonly origin: string;
  /** IATA code of the destination airport, e.g. `LAS`. */
  readonly destination: string;
}

/** When a flight departs, as the model sees it. */
export interface Departure {
  /** Hour of the day, 0 to 24 (exclusive), with minutes as a fraction: 08:30 is 8.5. */
  readonly hourOfDay: number;
  /** Day of the week, 0 (Sunday) to 6 (Saturday). */
  readonly dayOfWeek: number;
}

/** What the model predicts from. Origin and destination are not features (201 airports, too sparse for 10,000 rows). */
export interface Trip {
  /** Statute miles. */
  readonly distance: number;
  readonly departure: Departure;
}

/** How well the model does, measured on rows it was not fitted on. */
export interface ModelMetrics {
  /** Rows the model was fitted on (every row but every fifth). */
  readonly trainedRows: number;
  /** Rows held out (every fifth row) to measure the errors below. */
  readonly testRows: number;
  /** Mean absolute error of the model on the held-out rows, in minutes. */
  readonly maeMinutes: number;
  /** Mean absolute error, on the held-out rows, of always predicting the training rows' mean delay (the baseline to beat), in minutes. */
  readonly baselineMaeMinutes: number;
  /** Mean absolute error, on the held-out rows, of always predicting the training rows' median delay, in minutes (for honesty: see README). */
  readonly medianBaselineMaeMinutes: number;
  /** Mean delay of the training rows, in minutes. */
  readonly meanDelayMinutes: number;
  /** The names of the feature columns, in order (an intercept comes on top). */
  readonly features: readonly string[];
}

/** A fitted model: the predicted delay of a trip in minutes, and its metrics. */
export interface DelayModel {
  predict(trip: Trip): number;
  readonly metrics: ModelMetrics;
}

/** Thrown when the training data cannot be read or is not flights: the service does not start. */
export class DataError extends Error {}

/** The feature columns {@link features} builds, in order. */
export const FEATURES = ["distance_kmi", "hour_sin24", "hour_cos24", "hour_sin12", "hour_cos12", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

/**
 * The day of the week and fractional hour of a clock time, or undefined when the date does not exist (2001-02-30).
 * UTC is used for calendar arithmetic only: the times stay the local clock times they are given in.
 */
export function departureAt(year: number, month: number, day: number, hour: number, minute: number): Departure | undefined {
  const at = new Date(Date.UTC(year, month - 1, day, hour, minute));
  if (at.getUTCFullYear() !== year || at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day || hour > 23 || minute > 59) return undefined;
  return { hourOfDay: hour + minute / 60, dayOfWeek: at.getUTCDay() };
}

/**
 * The feature vector of a trip: distance in thousands of miles; the hour of the day as two harmonics (sine and
 * cosine of a 24-hour and a 12-hour cycle, so 23:59 is next to 00:00 and delays can build up through the day and
 * fall at night); the day of the week one-hot with Sunday as the reference.
 */
export function features(trip: Trip): number[] {
  const angle = (2 * Math.PI * trip.departure.hourOfDay) / 24;
  const day = [1, 2, 3, 4, 5, 6].map((d) => (trip.departure.dayOfWeek === d ? 1 : 0));
  return [trip.distance / 1000, Math.sin(angle), Math.cos(angle), Math.sin(2 * angle), Math.cos(2 * angle), ...day];
}

const row = z.object({
  date: z.string().regex(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}$/, "expected YYYY/MM/DD HH:MM"),
  delay: z.number().finite(),
  distance: z.number().positive(),
  origin: z.string(),
  destination: z.string(),
});

/**
 * Reads the training flights (a JSON array of {@link Flight}).
 * @throws DataError naming the file, and the first row and field that do not fit.
 */
export function loadFlights(file: string): Flight[] {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new DataError(`cannot read the training data ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = z.array(row).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DataError(`${file} is not a list of flights: ${issue.path.join(".") || "(top level)"}: ${issue.message}`);
  }
  return parsed.data;
}

/** The trip of a training flight. @throws DataError for a date that does not exist. */
export function tripOf(flight: Flight): Trip {
  const [y, mo, d, h, mi] = flight.date.split(/[/ :]/).map(Number);
  const departure = departureAt(y, mo, d, h, mi);
  if (!departure) throw new DataError(`flight date "${flight.date}" does not exist`);
  return { distance: flight.distance, departure };
}

const meanAbsoluteError = (actual: readonly number[], predicted: (i: number) => number) =>
  actual.reduce((s, a, i) => s + Math.abs(a - predicted(i)), 0) / actual.length;

/**
 * Fits an ordinary least-squares linear regression (ml-regression-multivariate-linear, with intercept) of the delay
 * on {@link features}, on every row but every fifth, and measures it on that fifth against two constant baselines.
 * Deterministic: the same rows give the same model.
 * @throws DataError for fewer than 50 rows (too few for 12 coefficients and a held-out fifth).
 */
export function train(flights: readonly Flight[]): DelayModel {
  if (flights.length < 50) throw new DataError(`need at least 50 flights to train on; got ${flights.length}`);
  const trips = flights.map(tripOf);
  const trainIdx = flights.map((_, i) => i).filter((i) => i % 5 !== 0);
  const testIdx = flights.map((_, i) => i).filter((i) => i % 5 === 0);
  const regression = new MultivariateLinearRegression(
    trainIdx.map((i) => features(trips[i])),
    trainIdx.map((i) => [flights[i].delay]),
  );
  const predict = (trip: Trip) => regression.predict(features(trip))[0];

  const trainDelays = trainIdx.map((i) => flights[i].delay);
  const mean = trainDelays.reduce((s, d) => s + d, 0) / trainDelays.length;
  const sorted = [...trainDelays].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  const testDelays = testIdx.map((i) => flights[i].delay);
  return {
    predict,
    metrics: {
      trainedRows: trainIdx.length,
      testRows: testIdx.length,
      maeMinutes: meanAbsoluteError(testDelays, (k) => predict(trips[testIdx[k]])),
      baselineMaeMinutes: meanAbsoluteError(testDelays, () => mean),
      medianBaselineMaeMinutes: meanAbsoluteError(testDelays, () => median),
      meanDelayMinutes: mean,
      features: FEATURES,
    },
  };
}
