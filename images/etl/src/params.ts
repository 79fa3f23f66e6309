import { z } from "zod";

/** A runtime parameter: a flag, and the env var that sets it when the flag is absent (a run's env override merges, its args replace). */
interface Param {
  readonly flag: string;
  readonly env: string;
  /** What it is and its expected form, for error messages. */
  readonly expected: string;
}

/** Thrown for a missing or invalid parameter; main turns it into exit code 2. */
export class ParamError extends Error {}

const P = {
  source: { flag: "--source", env: "SOURCE_URI", expected: "the input to extract: an https:// URL, a gs:// URI or a local path" },
  dataset: { flag: "--dataset", env: "DATASET_NAME", expected: "lowercase letters, digits and underscores, starting with a letter, at most 64" },
  table: { flag: "--table", env: "TABLE_NAME", expected: "lowercase letters, digits and underscores, starting with a letter, at most 64" },
  from: { flag: "--from", env: "DATE_FROM", expected: "a date YYYY-MM-DD" },
  to: { flag: "--to", env: "DATE_TO", expected: "a date YYYY-MM-DD" },
  year: { flag: "--year", env: "YEAR", expected: "a year YYYY" },
  month: { flag: "--month", env: "MONTH", expected: "a month 1-12 (with --year)" },
  sqlDir: { flag: "--sql-dir", env: "SQL_DIR", expected: "a folder of .sql files" },
  dest: { flag: "--dest", env: "DEST", expected: "where to write instead of the raw bucket: a gs:// URI or a local folder" },
  dateColumn: { flag: "--date-column", env: "DATE_COLUMN", expected: "the source column that holds each row's date (after snake_case)" },
  project: { flag: "(no flag)", env: "GOOGLE_CLOUD_PROJECT", expected: "the project id (the platform sets it)" },
  rawBucket: { flag: "(no flag)", env: "RAW_BUCKET", expected: "the raw bucket's name (the platform sets it; locally, pass --dest)" },
  warehouse: { flag: "(no flag)", env: "WAREHOUSE_DATASET", expected: "the warehouse dataset id (the platform sets it)" },
  stagingPrefix: { flag: "(no flag)", env: "STAGING_PREFIX", expected: "gs://<bucket>/<path>/ (the runner sets it per pipeline run)" },
  runId: { flag: "(no flag)", env: "RUN_ID", expected: "lowercase letters, digits and hyphens (the runner sets it per pipeline run)" },
  taskIndex: { flag: "(no flag)", env: "CLOUD_RUN_TASK_INDEX", expected: "a whole number below CLOUD_RUN_TASK_COUNT (Cloud Run sets it)" },
  taskCount: { flag: "(no flag)", env: "CLOUD_RUN_TASK_COUNT", expected: "a whole number of at least 1 (Cloud Run sets it)" },
} satisfies Record<string, Param>;

/** An inclusive range of days. */
export interface DateRange {
  readonly from: string;
  readonly to: string;
}

export interface CommonParams {
  /** The project BigQuery jobs run in (load, transform); extract does not need it. */
  readonly project?: string;
  readonly runId?: string;
  readonly range?: DateRange;
}
export interface ExtractParams extends CommonParams {
  readonly source: string;
  readonly dataset: string;
  /** Where the Parquet goes: `--dest`, else the run's `STAGING_PREFIX`, else `gs://<RAW_BUCKET>/`. */
  readonly destination: string;
  /** The column that holds each row's date. */
  readonly dateColumn: string;
  /** This task's share of the input: task `index` of `count` (CLOUD_RUN_TASK_INDEX / CLOUD_RUN_TASK_COUNT). */
  readonly task: { readonly index: number; readonly count: number };
}
export interface LoadParams extends CommonParams {
  readonly project: string;
  readonly dataset: string;
  readonly table: string;
  readonly rawBucket: string;
  readonly warehouse: string;
  readonly stagingPrefix?: string;
}
export interface TransformParams extends CommonParams {
  readonly project: string;
  readonly warehouse: string;
  readonly sqlDir: string;
}

/** Flag values as commander parses them (camelCase keys), all strings. */
export type Flags = Readonly<Record<string, string | undefined>>;
export type Env = Readonly<Record<string, string | undefined>>;

const NAME = /^[a-z][a-z0-9_]{0,63}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function label(param: Param): string {
  return param.flag === "(no flag)" ? param.env : `${param.flag} (or ${param.env})`;
}

function fail(param: Param, value: string | undefined): never {
  throw new ParamError(value === undefined ? `missing ${label(param)}: ${param.expected}` : `invalid ${label(param)} "${value}": expected ${param.expected}`);
}

/** The value of a parameter: the flag if given, else its env var; `undefined` when neither is set or both are empty. */
function read(flags: Flags, env: Env, key: keyof typeof P): string | undefined {
  const value = flags[key] ?? env[P[key].env];
  return value === "" ? undefined : value;
}

