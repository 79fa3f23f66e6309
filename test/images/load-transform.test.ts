import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Gcs } from "../../images/etl/src/gcs";
import { EXIT, main } from "../../images/etl/src/main";
import { LoadJobConfig, QueryJobConfig, Warehouse } from "../../images/etl/src/warehouse";
import { logLine } from "../helpers/image-output";

/** A bucket listing, a BigQuery that records every job configuration. */
function fakes(objects: string[], rowsPerLoad = 100, failQuery?: string) {
  const jobs: (LoadJobConfig | QueryJobConfig)[] = [];
  const listed: string[] = [];
  const gcs: Gcs = {
    list: async (bucket, prefix) => (listed.push(`${bucket}/${prefix}`), objects.filter((o) => o.startsWith(prefix))),
    download: async () => undefined,
    upload: async () => undefined,
    delete: async () => undefined,
  };
  const warehouse: Warehouse = {
    load: async (config) => (jobs.push(config), rowsPerLoad),
    query: async (config) => {
      jobs.push(config);
      if (failQuery && config.query.includes(failQuery)) throw new Error("Syntax error: Unexpected identifier");
      return undefined;
    },
  };
  return { jobs, listed, clients: { gcs: () => gcs, warehouse: () => warehouse } };
}

async function run(argv: string[], env: Record<string, string>, clients: ReturnType<typeof fakes>["clients"]) {
  const lines: string[] = [];
  const io = { stdout: (l: string) => lines.push(l), stderr: (l: string) => lines.push(l) };
  const code = await main(argv, env, io, clients);
  return { code, last: logLine(lines[lines.length - 1]) };
}

const ENV = { GOOGLE_CLOUD_PROJECT: "p", RAW_BUCKET: "p-dev-raw", WAREHOUSE_DATASET: "dev_warehouse" };
const OBJECTS = [
  "flights/date=2001-01-01/part-0.parquet",
  "flights/date=2001-01-02/part-0.parquet",
  "flights/date=2001-01-02/part-1.parquet",
  "flights/date=2001-02-01/part-0.parquet",
  "flights/_SUCCESS",
];

describe("images/etl load and transform (BigQuery jobs against a fake client)", () => {
  it("load: one load job per day into that day's partition with WRITE_TRUNCATE, so a re-run replaces exactly those days", async () => {
    const { jobs, listed, clients } = fakes(OBJECTS);
    const { code, last } = await run(["load", "--dataset", "flights", "--from", "2001-01-01", "--to", "2001-01-31"], ENV, clients);
    expect(code).to.equal(EXIT.ok);
    expect(listed).to.deep.equal(["p-dev-raw/flights/"]);
    const day = (d: string) => ({
      sourceUris: [`gs://p-dev-raw/flights/date=${d}/*.parquet`],
      sourceFormat: "PARQUET",
      destinationTable: { projectId: "p", datasetId: "dev_warehouse", tableId: `flights$${d.replace(/-/g, "")}` },
      writeDisposition: "WRITE_TRUNCATE",
      createDisposition: "CREATE_IF_NEEDED",
      timePartitioning: { type: "DAY", field: "date" },
    });
    expect(jobs).to.deep.equal([day("2001-01-01"), day("2001-01-02")]);
    expect(last).to.deep.include({
      severity: "NOTICE",
      message: "load: loaded 200 rows into 2 daily partitions of p.dev_warehouse.flights from gs://p-dev-raw/flights/",
    });
  });

  it("load reads the pipeline run's staging prefix when one is passed, into the table named", async () => {
    const { jobs, listed, clients } = fakes(["run-1/flights/date=2001-01-01/part-0.parquet"].map((o) => o));
    const { code } = await run(["load", "--dataset", "flights", "--table", "flights_raw"], { ...ENV, STAGING_PREFIX: "gs://p-dev-staging/run-1/" }, clients);
    expect(code).to.equal(EXIT.ok);
    expect(listed).to.deep.equal(["p-dev-staging/run-1/flights/"]);
    expect((jobs[0] as LoadJobConfig).sourceUris).to.deep.equal(["gs://p-dev-staging/run-1/flights/date=2001-01-01/*.parquet"]);
    expect((jobs[0] as LoadJobConfig).destinationTable.tableId).to.equal("flights_raw$20010101");
  });

  it("load fails clearly when extract wrote nothing for the range: exit 1, no job", async () => {
    const { jobs, clients } = fakes(OBJECTS);
    const { code, last } = await run(["load", "--dataset", "flights", "--year", "2002"], ENV, clients);
    expect(code).to.equal(EXIT.failed);
    expect(jobs).to.deep.equal([]);
    expect(last.message).to.equal(
      "load failed: no Parquet partitions (date=YYYY-MM-DD/*.parquet) under gs://p-dev-raw/flights/ from 2002-01-01 to 2002-12-31: run extract first",
    );
  });

  it("transform: each SQL file in name order, as a query job in the warehouse dataset with @date_from and @date_to", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sql-"));
    fs.writeFileSync(path.join(dir, "020_b.sql"), "CREATE OR REPLACE TABLE b AS SELECT 2");
    fs.writeFileSync(path.join(dir, "010_a.sql"), "CREATE OR REPLACE TABLE a AS SELECT 1");
    const { jobs, clients } = fakes([]);
    const { code, last } = await run(["transform", "--sql-dir", dir, "--year", "2001", "--month", "1"], ENV, clients);
    expect(code).to.equal(EXIT.ok);
    const query = (sql: string) => ({
      query: sql,
      useLegacySql: false,
      defaultDataset: { projectId: "p", datasetId: "dev_warehouse" },
      parameterMode: "NAMED",
      queryParameters: [
        { name: "date_from", parameterType: { type: "DATE" }, parameterValue: { value: "2001-01-01" } },
        { name: "date_to", parameterType: { type: "DATE" }, parameterValue: { value: "2001-01-31" } },
      ],
    });
    expect(jobs).to.deep.equal([query("CREATE OR REPLACE TABLE a AS SELECT 1"), query("CREATE OR REPLACE TABLE b AS SELECT 2")]);
    expect(last.message).to.equal("transform: ran 2 SQL files in p.dev_warehouse");
  });

  it("transform without a range covers every day; the image's own SQL builds daily_summary from flights", async () => {
    const { jobs, clients } = fakes([]);
    expect((await run(["transform"], ENV, clients)).code).to.equal(EXIT.ok);
    const first = jobs[0] as QueryJobConfig;
    expect(first.query).to.match(/CREATE OR REPLACE TABLE daily_summary/);
    expect(first.queryParameters.map((p) => p.parameterValue.value)).to.deep.equal(["0001-01-01", "9999-12-31"]);
  });

  it("transform stops at the first failing file and names it: exit 1", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sql-"));
    fs.writeFileSync(path.join(dir, "010_bad.sql"), "CREATE OR REPLACE TABLE x AS SELEC 1");
    fs.writeFileSync(path.join(dir, "020_next.sql"), "SELECT 1");
    const { jobs, clients } = fakes([], 0, "SELEC 1");
    const { code, last } = await run(["transform", "--sql-dir", dir], ENV, clients);
    expect(code).to.equal(EXIT.failed);
    expect(jobs).to.have.length(1);
    expect(last.message).to.equal("transform failed: 010_bad.sql: Syntax error: Unexpected identifier");
  });
});
