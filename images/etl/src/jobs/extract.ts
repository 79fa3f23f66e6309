import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Gcs } from "../gcs";
import { formatOf, localFiles, partitionsUnder, removeUnder, replaceUnder } from "../locations";
import { ExtractParams } from "../params";
import { safePoint, Stopped } from "../safe-point";

/** What one extract task did. */
export interface ExtractResult {
  /** Rows in the whole source. */
  readonly rowsRead: number;
  /** Rows of the whole source without a valid date (dropped by every task). */
  readonly rowsRejected: number;
  /** Rows this task wrote (its share, within the date range). */
  readonly rowsWritten: number;
  /** Days this task wrote, `YYYY-MM-DD`, sorted. */
  readonly partitions: string[];
  /** Days this task owns that an earlier run wrote and this source no longer has: deleted, `YYYY-MM-DD`, sorted. */
  readonly removed: string[];
  /** Where the files went: `<destination>/<dataset>/`. */
  readonly destination: string;
  /** Output columns with their types. */
  readonly columns: Record<string, string>;
}

/** DuckDB's memory cap for a task: well under the job's 2 GiB, leaving room for Node (src: https://duckdb.org/docs/stable/configuration/overview). */
const MEMORY_LIMIT = "1GB";

/** `Beak Length (mm)` → `beak_length_mm`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

const READERS = { csv: "read_csv_auto", parquet: "read_parquet", json: "read_json_auto" } as const;

/**
 * Extracts a source into Parquet partitioned by day: `<destination>/<dataset>/date=YYYY-MM-DD/part-<task>.parquet`.
 * Column names become snake_case; the date column (`dateColumn`, after renaming) becomes the DATE partition key
 * `date` (a timestamp keeps its time in `date_time`); rows without a valid date are dropped and counted; 128-bit
 * integers become BIGINT. With several tasks, each takes the days whose number modulo the task count is its
 * index, so the tasks' shares add up to the whole input exactly once and each day is written by one task, which
 * first deletes what an earlier run left for that day: the same parameters give the same objects. `sourceToken`
 * (from `SOURCE_TOKEN`, a Secret Manager secret) authorizes an https source.
 *
 * Ownership: a task owns the days of `<destination>/<dataset>/` in its date range (every day without a range) whose
 * day number modulo the task count is its index. It replaces each day it writes and deletes each other day it owns,
 * so a re-run of the same range from a smaller source leaves no partition of the earlier, larger one (and a run
 * without a range replaces the whole dataset). Days outside the range are never touched.
 *
 * Stopping (`stop` aborted, by SIGTERM or SIGINT): a download or DuckDB query in progress is interrupted, and the
 * task stops before its first write, between two days it deletes, or between two days it writes, each day being
 * replaced whole (./locations `replaceUnder`); the days not reached keep what an earlier run wrote.
 * @throws Error, before anything is written or deleted, when the source cannot be read, is empty or has a header
 * but no rows, has no such date column, has no row whose date parses (naming the count and the column), or two
 * columns normalize to one name.
 * @throws Stopped once `stop` is aborted, at the next safe point, saying what was written.
 */
