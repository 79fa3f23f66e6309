import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { LoadJobConfig, QueryJobConfig, Warehouse } from "../src/warehouse";
import { localPath } from "./folder-storage";

/**
 * What the DuckDB warehouse changes in BigQuery SQL before running it; anything else must be SQL both engines
 * run (DuckDB's error names the file otherwise). Checked with the ETL's own `sql/` files.
 * - `PARTITION BY <expr>` and `CLUSTER BY <cols>` of `CREATE [OR REPLACE] TABLE … AS` are dropped: they choose
 *   BigQuery's storage layout, not the result (src: https://cloud.google.com/bigquery/docs/reference/standard-sql/data-definition-language#create_table_statement).
 * - Named parameters `@name` become DuckDB's `$name`, cast to the parameter's type
 *   (src: https://duckdb.org/docs/stable/sql/query_syntax/prepared_statements).
 * Not translated, so a file using them fails here with DuckDB's message, naming the file: functions and syntax
 * DuckDB lacks or spells differently, names qualified with a project or another dataset, and BigQuery scripting.
 * `sql/010_daily_summary.sql` runs (its `COUNTIF` is also a DuckDB function; checked with @duckdb/node-api 1.5).
 */
export function portableSql(config: QueryJobConfig): string {
  const types = new Map(config.queryParameters.map((p) => [p.name, p.parameterType.type]));
  return config.query
    .replace(/(CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+[\w.`"]+)\s+(?:PARTITION\s+BY\s+[\w(),\s]+?\s+)?(?:CLUSTER\s+BY\s+[\w,\s]+?\s+)?AS\b/gi, "$1 AS")
    .replace(/@(\w+)/g, (match, name: string) => (types.has(name) ? `CAST($${name} AS ${types.get(name)})` : match));
}

/**
 * The ETL's {@link Warehouse} on a DuckDB file, for local runs: a BigQuery dataset is a DuckDB schema of the same
 * name, a table a table. A load job into the partition `<table>$YYYYMMDD` with WRITE_TRUNCATE replaces that day's
 * rows (`date` column), in one transaction, and creates the table from the first load; its `gs://` source URIs are read from the local
 * bucket folders. A query job runs {@link portableSql} with the default dataset as the schema.
 * @param file - the DuckDB database file (`LOCAL_WAREHOUSE_FILE`).
 * @param storeDir - the folder standing in for Cloud Storage (`LOCAL_STORE_DIR`).
 * @example
 * const clients = { gcs: () => folderStorage(".local/gcs"), warehouse: () => duckdbWarehouse(".local/warehouse.duckdb", ".local/gcs") };
 */
export function duckdbWarehouse(file: string, storeDir: string): Warehouse {
  const withConnection = async <T>(schema: string, work: (c: DuckDBConnection) => Promise<T>): Promise<T> => {
    const db = await DuckDBInstance.create(file);
    const connection = await db.connect();
    try {
      await connection.run(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
      await connection.run(`SET schema = ${literal(schema)}`);
      return await work(connection);
    } finally {
      connection.closeSync();
      db.closeSync();
    }
  };
  return {
    load(config: LoadJobConfig) {
      const [table, partition] = config.destinationTable.tableId.split("$");
      const target = `${ident(config.destinationTable.datasetId)}.${ident(table)}`;
      const files = `read_parquet([${config.sourceUris.map((uri) => literal(localPath(storeDir, uri))).join(", ")}], hive_partitioning = false)`;
      // One transaction, as a BigQuery load job is atomic: the day holds its old rows or the new ones, never none,
      // even if the process is killed between the DELETE and the INSERT (COMMIT is what writes a transaction "to
      // persistent storage", src: https://duckdb.org/docs/stable/sql/statements/transactions).
      return withConnection(config.destinationTable.datasetId, async (c) => {
        await c.run("BEGIN TRANSACTION");
        try {
          await c.run(`CREATE TABLE IF NOT EXISTS ${target} AS SELECT * FROM ${files} LIMIT 0`);
          if (partition) await c.run(`DELETE FROM ${target} WHERE ${ident(config.timePartitioning.field)} = strptime(${literal(partition)}, '%Y%m%d')::DATE`);
          else await c.run(`DELETE FROM ${target}`);
          const inserted = await c.runAndReadAll(`INSERT INTO ${target} BY NAME SELECT * FROM ${files}`);
          await c.run("COMMIT");
          return Number(inserted.getRows()[0]?.[0] ?? 0);
        } catch (err) {
          await c.run("ROLLBACK");
          throw err;
        }
      });
    },
    query(config: QueryJobConfig) {
      const values = Object.fromEntries(config.queryParameters.map((p) => [p.name, p.parameterValue.value]));
      return withConnection(config.defaultDataset.datasetId, async (c) => {
        await c.run(portableSql(config), values);
        return undefined;
      });
    },
  };
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
