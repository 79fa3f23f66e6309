import * as fs from "fs";
import * as path from "path";
import { TransformParams } from "../params";
import { safePoint } from "../safe-point";
import { QueryJobConfig, Warehouse } from "../warehouse";

/** The date range a transform without one covers: every day. */
export const ALL_DAYS = { from: "0001-01-01", to: "9999-12-31" } as const;

/**
 * Runs the SQL files (`CREATE OR REPLACE ...` of curated tables), in name order, as query jobs in the warehouse
 * dataset (the default dataset, so the SQL names tables without a dataset) with the named DATE parameters
 * `@date_from` and `@date_to` (the run's range, else every day). Stops at the first failing file.
 *
 * Stopping (`stop` aborted, by SIGTERM or SIGINT): it stops before the next file; a query job already started runs
 * on in BigQuery even if the task is killed waiting for it. That a `CREATE OR REPLACE TABLE ... AS` job replaces the
 * table only when it succeeds, leaving the old one otherwise, is UNVERIFIED: Google states it for load and query
 * jobs' write dispositions ("Each action is atomic and only occurs if BigQuery is able to complete the job
 * successfully", src: https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationQuery), not
 * found stated for DDL statements.
 * @returns the files run, in order.
 * @throws Stopped once `stop` is aborted, before the next file, saying which files ran.
 */
export async function transform(params: TransformParams, files: readonly string[], warehouse: Warehouse, stop?: AbortSignal): Promise<string[]> {
  const range = params.range ?? ALL_DAYS;
  for (const [ran, file] of files.entries()) {
    safePoint(stop, () => `ran ${ran} of ${files.length} SQL files (${files.slice(0, ran).join(", ") || "none"}) in ${params.project}.${params.warehouse}`);
    const config: QueryJobConfig = {
      query: fs.readFileSync(path.join(params.sqlDir, file), "utf8"),
      useLegacySql: false,
      defaultDataset: { projectId: params.project, datasetId: params.warehouse },
      parameterMode: "NAMED",
      queryParameters: [
        { name: "date_from", parameterType: { type: "DATE" }, parameterValue: { value: range.from } },
        { name: "date_to", parameterType: { type: "DATE" }, parameterValue: { value: range.to } },
      ],
    };
    try {
      await warehouse.query(config);
    } catch (err) {
      throw new Error(`${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  return [...files];
}
