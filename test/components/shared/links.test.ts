import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { Bucket } from "../../../components/bucket";
import { Dataset } from "../../../components/dataset";
import { checkEnvName, Grant, Link, resolveLinks } from "../../../components/shared/links";
import { DEV, errorOf, promiseOf, useMockRuntime } from "../../helpers/pulumi";

const grant = (key: string): Grant => ({ key, role: `roles/${key}`, scope: "x", bind: () => undefined as unknown as pulumi.CustomResource });

describe("links", () => {
  useMockRuntime();

  it("resolveLinks merges env and keeps one grant per key (the shared project grant once), in first-seen order", () => {
    const a: Link = { env: { A: "1" }, grants: [grant("a"), grant("project")] };
    const b: Link = { env: { B: "2" }, grants: [grant("b"), grant("project")] };
    const resolved = resolveLinks("J", [a, b]);
    expect(resolved.env).to.deep.equal({ A: "1", B: "2" });
    expect(resolved.grants.map((g) => g.key)).to.deep.equal(["a", "project", "b"]);
  });

  it("no links: no env and no grants", () => {
    expect(resolveLinks("J", [])).to.deep.equal({ env: {}, secretEnv: {}, dependsOn: [], grants: [] });
  });

  it("a workload linking two datasets gets the project-level bigquery.jobUser once (same grant key)", async () => {
    const warehouse = new Dataset("warehouse", { datasetId: "dev_warehouse", location: "EU", envName: "WAREHOUSE_DATASET", policy: DEV });
    const marts = new Dataset("marts", { datasetId: "dev_marts", location: "EU", envName: "MARTS_DATASET", policy: DEV });
    const raw = new Bucket("raw", { bucketName: "p-dev-raw", location: "EU", envName: "RAW_BUCKET", policy: DEV });
    const resolved = resolveLinks("J", [warehouse.write, marts.read, raw.read]);
    expect(resolved.grants.map((g) => [g.key, g.role])).to.deep.equal([
      ["warehouse-dataEditor", "roles/bigquery.dataEditor"],
      ["project-bigquery-jobUser", "roles/bigquery.jobUser"],
      ["marts-dataViewer", "roles/bigquery.dataViewer"],
      ["raw-objectViewer", "roles/storage.objectViewer"],
    ]);
    expect(Object.keys(resolved.env)).to.deep.equal(["WAREHOUSE_DATASET", "MARTS_DATASET", "RAW_BUCKET"]);
    expect(await promiseOf(pulumi.output(resolved.env.MARTS_DATASET))).to.equal("dev_marts");
  });

  it("resolveLinks refuses a variable set by two links, and one set by a link and env, naming the field", () => {
    expect(
      errorOf(() =>
        resolveLinks("J", [
          { env: { A: "1" }, grants: [] },
          { env: { A: "2" }, grants: [] },
        ]),
      ),
    ).to.equal("J: the environment variable A is set by two links or by a link and env; link each resource once and leave its variable to the link");
    expect(errorOf(() => resolveLinks("J", [{ env: { A: "1" }, grants: [] }], { A: "x" }))).to.match(
      /^J: the environment variable A is set by two links or by a link and env/,
    );
  });

  it("resolveLinks refuses the same bucket linked twice (read and write both set its variable)", () => {
    const raw = new Bucket("raw", { bucketName: "p-dev-raw", location: "EU", envName: "RAW_BUCKET", policy: DEV });
    expect(errorOf(() => resolveLinks("CloudRunJob(x)", [raw.read, raw.write]))).to.match(
      /^CloudRunJob\(x\): the environment variable RAW_BUCKET is set by two links/,
    );
  });

  it("checkEnvName wants upper case names", () => {
    expect(() => checkEnvName("B.envName", "raw", "RAW_BUCKET")).to.throw(
      'B.envName: "raw" is not an environment variable name; use upper case letters, digits and underscores, e.g. RAW_BUCKET',
    );
    expect(() => checkEnvName("B.envName", "1RAW", "RAW_BUCKET")).to.throw(/^B\.envName: "1RAW" is not an environment variable name/);
    expect(() => checkEnvName("B.envName", "RAW-BUCKET", "RAW_BUCKET")).to.throw(/^B\.envName: "RAW-BUCKET"/);
    expect(() => checkEnvName("B.envName", "RAW_BUCKET", "X")).not.to.throw();
  });
});
