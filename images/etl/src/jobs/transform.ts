import * as fs from "fs";
import * as path from "path";
import { TransformParams } from "../params";
import { QueryJobConfig, Warehouse } from "../warehouse";

/** The date range a transform without one covers: every day. */
export const ALL_DAYS = { from: "0001-01-01", to: "9999-12-31" } as const;

/**
 * Runs the SQL files (`CREATE OR REPLACE ...` of curated tables), in name order, as query jobs in the warehouse
 * dataset (the default dataset, so the SQL names tables without a dataset) with the named DATE parameters
 * `@date_from` and `@date_to` (the run's range, else every day). Stops at the first failing file.
 * @returns the files run, in order.
 */
export async function transform(params: TransformParams, files: readonly string[], warehouse: Warehouse): Promise<string[]> {
  const range = params.range ?? ALL_DAYS;
  for (const file of files) {
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
