/**
 * The env names a chain of jobs sets on every step, defined once for the components (the Workflows definition),
 * the runner (`npm run job -- pipeline`) and the local runs. The ETL container reads them too and keeps its own names:
 * it depends on no package of the library (test/cli/contract/contract.test.ts checks they agree).
 */
export const CHAIN_ENV = {
  /** The run's id, the same in every step: `RUN_ID`. */
  runId: "RUN_ID",
  /** `gs://<staging bucket>/<run id>/`, where a step leaves what the next one reads: `STAGING_PREFIX`. */
  stagingPrefix: "STAGING_PREFIX",
} as const;

/**
 * Both names, in the order steps receive them.
 * @example
 * const own = CHAIN_ENV_NAMES.filter((name) => name in process.env);
 */
export const CHAIN_ENV_NAMES = [CHAIN_ENV.runId, CHAIN_ENV.stagingPrefix] as const;
