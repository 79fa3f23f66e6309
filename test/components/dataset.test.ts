import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { Dataset } from "../../components/dataset";
import { Link, resolveLinks } from "../../components/shared/links";
import { DEV, errorOf, PROD, promiseOf, registered, useMockRuntime } from "../helpers/pulumi";

const DATASET = "gcp:bigquery/dataset:Dataset";
const SA = "serviceAccount:load@test-project.iam.gserviceaccount.com";

describe("Dataset", () => {
  const recorder = useMockRuntime();

  /** Binds a link's two grants for {@link SA}; returns the inputs of the member on the dataset and of the one on the project. */
  const bound = async (link: Link) => {
    link.grants[0].bind("dataset-member", SA, {});
    link.grants[1].bind("project-member", SA, {});
    await registered(recorder);
    return [
      recorder.get("gcp:bigquery/datasetIamMember:DatasetIamMember", "dataset-member").inputs,
      recorder.get("gcp:projects/iAMMember:IAMMember", "project-member").inputs,
    ];
  };

  it("dev: tables deleted with the dataset (else destroy fails with resourceInUse), expiration in ms, no `accesses`", async () => {
    new Dataset("warehouse", {
      datasetId: "dev_warehouse",
      location: "europe-west1",
      envName: "WAREHOUSE_DATASET",
      policy: DEV,
      defaultTableExpirationDays: 30,
    });
    await registered(recorder);
    const dataset = recorder.get(DATASET, "warehouse-dataset");
    expect(dataset.inputs).to.deep.equal({
      datasetId: "dev_warehouse",
      location: "europe-west1",
      deleteContentsOnDestroy: true,
      defaultTableExpirationMs: 2_592_000_000,
    });
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
    expect(await bound(dataset.write)).to.deep.equal([
      { datasetId: "dev_warehouse", role: "roles/bigquery.dataEditor", member: SA },
      { project: "test-project", role: "roles/bigquery.jobUser", member: SA },
    ]);
  });

  it("rejects a dataset id with a hyphen and an expiration under BigQuery's one hour, before declaring anything", async () => {
    const base = { location: "EU", envName: "WAREHOUSE_DATASET", policy: DEV };
    expect(errorOf(() => new Dataset("a", { ...base, datasetId: "dev-warehouse" }))).to.match(
      /^Dataset\(a\)\.datasetId: "dev-warehouse" is not a valid dataset id; use lowercase letters, digits and underscores \(no hyphens\)/,
    );
    expect(errorOf(() => new Dataset("b", { ...base, datasetId: "w", defaultTableExpirationDays: 0.01 }))).to.match(
      /^Dataset\(b\)\.defaultTableExpirationDays: 0.01 is below BigQuery's minimum of one hour/,
    );
    expect(errorOf(() => new Dataset("c", { ...base, datasetId: "w", envName: "warehouse" }))).to.match(
      /^Dataset\(c\)\.envName: "warehouse" is not an environment variable name/,
    );
    expect(await registered(recorder)).to.deep.equal([]);
  });
  it("expiration: exactly one hour (BigQuery's minimum) is accepted as 3600000 ms, a fraction of a day is rounded to whole ms", async () => {
    new Dataset("hourly", { datasetId: "dev_hourly", location: "EU", envName: "HOURLY_DATASET", policy: DEV, defaultTableExpirationDays: 1 / 24 });
    new Dataset("weekly", { datasetId: "dev_weekly", location: "EU", envName: "WEEKLY_DATASET", policy: DEV, defaultTableExpirationDays: 7 });
    await registered(recorder);
    expect(recorder.get(DATASET, "hourly-dataset").inputs.defaultTableExpirationMs).to.equal(3_600_000);
    expect(recorder.get(DATASET, "weekly-dataset").inputs.defaultTableExpirationMs).to.equal(7 * 86_400_000);
  });

  it("IAM only through DatasetIamMember: the dataset never sets `accesses` (the two fight), in dev or prod", async () => {
    new Dataset("a", { datasetId: "dev_a", location: "EU", envName: "A_DATASET", policy: DEV, defaultTableExpirationDays: 1 });
    new Dataset("b", { datasetId: "prod_b", location: "EU", envName: "B_DATASET", policy: PROD });
    const resources = await registered(recorder);
    for (const dataset of resources.filter((r) => r.type === DATASET)) expect(dataset.inputs, dataset.name).not.to.have.property("accesses");
    expect(resources.filter((r) => r.custom).map((r) => r.type)).to.deep.equal([DATASET, DATASET]);
  });

  it("the read link binds exactly dataViewer on this dataset and jobUser on the dataset's project, with the dataset id as env", async () => {
    const dataset = new Dataset("warehouse", { datasetId: "dev_warehouse", location: "EU", envName: "WAREHOUSE_DATASET", policy: DEV });
    expect(await bound(dataset.read)).to.deep.equal([
      { datasetId: "dev_warehouse", role: "roles/bigquery.dataViewer", member: SA },
      { project: "test-project", role: "roles/bigquery.jobUser", member: SA },
    ]);
    expect(await promiseOf(pulumi.output(dataset.read.env.WAREHOUSE_DATASET))).to.equal("dev_warehouse");
  });

  it("the jobUser grant key is shared, so a workload linking two datasets gets it once", () => {
    const a = new Dataset("a", { datasetId: "dev_a", location: "EU", envName: "A_DATASET", policy: DEV });
    const b = new Dataset("b", { datasetId: "dev_b", location: "EU", envName: "B_DATASET", policy: DEV });
    const keys = resolveLinks("J", [a.read, b.write]).grants.map((g) => g.key);
    expect(keys).to.deep.equal(["a-dataViewer", "project-bigquery-jobUser", "b-dataEditor"]);
  });
});
