import { Gcs, parseGsUri } from "../gcs";
import { LoadParams } from "../params";
import { safePoint } from "../safe-point";
import { LoadJobConfig, Warehouse } from "../warehouse";

/** What a load did: rows per day loaded into `<table>$YYYYMMDD`. */
export interface LoadResult {
  readonly table: string;
  readonly source: string;
  readonly rowsLoaded: number;
  readonly partitions: Record<string, number>;
}

/**
 * Loads the Parquet that extract wrote under `<source>/<dataset>/date=YYYY-MM-DD/` into the table partitioned by
 * day on `date`, one load job per day into that day's partition (`<table>$YYYYMMDD`) with WRITE_TRUNCATE, so a
 * re-run replaces exactly the days it loads and no others (src:
 * https://cloud.google.com/bigquery/docs/managing-partitioned-table-data#write_to_a_specific_partition).
 * The source is the run's `STAGING_PREFIX` when a pipeline passes one, else the raw bucket; a date range keeps
 * only its days.
 *
 * Stopping (`stop` aborted, by SIGTERM or SIGINT): it stops before the next day's load job. A load job is atomic,
 * the day's partition holds the old rows or the new ones (src:
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationLoad, writeDisposition: "Each action
 * is atomic and only occurs if BigQuery is able to complete the job successfully"), and it runs in BigQuery, so one
 * already started completes even if the task is killed waiting for it.
 * @throws Error when no day is found under the source.
 * @throws Stopped once `stop` is aborted, before the next day, saying which days were loaded.
 */
export async function load(params: LoadParams, gcs: () => Gcs, warehouse: Warehouse, stop?: AbortSignal): Promise<LoadResult> {
  const root = `${params.stagingPrefix ?? `gs://${params.rawBucket}/`}${params.dataset}/`;
  const { bucket, name } = parseGsUri(root);
  const days = [...new Set((await gcs().list(bucket, name)).flatMap((object) => /\/date=(\d{4}-\d{2}-\d{2})\/[^/]+\.parquet$/.exec(object)?.[1] ?? []))]
    .filter((day) => !params.range || (day >= params.range.from && day <= params.range.to))
    .sort();
  if (days.length === 0) {
    throw new Error(
      `no Parquet partitions (date=YYYY-MM-DD/*.parquet) under ${root}${params.range ? ` from ${params.range.from} to ${params.range.to}` : ""}: run extract first`,
    );
  }
  const partitions: Record<string, number> = {};
  for (const day of days) {
    safePoint(stop, () => {
      const loaded = Object.keys(partitions);
      return `loaded ${loaded.length} of ${days.length} days (${loaded.join(", ") || "none"}) into ${params.project}.${params.warehouse}.${params.table}; the days not reached keep their rows`;
    });
    const config: LoadJobConfig = {
      sourceUris: [`${root}date=${day}/*.parquet`],
      sourceFormat: "PARQUET",
      destinationTable: { projectId: params.project, datasetId: params.warehouse, tableId: `${params.table}$${day.replace(/-/g, "")}` },
      writeDisposition: "WRITE_TRUNCATE",
      createDisposition: "CREATE_IF_NEEDED",
      timePartitioning: { type: "DAY", field: "date" },
    };
    partitions[day] = await warehouse.load(config);
  }
  const rowsLoaded = Object.values(partitions).reduce((a, b) => a + b, 0);
  return { table: `${params.project}.${params.warehouse}.${params.table}`, source: root, rowsLoaded, partitions };
}
