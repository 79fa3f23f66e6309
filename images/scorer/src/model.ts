import LogisticRegression from "ml-logistic-regression";
import { Matrix } from "ml-matrix";

/** Rows as a CSV gives them: column name → text. */
export type Row = Record<string, string>;

/** Accuracy and counts of one scoring. */
export interface Metrics {
  readonly label: string;
  readonly features: string[];
  readonly classes: string[];
  readonly rows: number;
  /** Labelled rows the model was fitted on (at most MAX_TRAIN_ROWS, an even sample). */
  readonly trainRows: number;
  /** Labelled rows held out (every fifth labelled row) to measure accuracy. */
  readonly testRows: number;
  /** Share of held-out rows predicted right, 0 to 1. */
  readonly accuracy: number;
  /** Rows without a label that got a prediction. */
  readonly predictedRows: number;
  /** Rows neither used nor predicted because a feature is missing or not a number. */
  readonly skippedRows: number;
}

/** Thrown when the data cannot be scored (no label column, too few labelled rows, no numeric feature). */
export class DataError extends Error {}

/** Most rows the model is fitted on (an even sample of the rest): gradient descent costs steps × rows. */
export const MAX_TRAIN_ROWS = 10_000;

/** A column is a feature when at least this share of the labelled rows hold a number in it; rows missing one are skipped. */
const NUMERIC_SHARE = 0.9;

/** Gradient steps and step size of the fit, on standardized features (ml-logistic-regression's defaults are 50,000 and 5e-4 on raw features). */
const FIT = { numSteps: 1500, learningRate: 0.05 } as const;

const isNumber = (text: string | undefined) => text !== undefined && text.trim() !== "" && Number.isFinite(Number(text));

/**
 * Fits a logistic regression (one-vs-rest, ml-logistic-regression) that predicts `label` from every column that
 * is numeric in at least 90% of the labelled rows, on the labelled rows but every fifth, measures accuracy on that fifth, and predicts the rows without a
 * label. Features are standardized with the training rows' mean and standard deviation.
 * @returns each row without a label, with `predicted_<label>` added, and the metrics.
 * @throws DataError when the label column is missing, fewer than 5 rows are labelled, only one class is
 * labelled, or no other column is numeric.
 */
export function score(rows: readonly Row[], label: string): { predictions: Row[]; metrics: Metrics } {
  const columns = Object.keys(rows[0] ?? {});
  if (!columns.includes(label)) throw new DataError(`no label column "${label}"; columns: ${columns.join(", ") || "none"}`);
  const hasLabel = rows.filter((r) => r[label]?.trim());
  const features = columns.filter(
    (c) => c !== label && hasLabel.length > 0 && hasLabel.filter((r) => isNumber(r[c])).length >= NUMERIC_SHARE * hasLabel.length,
  );
  if (features.length === 0) throw new DataError(`no column besides "${label}" is numeric in ${NUMERIC_SHARE * 100}% of the labelled rows`);
  const usable = (r: Row) => features.every((f) => isNumber(r[f]));
  const labelled = hasLabel.filter(usable);
  const heldIn = labelled.filter((_, i) => i % 5 !== 0);
  const stride = Math.ceil(heldIn.length / MAX_TRAIN_ROWS);
  const train = heldIn.filter((_, i) => i % stride === 0);
  const test = labelled.filter((_, i) => i % 5 === 0);
  const classes = [...new Set(labelled.map((r) => r[label].trim()))].sort();
  if (labelled.length < 5 || classes.length < 2)
    throw new DataError(`need at least 5 labelled rows of 2 classes of "${label}"; got ${labelled.length} rows of ${classes.length}`);

  const raw = (subset: readonly Row[]) => subset.map((r) => features.map((f) => Number(r[f])));
  const trainX = raw(train);
  const mean = features.map((_, j) => trainX.reduce((s, x) => s + x[j], 0) / trainX.length);
  const std = features.map((_, j) => Math.sqrt(trainX.reduce((s, x) => s + (x[j] - mean[j]) ** 2, 0) / trainX.length) || 1);
  const scaled = (subset: readonly Row[]) => new Matrix(raw(subset).map((x) => x.map((v, j) => (v - mean[j]) / std[j])));

  const model = new LogisticRegression(FIT);
  model.train(scaled(train), Matrix.columnVector(train.map((r) => classes.indexOf(r[label].trim()))));
  const predict = (subset: readonly Row[]) => (subset.length === 0 ? [] : model.predict(scaled(subset)).map((k) => classes[k]));

  const correct = predict(test).filter((p, i) => p === test[i][label].trim()).length;
  const unlabelled = rows.filter((r) => !r[label]?.trim());
  const scorable = unlabelled.filter(usable);
  const predictions = predict(scorable).map((p, i) => ({ ...scorable[i], [`predicted_${label}`]: p }));
  return {
    predictions,
    metrics: {
      label,
      features,
      classes,
      rows: rows.length,
      trainRows: train.length,
      testRows: test.length,
      accuracy: test.length === 0 ? 0 : correct / test.length,
      predictedRows: predictions.length,
      skippedRows: rows.length - labelled.length - scorable.length,
    },
  };
}
