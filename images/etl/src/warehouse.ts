import { BigQuery } from "@google-cloud/bigquery";

/** A BigQuery load job's `configuration.load` (src: https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#jobconfigurationload). */
export interface LoadJobConfig {
  sourceUris: string[];
  sourceFormat: "PARQUET";
  destinationTable: { projectId: string; datasetId: string; tableId: string };
  writeDisposition: "WRITE_TRUNCATE";
  createDisposition: "CREATE_IF_NEEDED";
  timePartitioning: { type: "DAY"; field: string };
}

/** A BigQuery query job's `configuration.query` (src: https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#jobconfigurationquery). */
export interface QueryJobConfig {
  query: string;
  useLegacySql: false;
  defaultDataset: { projectId: string; datasetId: string };
  parameterMode: "NAMED";
  queryParameters: { name: string; parameterType: { type: "DATE" }; parameterValue: { value: string } }[];
}

/** The BigQuery jobs the ETL runs; the real one waits for each job, tests record the configurations. */
export interface Warehouse {
  /** Runs a load job to completion. @returns rows loaded (`statistics.load.outputRows`). */
  load(config: LoadJobConfig): Promise<number>;
  /** Runs a query job to completion. @returns rows affected or written, when BigQuery reports them. */
  query(config: QueryJobConfig): Promise<number | undefined>;
}

/** BigQuery with Application Default Credentials, jobs in `project` and `location`. */
export function bigQuery(project: string, location?: string, client = new BigQuery({ projectId: project })): Warehouse {
  const run = async (configuration: object) => {
    const [job] = await client.createJob({ configuration, ...(location && { location }) });
    // getMetadata is typed `any` (it comes from @google-cloud/common); its value is the job resource.
    const [metadata] = (await job.promise().then(() => job.getMetadata())) as [
      { statistics?: { load?: { outputRows?: string }; query?: { numDmlAffectedRows?: string } } },
    ];
    return metadata.statistics;
  };
  return {
    async load(config) {
      return Number((await run({ load: config }))?.load?.outputRows ?? 0);
    },
    async query(config) {
      const affected = (await run({ query: config }))?.query?.numDmlAffectedRows;
      return affected === undefined ? undefined : Number(affected);
    },
  };
}
