import LogisticRegression from "ml-logistic-regression";
import { Matrix } from "ml-matrix";
import { XSadd } from "ml-xsadd";

/** Accuracy and counts of one scoring (`metrics.json`, beside the `source` it scored). */
export interface Metrics {
  readonly label: string;
  readonly features: string[];
  readonly classes: string[];
  /** Rows of the CSV, the header not counted. */
  readonly rows: number;
  /** Labelled rows that hold every feature: the rows the model could learn from. */
  readonly labelledRows: number;
  /** Most labelled rows kept to fit and test on, {@link MAX_SAMPLE_ROWS}; past it, a uniform sample of them. */
  readonly sampleCap: number;
  /** Sampled rows the model was fitted on (all but every fifth). */
  readonly trainRows: number;
  /** Sampled rows held out (every fifth) to measure accuracy. */
  readonly testRows: number;
  /** Share of held-out rows predicted right, 0 to 1. */
  readonly accuracy: number;
  /** Rows without a label that got a prediction. */
  readonly predictedRows: number;
  /** Rows neither used nor predicted because a feature is missing or not a number. */
  readonly skippedRows: number;
}

/** Thrown when the data cannot be scored (no label column, too few labelled rows, no numeric feature, a CSV error). */
export class DataError extends Error {}

/**
 * Most labelled rows kept to fit and test on: 12,500, of which every fifth is held out, so the model is fitted on at
 * most 10,000 and tested on at most 2,500. Past it, the kept rows are a uniform sample of all labelled rows
 * (reservoir sampling), so a file of any size fits in the same time and memory:
 * - the fit is gradient descent over every kept row at every step: 10,000 rows take about 15 s per fit on the
 *   2-core development machine (1,500 steps, 3 classes; measured with ml-logistic-regression 2.0), a fixed share of
 *   the push deadline;
 * - 2,500 held-out rows measure accuracy to within about one percentage point (the standard error of a share is at
 *   most sqrt(0.25 / 2,500) = 0.01);
 * - each kept row holds one number per column (8 bytes each), 100 KB per column at the cap.
 */
export const MAX_SAMPLE_ROWS = 12_500;

/** A column is a feature when at least this share of the labelled rows hold a number in it; rows missing one are skipped. */
const NUMERIC_SHARE = 0.9;

/** Gradient steps and step size of the fit, on standardized features (ml-logistic-regression's defaults are 50,000 and 5e-4 on raw features). */
const FIT = { numSteps: 1500, learningRate: 0.05 } as const;

/** Seed of the sampling: the same CSV keeps the same rows, so a redelivered message writes the same results. */
const SAMPLE_SEED = 20_261_203;

/** The number a CSV field holds (fields come trimmed), or NaN when it is empty or not a finite number. */
export function numberOf(text: string): number {
  const value = text === "" ? NaN : Number(text);
  return Number.isFinite(value) ? value : NaN;
}

/** A labelled row as the sample keeps it: its label and one number (or NaN) per column. */
interface Kept {
  readonly label: string;
  readonly values: Float64Array;
}

/**
 * What a first pass over a CSV learns, row by row in constant memory: how many rows there are, how many labelled
 * rows hold a number in each column (which columns are features), and a uniform sample of the labelled rows
 * (reservoir sampling, Algorithm R, with a seeded generator: at most {@link MAX_SAMPLE_ROWS}).
 */
export class LabelledSample {
  /** Rows seen, the header not counted. */
  rows = 0;
  /** Rows seen with a label. */
  labelled = 0;
  /** Position of the label column. */
  readonly labelIndex: number;
  private readonly numeric: number[];
  private readonly kept: Kept[] = [];
  private readonly random = new XSadd(SAMPLE_SEED);

  /**
   * @param columns the header's column names.
   * @param cap most labelled rows kept, {@link MAX_SAMPLE_ROWS} by default.
   * @throws DataError when no column is `label`.
   */
  constructor(
    readonly columns: readonly string[],
    readonly label: string,
    readonly cap: number = MAX_SAMPLE_ROWS,
  ) {
    this.labelIndex = columns.indexOf(label);
    if (this.labelIndex < 0) throw new DataError(`no label column "${label}"; columns: ${columns.join(", ") || "none"}`);
    this.numeric = columns.map(() => 0);
  }

