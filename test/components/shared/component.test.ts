import * as gcp from "../../../components/shared/gcp";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { Bucket } from "../../../components/bucket";
import { applyTransform } from "../../../components/shared/component";
import { DEV, errorOf, registered, useMockRuntime } from "../../helpers/pulumi";

const BUCKET = "gcp:storage/bucket:Bucket";
const bucketArgs = (id: string) => ({ bucketName: `p-dev-${id}`, location: "EU", envName: `${id.toUpperCase()}_BUCKET`, policy: DEV });

describe("PipelineComponent", () => {
  const recorder = useMockRuntime();

  it("children wait for the component's dependsOn (Pulumi does not pass a component's dependsOn on to its children)", async () => {
    const first = new gcp.storage.Bucket("someResource", { name: "p-dev-first", location: "EU" });
    new Bucket("second", bucketArgs("second"), { dependsOn: [first] });
    await registered(recorder);
    const upstream = recorder.get(BUCKET, "someResource");
    const child = recorder.get(BUCKET, "second-bucket");
    expect(child.dependencies).to.include(upstream.urn);
    expect(child.parent).to.equal(recorder.get("pipelines:gcp:Bucket", "second").urn);
  });

  it("children wait for a single dependsOn resource (not only for an array) and for another component's children", async () => {
    const first = new Bucket("first", bucketArgs("first"));
    new Bucket("second", bucketArgs("second"), { dependsOn: first });
    await registered(recorder);
    expect(recorder.get(BUCKET, "second-bucket").dependencies).to.include(recorder.get(BUCKET, "first-bucket").urn);
  });

  it("a component without dependsOn gives its children no dependency", async () => {
    new Bucket("alone", bucketArgs("alone"));
    await registered(recorder);
    expect(recorder.get(BUCKET, "alone-bucket").dependencies).to.deep.equal([]);
  });

  it("rejects a dependsOn that is an Output (its children could not inherit it), with the fix", () => {
    const first = new Bucket("first", bucketArgs("first"));
    expect(errorOf(() => new Bucket("second", bucketArgs("second"), { dependsOn: pulumi.output([first]) }))).to.equal(
      "Bucket(second).opts.dependsOn: is an Output or Promise; pass resources (or an array of resources) directly",
    );
  });

  it("rejects an Output dependsOn before declaring anything (input errors fail before any resource is declared)", async () => {
    const first = new gcp.storage.Bucket("someResource", { name: "p-dev-first", location: "EU" });
    await registered(recorder);
    recorder.clear();
    expect(errorOf(() => new Bucket("second", bucketArgs("second"), { dependsOn: pulumi.output([first]) }))).to.match(
      /^Bucket\(second\)\.opts\.dependsOn: is an Output or Promise/,
    );
    expect(await registered(recorder)).to.deep.equal([]);
  });

  it("applyTransform: none keeps the args, an object is merged over them, a function replaces them", () => {
    const args = { a: 1, b: 2 };
    expect(applyTransform(args, undefined)).to.equal(args);
    expect(applyTransform(args, { b: 3 })).to.deep.equal({ a: 1, b: 3 });
    expect(applyTransform(args, (x) => ({ ...x, a: x.a + 10 }))).to.deep.equal({ a: 11, b: 2 });
  });
});
