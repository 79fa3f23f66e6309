import { expect } from "chai";
import { Dataset } from "../../components/dataset";
import { DEV, errorOf, PROD, registered, useMockRuntime } from "../helpers/pulumi";

const DATASET = "gcp:bigquery/dataset:Dataset";
const SA = "serviceAccount:load@test-project.iam.gserviceaccount.com";

describe("Dataset", () => {
  const recorder = useMockRuntime();

  it("dev: tables deleted with the dataset (else destroy fails with resourceInUse), expiration in ms, no `accesses`", async () => {
    new Dataset("warehouse", { datasetId: "dev_warehouse", location: "europe-west1", envName: "WAREHOUSE_DATASET", policy: DEV, defaultTableExpirationDays: 30 });
    await registered(recorder);
    const dataset = recorder.get(DATASET, "warehouse-dataset");
    expect(dataset.inputs).to.deep.equal({ datasetId: "dev_warehouse", location: "europe-west1", deleteContentsOnDestroy: true, defaultTableExpirationMs: 2_592_000_000 });
    expect(dataset.protect).to.equal(false);
  });

  it("prod: protected, tables kept, no expiration unless set", async () => {
    new Dataset("warehouse", { datasetId: "prod_warehouse", location: "EU", envName: "WAREHOUSE_DATASET", policy: PROD });
    await registered(recorder);
    const dataset = recorder.get(DATASET, "warehouse-dataset");
    expect(dataset.inputs).to.deep.equal({ datasetId: "prod_warehouse", location: "EU", deleteContentsOnDestroy: false });
    expect(dataset.protect).to.equal(true);
  });

  it("links: read = dataViewer, write = dataEditor on this dataset, each with jobUser on the dataset's project under one shared key", async () => {
    const dataset = new Dataset("warehouse", { datasetId: "dev_warehouse", location: "EU", envName: "WAREHOUSE_DATASET", policy: DEV });
    const describe = (grants: typeof dataset.read.grants) => grants.map((g) => [g.key, g.role, g.scope]);
    expect(describe(dataset.read.grants)).to.deep.equal([
      ["warehouse-dataViewer", "roles/bigquery.dataViewer", "dataset warehouse"],
      ["project-bigquery-jobUser", "roles/bigquery.jobUser", "project"],
    ]);
    expect(describe(dataset.write.grants)).to.deep.equal([
      ["warehouse-dataEditor", "roles/bigquery.dataEditor", "dataset warehouse"],
      ["project-bigquery-jobUser", "roles/bigquery.jobUser", "project"],
    ]);
    expect(Object.keys(dataset.write.env)).to.deep.equal(["WAREHOUSE_DATASET"]);
    dataset.write.grants[0].bind("editor", SA, {});
    dataset.write.grants[1].bind("job-user", SA, {});
    await registered(recorder);
    expect(recorder.get("gcp:bigquery/datasetIamMember:DatasetIamMember", "editor").inputs).to.deep.equal({ datasetId: "dev_warehouse", role: "roles/bigquery.dataEditor", member: SA });
    expect(recorder.get("gcp:projects/iAMMember:IAMMember", "job-user").inputs).to.deep.equal({ project: "test-project", role: "roles/bigquery.jobUser", member: SA });
  });

  it("rejects a dataset id with a hyphen and an expiration under BigQuery's one hour, before declaring anything", async () => {
    const base = { location: "EU", envName: "WAREHOUSE_DATASET", policy: DEV };
    expect(errorOf(() => new Dataset("a", { ...base, datasetId: "dev-warehouse" }))).to.match(/^Dataset\(a\)\.datasetId: "dev-warehouse" is not a valid dataset id; use lowercase letters, digits and underscores \(no hyphens\)/);
    expect(errorOf(() => new Dataset("b", { ...base, datasetId: "w", defaultTableExpirationDays: 0.01 }))).to.match(/^Dataset\(b\)\.defaultTableExpirationDays: 0.01 is below BigQuery's minimum of one hour/);
    expect(errorOf(() => new Dataset("c", { ...base, datasetId: "w", envName: "warehouse" }))).to.match(/^Dataset\(c\)\.envName: "warehouse" is not an environment variable name/);
    expect(await registered(recorder)).to.deep.equal([]);
  });
});