  /** Takes one row (its fields in header order, trimmed). */
  add(fields: readonly string[]): void {
    this.rows++;
    const label = fields[this.labelIndex];
    if (label === "") return;
    const values = new Float64Array(fields.length);
    for (let j = 0; j < fields.length; j++) {
      values[j] = numberOf(fields[j]);
      if (!Number.isNaN(values[j])) this.numeric[j]++;
    }
    const seen = this.labelled++;
    if (seen < this.cap) this.kept.push({ label, values });
    else {
      const slot = Math.floor(this.random.getFloat() * (seen + 1));
      if (slot < this.cap) this.kept[slot] = { label, values };
    }
  }

  /** Positions of the feature columns: every column but the label numeric in at least 90% of the labelled rows. */
  features(): number[] {
    return this.columns.map((_, j) => j).filter((j) => j !== this.labelIndex && this.labelled > 0 && this.numeric[j] >= NUMERIC_SHARE * this.labelled);
  }

  /** The kept rows, in the order kept. */
  sample(): readonly Kept[] {
    return this.kept;
  }
}

/** A model fitted on a sample, and how well it does on the rows held out. */
export interface FittedModel {
  /** Positions of the feature columns in the CSV. */
  readonly features: readonly number[];
  readonly classes: readonly string[];
  readonly trainRows: number;
  readonly testRows: number;
  readonly accuracy: number;
  /**
   * The class (an index into `classes`) of each of `count` rows, all predicted with one matrix product per class.
   * @param x the rows' feature values as they stand in the CSV, row after row (`count` × `features.length`).
   */
  predict(x: Float64Array, count: number): number[];
}

/**
 * Fits a logistic regression (one-vs-rest, ml-logistic-regression) of the label on the features, on the kept
 * labelled rows that hold every feature but every fifth, and measures accuracy on that fifth. Features are
 * standardized with the training rows' mean and standard deviation.
 * @throws DataError when no column besides the label is numeric, fewer than 5 labelled rows hold every feature, or
 * only one class is labelled.
 */
export function fit(sample: LabelledSample): FittedModel {
  const features = sample.features();
  if (features.length === 0) throw new DataError(`no column besides "${sample.label}" is numeric in ${NUMERIC_SHARE * 100}% of the labelled rows`);
  const usable = sample.sample().filter((r) => features.every((j) => !Number.isNaN(r.values[j])));
  const classes = [...new Set(usable.map((r) => r.label))].sort();
  if (usable.length < 5 || classes.length < 2)
    throw new DataError(`need at least 5 labelled rows of 2 classes of "${sample.label}"; got ${usable.length} rows of ${classes.length}`);
  const train = usable.filter((_, i) => i % 5 !== 0);
  const test = usable.filter((_, i) => i % 5 === 0);

  const mean = features.map((j) => train.reduce((s, r) => s + r.values[j], 0) / train.length);
  const std = features.map((j, k) => Math.sqrt(train.reduce((s, r) => s + (r.values[j] - mean[k]) ** 2, 0) / train.length) || 1);
  const scaled = (count: number, value: (i: number, k: number) => number) => {
    const m = new Matrix(count, features.length);
    for (let i = 0; i < count; i++) for (let k = 0; k < features.length; k++) m.set(i, k, (value(i, k) - mean[k]) / std[k]);
    return m;
  };
  const rowsOf = (rows: readonly Kept[]) => scaled(rows.length, (i, k) => rows[i].values[features[k]]);

  const regression = new LogisticRegression(FIT);
  regression.train(rowsOf(train), Matrix.columnVector(train.map((r) => classes.indexOf(r.label))));
  const correct = regression.predict(rowsOf(test)).filter((k, i) => classes[k] === test[i].label).length;
  return {
    features,
    classes,
    trainRows: train.length,
    testRows: test.length,
    accuracy: correct / test.length, // at least one row: usable has 5 or more, and every fifth is held out
    predict: (x, count) => (count === 0 ? [] : regression.predict(scaled(count, (i, k) => x[i * features.length + k]))),
  };
}
