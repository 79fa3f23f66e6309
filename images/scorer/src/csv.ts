import { CsvError, parse } from "csv-parse";
import { finished } from "stream/promises";
import { DataError } from "./model";

/**
 * Longest record the scorer reads: 1 MiB. csv-parse holds a record whole until it ends (`max_record_size`, src:
 * https://csv.js.org/parse/options/max_record_size/), so this bounds memory on a file with no line breaks or an
 * unclosed quote; a CSV of penguins or flights has records of a few dozen bytes.
 */
export const MAX_RECORD_BYTES = 1024 * 1024;

/**
 * Called with each record of a CSV, the header first: its fields, trimmed, and the byte offset in the input just
 * after it (after its line break). Throwing a {@link DataError} stops the parse with that error.
 */
export type OnRecord = (fields: string[], end: number) => void;

/**
 * Parses a CSV from a stream of bytes with csv-parse, calling `onRecord` with each record as it is read, and yields
 * each chunk of the input once every record that ends in it has been passed on, so a caller can cut the records'
 * bytes out of the input (see `end` in {@link OnRecord}). Records go to `on_record`, which returns nothing: they are
 * not queued in the parser's stream (src: https://csv.js.org/parse/options/on_record/). A UTF-8 byte-order mark is
 * dropped (`bom`), blank lines are skipped, fields are trimmed. Memory is one chunk and one record.
 * @throws DataError for any parse error (so no retry is attempted), naming csv-parse's reason.
 */
export async function* parseCsv(input: AsyncIterable<Buffer>, onRecord: OnRecord): AsyncGenerator<Buffer> {
  // `context.bytes` in on_record is the offset after the record's line break: csv-parse sets `info.bytes` to it just
  // before it emits the record (csv-parse 6.2.1, lib/api/index.js, `__onRecord` after a record delimiter); its docs say
  // only "number of processed bytes" (https://csv.js.org/parse/info/). test/images/scorer.test.ts checks the cut
  // records on input split into tiny chunks.
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    trim: true,
    max_record_size: MAX_RECORD_BYTES,
    on_record: (record: string[], context) => {
      onRecord(record, context.bytes);
      return null;
    },
  });
  const done = finished(parser.resume()); // nothing is pushed; flowing, so the parser ends once the input does
  done.catch(() => undefined); // a parse error rejects each write too, which is where it is thrown
  try {
    for await (const chunk of input) {
      await new Promise<void>((resolve, reject) => parser.write(chunk, (err) => (err ? reject(err) : resolve())));
      yield chunk;
    }
    parser.end();
    await done;
  } catch (err) {
    if (err instanceof DataError) throw err;
    if (err instanceof CsvError) throw new DataError(`the CSV cannot be parsed: ${err.message}`);
    throw err; // the input failed: reading the object, not its content
  } finally {
    parser.destroy();
  }
}
