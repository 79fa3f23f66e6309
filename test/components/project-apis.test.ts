import { expect } from "chai";
import { Bucket } from "../../components/bucket";
import { ProjectApis, REQUIRED_APIS } from "../../components/project-apis";
import { DEV, promiseOf, registered, useMockRuntime } from "../helpers/pulumi";

const SERVICE = "gcp:projects/service:Service";

describe("ProjectApis", () => {
  const recorder = useMockRuntime();

  it("enables every API the stack uses and never disables one on destroy (that would break the project's other resources)", async () => {
    const apis = new ProjectApis("apis");
    const resources = await registered(recorder);
    expect(resources.filter((r) => r.type === SERVICE).map((r) => r.inputs)).to.deep.equal(
      [...REQUIRED_APIS].map((service) => ({ service, disableOnDestroy: false, disableDependentServices: false })),
    );
    expect(REQUIRED_APIS).to.deep.equal([
      "artifactregistry.googleapis.com",
      "bigquery.googleapis.com",
      "cloudresourcemanager.googleapis.com",
      "cloudscheduler.googleapis.com",
      "iam.googleapis.com",
      "logging.googleapis.com",
      "pubsub.googleapis.com",
      "run.googleapis.com",
      "secretmanager.googleapis.com",
      "storage.googleapis.com",
      "workflowexecutions.googleapis.com",
      "workflows.googleapis.com",
    ]);
    expect(await promiseOf(apis.services)).to.deep.equal([...REQUIRED_APIS]);
  });

  it("takes its own list, sorted and without duplicates", async () => {
    new ProjectApis("apis", { services: ["run.googleapis.com", "bigquery.googleapis.com", "run.googleapis.com"] });
    const resources = await registered(recorder);
    expect(resources.filter((r) => r.type === SERVICE).map((r) => [r.name, r.inputs.service])).to.deep.equal([
      ["apis-bigquery", "bigquery.googleapis.com"],
      ["apis-run", "run.googleapis.com"],
    ]);
  });

  it("children of a component that depends on the APIs wait for every API (a resource created before its API fails)", async () => {
    const apis = new ProjectApis("apis");
    new Bucket("raw", { bucketName: "p-raw", location: "EU", envName: "RAW_BUCKET", policy: DEV }, { dependsOn: [apis] });
    await registered(recorder);
    const services = recorder.ofType(SERVICE).map((s) => s.urn);
    expect(recorder.get("gcp:storage/bucket:Bucket", "raw-bucket").dependencies).to.include.members(services);
  });
  it("APIs are never disabled on destroy: every Service sets disableOnDestroy and disableDependentServices false explicitly, one per API, named after it", async () => {
    new ProjectApis("apis");
    const resources = await registered(recorder);
    const services = resources.filter((r) => r.type === SERVICE);
    expect(services.map((s) => s.name).sort()).to.deep.equal([...REQUIRED_APIS].sort().map((api) => `apis-${api.split(".")[0]}`));
    for (const s of services) {
      expect(s.inputs, s.name).to.deep.equal({ service: s.inputs.service, disableOnDestroy: false, disableDependentServices: false });
      expect(s.parent, s.name).to.equal(recorder.get("pipelines:gcp:ProjectApis", "apis").urn);
    }
    expect(resources.filter((r) => r.custom)).to.have.length(REQUIRED_APIS.length);
  });

  it("REQUIRED_APIS is sorted and has no duplicates", () => {
    expect([...REQUIRED_APIS]).to.deep.equal([...new Set(REQUIRED_APIS)].sort());
  });

  it("a custom list is deduplicated and sorted in the services output", async () => {
    const apis = new ProjectApis("apis", { services: ["storage.googleapis.com", "run.googleapis.com", "storage.googleapis.com"] });
    expect(await promiseOf(apis.services)).to.deep.equal(["run.googleapis.com", "storage.googleapis.com"]);
    const resources = await registered(recorder);
    expect(resources.filter((r) => r.type === SERVICE).map((r) => r.inputs)).to.have.deep.members([
      { service: "run.googleapis.com", disableOnDestroy: false, disableDependentServices: false },
      { service: "storage.googleapis.com", disableOnDestroy: false, disableDependentServices: false },
    ]);
    expect(resources.filter((r) => r.type === SERVICE)).to.have.length(2);
  });
});
