import { Clients, runProcess } from "../src/main";
import { createLogger, processIo } from "@cloudrun-pipelines/images-shared";
import { duckdbWarehouse } from "./duckdb-warehouse";
import { folderStorage } from "./folder-storage";

/**
 * The ETL image's entry point (`images/etl/src/main.ts`, `node /app/dist/main.js <job> [args]`) for local runs: the
 * same jobs, arguments and env, with the bucket folders of `LOCAL_STORE_DIR` for Cloud Storage and the DuckDB file
 * `LOCAL_WAREHOUSE_FILE` for BigQuery, stopping on SIGTERM or SIGINT as the image does. `npm run job -- --local` and
 * `npm run local -- pipeline` start it.
 */
if (require.main === module) {
  const storeDir = process.env.LOCAL_STORE_DIR;
  const warehouseFile = process.env.LOCAL_WAREHOUSE_FILE;
  if (!storeDir || !warehouseFile) {
    createLogger(processIo)(
      "ERROR",
      "missing LOCAL_STORE_DIR or LOCAL_WAREHOUSE_FILE: run the jobs with npm run job -- --local, or npm run local -- pipeline etl",
    );
    process.exitCode = 2;
  } else {
    const clients: Clients = { gcs: () => folderStorage(storeDir), warehouse: () => duckdbWarehouse(warehouseFile, storeDir) };
    runProcess(clients);
  }
}
