import { stringify } from "csv-stringify/sync";
import { Readable } from "stream";
import { parseCsv } from "./csv";
import { DataError, fit, FittedModel, LabelledSample, MAX_SAMPLE_ROWS, Metrics, numberOf } from "./model";
import { ObjectRef } from "./push";
import { ObjectStore } from "./store";

/** Where the predictions go. */
export interface PredictionsTarget {
  readonly bucket: string;
  readonly name: string;
}

const CR = 0x0d;
const LF = 0x0a;

/** The header's column names, checked: each named once, and none the column the predictions add. */
function checkHeader(columns: string[], predicted: string): string[] {
  const twice = columns.find((c, i) => columns.indexOf(c) !== i);
  if (twice !== undefined) throw new DataError(`the header names the column "${twice}" twice; give each column a distinct name`);
  if (columns.includes(predicted)) throw new DataError(`the CSV already has a column "${predicted}", the one the predictions add; rename it`);
  return columns;
}

/**
 * Scores a CSV object in two streaming passes, so memory does not grow with the object:
 * 1. reads every row once, keeping the counts and the labelled sample ({@link LabelledSample}), and fits the model;
 * 2. reads the object again and streams `predictions.csv` to `target`: the header with `predicted_<label>` added,
 *    then each row without a label that holds every feature, exactly as it stands in the input, with its predicted
 *    class added; the rows of each chunk of input are predicted together.
 * A CSV error surfaces in the first pass, before anything is written.
 * @param sampleCap most labelled rows kept to fit and test on (default {@link MAX_SAMPLE_ROWS}).
 * @returns the metrics (without `source`).
 * @throws DataError when the CSV cannot be parsed or scored (no rows, no label column, a column named twice, ...).
 */
export async function scoreObject(
  store: ObjectStore,
  object: ObjectRef,
  label: string,
  target: PredictionsTarget,
  sampleCap = MAX_SAMPLE_ROWS,
): Promise<Metrics> {
  const predicted = `predicted_${label}`;
  let sample: LabelledSample | undefined;
  const firstPass = parseCsv(store.read(object), (fields) =>
    sample ? sample.add(fields) : (sample = new LabelledSample(checkHeader(fields, predicted), label, sampleCap)),
  );
  while (!(await firstPass.next()).done); // the records are all it is for
  if (sample === undefined || sample.rows === 0) throw new DataError("the CSV has no rows");
  const model = fit(sample);
  const counts = { labelled: 0, predicted: 0 };
  const header = Buffer.from(stringify([[...sample.columns, predicted]]));
  await store.write(target.bucket, target.name, "text/csv", Readable.from(predictionsCsv(store.read(object), header, sample.labelIndex, model, counts)));
  return {
    label,
    features: model.features.map((j) => sample!.columns[j]),
    classes: [...model.classes],
    rows: sample.rows,
    labelledRows: counts.labelled,
    sampleCap,
    trainRows: model.trainRows,
    testRows: model.testRows,
    accuracy: model.accuracy,
    predictedRows: counts.predicted,
    skippedRows: sample.rows - counts.labelled - counts.predicted,
  };
}

/**
 * The predictions' CSV, chunk by chunk, from a second pass over the input (see {@link scoreObject}). A row is copied
 * byte for byte from the input (its line break dropped, so a CRLF file still gives one line ending throughout) and
 * `,<class>` (csv-stringify's quoting) and `\n` are added. `counts` gets the labelled rows that hold every feature
 * and the rows predicted.
 */
async function* predictionsCsv(
  input: Readable,
  header: Buffer,
  labelIndex: number,
  model: FittedModel,
  counts: { labelled: number; predicted: number },
): AsyncGenerator<Buffer> {
  yield header;
  const width = model.features.length;
  const suffixes = model.classes.map((c) => Buffer.from(`,${stringify([[c]])}`));
  let x = new Float64Array(width * 4096);
  const spans: number[] = []; // start and end offset of each row to predict, in the input
  let previousEnd = -1; // -1 until the header is read
  let window: Buffer = Buffer.alloc(0); // the input from `windowStart` on: the rows to predict are cut from it
  let windowStart = 0;

  const onRecord = (fields: string[], end: number) => {
    const start = previousEnd;
    previousEnd = end;
    if (start < 0) return;
    const row = spans.length / 2; // its values go to this row of x, which is kept only if it is predicted
    if ((row + 1) * width > x.length) {
      const larger = new Float64Array(x.length * 2);
      larger.set(x);
      x = larger;
    }
    let usable = true;
    for (let k = 0; k < width && usable; k++) usable = !Number.isNaN((x[row * width + k] = numberOf(fields[model.features[k]])));
    if (fields[labelIndex] !== "") counts.labelled += usable ? 1 : 0;
    else if (usable) spans.push(start, end);
  };

  /** The rows gathered so far with their predicted classes, as CSV lines; then forgets them. */
  const lines = (): Buffer => {
    const rows = spans.length / 2;
    const classes = model.predict(x, rows);
    counts.predicted += rows;
    const cut: number[] = [];
    let size = 0;
    for (let r = 0; r < rows; r++) {
      let from = spans[2 * r] - windowStart;
      let to = spans[2 * r + 1] - windowStart;
      while (from < to && (window[from] === CR || window[from] === LF)) from++; // blank lines skipped before it
      while (to > from && (window[to - 1] === CR || window[to - 1] === LF)) to--; // its own line break
      cut.push(from, to);
      size += to - from + suffixes[classes[r]].length;
    }
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    for (let r = 0; r < rows; r++) {
      at += window.copy(out, at, cut[2 * r], cut[2 * r + 1]);
      at += suffixes[classes[r]].copy(out, at);
    }
    spans.length = 0;
    return out;
  };

  for await (const chunk of parseCsv(input, onRecord)) {
    window = window.length === 0 ? chunk : Buffer.concat([window, chunk]);
    if (spans.length > 0) yield lines();
    const keep = Math.max(previousEnd, windowStart) - windowStart; // the bytes of rows already read are done with
    window = window.subarray(keep);
    windowStart += keep;
  }
  if (spans.length > 0) yield lines(); // the last row, when the input does not end with a line break
}