export async function extract(
  params: ExtractParams,
  destination: string,
  gcs: () => Gcs,
  dateColumn = "date",
  sourceToken?: string,
  stop?: AbortSignal,
): Promise<ExtractResult> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "extract-"));
  const db = await DuckDBInstance.create(":memory:", { memory_limit: MEMORY_LIMIT, preserve_insertion_order: "false" });
  const connection = await db.connect();
  // What the task has changed at the destination so far, for a stop's log line.
  let progress = () => "nothing written yet";
  // A stop interrupts the query running (src: `DuckDBConnection.interrupt`, @duckdb/node-api's DuckDBConnection.d.ts).
  const interrupt = () => connection.interrupt();
  stop?.addEventListener("abort", interrupt, { once: true });
  try {
    const files = await localFiles(params.source, work, gcs, sourceToken, stop);
    if (files.every((f) => fs.statSync(f).size === 0)) throw new Error(`the source ${params.source} is empty`);
    const formats = new Set(files.map(formatOf));
    if (formats.size > 1) throw new Error(`the source mixes formats (${[...formats].join(", ")}): extract one format at a time`);
    const reader = `${READERS[[...formats][0]]}([${files.map(literal).join(", ")}])`;
    const { select, dateSource } = await normalizedSelect(connection, reader, snakeCase(dateColumn));
    await connection.run(`CREATE VIEW normalized AS SELECT ${select} FROM ${reader}`);
    const rowsRead = Number(await scalar(connection, `SELECT count(*) FROM ${reader}`));
    if (rowsRead === 0) throw new Error(`the source ${params.source} has no rows (a header only?): nothing to extract`);
    const filters = ["date IS NOT NULL", `(date - DATE '1970-01-01') % ${params.task.count} = ${params.task.index}`];
    if (params.range) filters.push(`date BETWEEN DATE ${literal(params.range.from)} AND DATE ${literal(params.range.to)}`);
    const out = path.join(work, "out");
    // COPY answers with the number of rows it wrote.
    const rowsWritten = Number(
      await scalar(
        connection,
        `COPY (SELECT * FROM normalized WHERE ${filters.join(" AND ")}) TO ${literal(out)} (FORMAT parquet, PARTITION_BY (date), WRITE_PARTITION_COLUMNS true, OVERWRITE true)`,
      ),
    );
    // A single task without a date range writes every row with a valid date, so the rest were rejected; otherwise
    // counting them takes a scan of the date column.
    const writesAll = params.task.count === 1 && !params.range;
    const rowsRejected = writesAll ? rowsRead - rowsWritten : Number(await scalar(connection, "SELECT count(*) FROM normalized WHERE date IS NULL"));
    if (rowsRejected === rowsRead) {
      const sample = (
        await connection.runAndReadAll(`SELECT ${quote(dateSource)} FROM ${reader} WHERE ${quote(dateSource)} IS NOT NULL LIMIT 1`)
      ).getRows()[0]?.[0];
      throw new Error(
        `all ${rowsRead} rows of ${params.source} were rejected: the date column "${snakeCase(dateColumn)}" never parses as a date${sample === undefined || sample === null ? " (it is empty)" : ` (e.g. ${JSON.stringify(String(sample))})`}; nothing was written`,
      );
    }
    const columns = Object.fromEntries(
      (await connection.runAndReadAll("DESCRIBE normalized")).getRowObjectsJson().map((r) => [String(r.column_name), String(r.column_type)]),
    );
    safePoint(stop, progress); // the source is read; the destination is next
    const partitions = fs.existsSync(out)
      ? fs
          .readdirSync(out)
          .filter((d) => d.startsWith("date="))
          .sort()
      : [];
    const base = `${destination.replace(/\/?$/, "/")}${params.dataset}/`;
    const owned = (partition: string) => {
      const day = partition.slice("date=".length);
      const number = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / 86_400_000;
      return number % params.task.count === params.task.index && (!params.range || (day >= params.range.from && day <= params.range.to));
    };
    const stale = (await partitionsUnder(base, gcs)).filter((p) => owned(p) && !partitions.includes(p));
    const days = (list: string[]) => list.map((p) => p.slice("date=".length)).join(", ");
    for (const [reached, partition] of stale.entries()) {
      progress = () =>
        `deleted ${reached} of ${stale.length} days it owns that the source no longer has (${days(stale.slice(0, reached)) || "none"}) from ${base}; wrote nothing yet`;
      safePoint(stop, progress);
      await removeUnder(`${base}${partition}/`, gcs);
    }
    for (const [reached, partition] of partitions.entries()) {
      progress = () =>
        `wrote ${reached} of ${partitions.length} days (${days(partitions.slice(0, reached)) || "none"}) to ${base}${stale.length > 0 ? ` after deleting ${stale.length} days the source no longer has` : ""}; the days not reached keep what an earlier run wrote`;
      safePoint(stop, progress);
      const parts = fs.readdirSync(path.join(out, partition)).sort();
      const objects = new Map(
        parts.map((p, i) => [
          parts.length === 1 ? `part-${params.task.index}.parquet` : `part-${params.task.index}-${i}.parquet`,
          path.join(out, partition, p),
        ]),
      );
      await replaceUnder(`${base}${partition}/`, objects, gcs);
    }
    return {
      rowsRead,
      rowsRejected,
      rowsWritten,
      partitions: partitions.map((p) => p.slice("date=".length)),
      removed: stale.map((p) => p.slice("date=".length)),
      destination: base,
      columns,
    };
  } catch (err) {
    // An interrupted download or query fails with its own error: once stopping, it is a stop where the task was.
    if (err instanceof Stopped || !stop?.aborted) throw err;
    const cut = err === stop.reason ? "" : ` (interrupted: ${err instanceof Error ? err.message.split("\n")[0] : String(err)})`;
    throw new Stopped(stop.reason as Stopped["signal"], `${progress()}${cut}`);
  } finally {
    stop?.removeEventListener("abort", interrupt);
    connection.closeSync();
    db.closeSync();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function scalar(connection: DuckDBConnection, sql: string): Promise<unknown> {
  return (await connection.runAndReadAll(sql)).getRows()[0]?.[0];
}

/** The SELECT list that renames every column to snake_case and casts the date column and 128-bit integers, and the date column's name in the source. */
async function normalizedSelect(connection: DuckDBConnection, reader: string, dateColumn: string): Promise<{ select: string; dateSource: string }> {
  let described;
  try {
    described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${reader}`)).getRowObjectsJson();
  } catch (err) {
    throw new Error(`cannot read the source as ${reader.slice(0, reader.indexOf("("))}: ${String(err instanceof Error ? err.message : err).split("\n")[0]}`, {
      cause: err,
    });
  }
  const columns = described.map((r) => ({ source: String(r.column_name), name: snakeCase(String(r.column_name)), type: String(r.column_type) }));
  const seen = new Map<string, string>();
  for (const c of columns) {
    const other = seen.get(c.name);
    if (other !== undefined) throw new Error(`columns "${other}" and "${c.source}" both become "${c.name}": rename one in the source`);
    seen.set(c.name, c.source);
  }
  const date = columns.find((c) => c.name === dateColumn);
  if (!date) throw new Error(`the source has no date column "${dateColumn}"; its columns: ${columns.map((c) => c.name).join(", ")} (pass --date-column)`);
  const timestamp = date.type.startsWith("TIMESTAMP") || (date.type === "VARCHAR" && (await hasTime(connection, reader, date.source)));
  const list = columns
    .filter((c) => c !== date)
    .map((c) =>
      c.type === "HUGEINT" || c.type === "UHUGEINT" ? `TRY_CAST(${quote(c.source)} AS BIGINT) AS ${quote(c.name)}` : `${quote(c.source)} AS ${quote(c.name)}`,
    );
  const partitionKey = `TRY_CAST(${quote(date.source)} AS DATE) AS date`;
  const keepTime = timestamp
    ? [`TRY_CAST(${quote(date.source)} AS TIMESTAMP) AS ${quote(date.name === "date" ? "date_time" : date.name)}`]
    : date.name === "date"
      ? []
      : [`TRY_CAST(${quote(date.source)} AS DATE) AS ${quote(date.name)}`];
  return { select: [partitionKey, ...keepTime, ...list].join(", "), dateSource: date.source };
}

async function hasTime(connection: DuckDBConnection, reader: string, column: string): Promise<boolean> {
  const sample = await scalar(connection, `SELECT ${quote(column)} FROM ${reader} WHERE ${quote(column)} IS NOT NULL LIMIT 1`);
  return typeof sample === "string" && /\d[T ]\d{1,2}:\d{2}/.test(sample);
}