// Schemas are typed as zod core's `$ZodType`: relating a ZodString to classic `z.ZodType<string>` made the type
// check of this file ~5x dearer (zod 4's deep generics; ../shared/reference/performance-notes.md §1.2).
function valid(key: keyof typeof P, value: string | undefined, schema: z.core.$ZodType): string | undefined {
  if (value === undefined) return undefined;
  return z.safeParse(schema, value).success ? value : fail(P[key], value);
}

function required(key: keyof typeof P, value: string | undefined, schema: z.core.$ZodType = z.string().min(1)): string {
  return valid(key, value, schema) ?? fail(P[key], undefined);
}

const realDate = z
  .string()
  .regex(DATE)
  .refine((d) => {
    const day = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(d);
  });

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/**
 * The date range from `--from/--to` (inclusive, both real dates, from <= to; one alone means that single day) or
 * from `--year [--month]` (the whole year or month); the two forms exclude each other.
 * @throws ParamError naming the flag and its env var.
 */
export function dateRange(flags: Flags, env: Env): DateRange | undefined {
  const from = valid("from", read(flags, env, "from"), realDate);
  const to = valid("to", read(flags, env, "to"), realDate);
  const year = valid("year", read(flags, env, "year"), z.string().regex(/^\d{4}$/));
  const month = valid("month", read(flags, env, "month"), z.string().regex(/^(0?[1-9]|1[0-2])$/));
  if ((from || to) && (year || month)) {
    throw new ParamError(`${label(P.year)} and ${label(P.from)}/${label(P.to)} exclude each other: give a year (and month) or a date range`);
  }
  if (month && !year) fail(P.month, month);
  if (year) {
    const m = month ? Number(month) : undefined;
    const last = m ? new Date(Date.UTC(Number(year), m, 0)).getUTCDate() : 31;
    return { from: `${year}-${pad(m ?? 1)}-01`, to: `${year}-${pad(m ?? 12)}-${pad(last)}` };
  }
  const first = from || to;
  if (!first) return undefined;
  const range = { from: from || first, to: to || first };
  if (range.from > range.to) throw new ParamError(`${label(P.from)} ${range.from} is after ${label(P.to)} ${range.to}: give the earlier date first`);
  return range;
}

function common(flags: Flags, env: Env): CommonParams {
  const runId = valid("runId", read(flags, env, "runId"), z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/));
  const range = dateRange(flags, env);
  const project = read(flags, env, "project");
  return { ...(project && { project }), ...(runId && { runId }), ...(range && { range }) };
}

function stagingPrefix(flags: Flags, env: Env): string | undefined {
  return valid("stagingPrefix", read(flags, env, "stagingPrefix"), z.string().regex(/^gs:\/\/[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]\/(\S+\/)?$/));
}

/** @throws ParamError for the first missing or invalid parameter. */
export function extractParams(flags: Flags, env: Env): ExtractParams {
  const base = common(flags, env);
  const source = required("source", read(flags, env, "source"), z.string().regex(/^(https:\/\/|gs:\/\/)\S+$|^[^:]+$/));
  const dataset = required("dataset", read(flags, env, "dataset"), z.string().regex(NAME));
  const dest = valid("dest", read(flags, env, "dest"), z.string().regex(/^gs:\/\/\S+|^[^:]+$/));
  const prefix = stagingPrefix(flags, env);
  const destination = dest ?? prefix ?? `gs://${required("rawBucket", read(flags, env, "rawBucket"))}/`;
  const dateColumn = valid("dateColumn", read(flags, env, "dateColumn"), z.string().min(1)) ?? "date";
  const count = Number(valid("taskCount", read(flags, env, "taskCount"), z.string().regex(/^[1-9]\d*$/)) ?? "1");
  const indexText = read(flags, env, "taskIndex") ?? "0";
  const index = Number(indexText);
  if (!/^\d+$/.test(indexText) || index >= count) fail(P.taskIndex, indexText);
  return { ...base, source, dataset, destination, dateColumn, task: { index, count } };
}

/** @throws ParamError for the first missing or invalid parameter. */
export function loadParams(flags: Flags, env: Env): LoadParams {
  const base = { ...common(flags, env), project: required("project", read(flags, env, "project")) };
  const dataset = required("dataset", read(flags, env, "dataset"), z.string().regex(NAME));
  const table = valid("table", read(flags, env, "table"), z.string().regex(NAME)) ?? dataset;
  const rawBucket = required("rawBucket", read(flags, env, "rawBucket"));
  const warehouse = required("warehouse", read(flags, env, "warehouse"));
  const prefix = stagingPrefix(flags, env);
  return { ...base, dataset, table, rawBucket, warehouse, ...(prefix && { stagingPrefix: prefix }) };
}

/** @throws ParamError for the first missing or invalid parameter. */
export function transformParams(flags: Flags, env: Env, defaultSqlDir: string): TransformParams {
  const base = { ...common(flags, env), project: required("project", read(flags, env, "project")) };
  const warehouse = required("warehouse", read(flags, env, "warehouse"));
  return { ...base, warehouse, sqlDir: read(flags, env, "sqlDir") ?? defaultSqlDir };
}
