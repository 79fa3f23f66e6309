import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { Bucket } from "../../components/bucket";
import { checkEnvName, Grant, Link, resolveLinks } from "../../components/shared/links";
import { DEV, errorOf, registered, useMockRuntime } from "../helpers/pulumi";

const grant = (key: string): Grant => ({ key, role: `roles/${key}`, scope: "x", bind: () => undefined as unknown as pulumi.CustomResource });

describe("links and the component base", () => {
  const recorder = useMockRuntime();

  it("resolveLinks merges env and keeps one grant per key (the shared project grant once)", () => {
    const a: Link = { env: { A: "1" }, grants: [grant("a"), grant("project")] };
    const b: Link = { env: { B: "2" }, grants: [grant("b"), grant("project")] };
    const resolved = resolveLinks("J", [a, b]);
    expect(resolved.env).to.deep.equal({ A: "1", B: "2" });
    expect(resolved.grants.map((g) => g.key)).to.deep.equal(["a", "project", "b"]);
  });

  it("resolveLinks refuses a variable set twice", () => {
    expect(errorOf(() => resolveLinks("J", [{ env: { A: "1" }, grants: [] }, { env: { A: "2" }, grants: [] }]))).to.match(/^J: the environment variable A is set by two links/);
    expect(errorOf(() => resolveLinks("J", [{ env: { A: "1" }, grants: [] }], { A: "x" }))).to.match(/^J: the environment variable A/);
  });

  it("checkEnvName wants upper case names", () => {
    expect(() => checkEnvName("B.envName", "raw", "RAW_BUCKET")).to.throw('B.envName: "raw" is not an environment variable name; use upper case letters, digits and underscores, e.g. RAW_BUCKET');
    expect(() => checkEnvName("B.envName", "RAW_BUCKET", "X")).not.to.throw();
  });

  it("a component's dependsOn reaches its children (Pulumi does not pass it on by itself)", async () => {
    const first = new Bucket("first", { bucketName: "p-first", location: "EU", envName: "FIRST_BUCKET", policy: DEV });
    new Bucket("second", { bucketName: "p-second", location: "EU", envName: "SECOND_BUCKET", policy: DEV }, { dependsOn: first });
    await registered(recorder);
    expect(recorder.get("gcp:storage/bucket:Bucket", "second-bucket").dependencies).to.include(recorder.get("gcp:storage/bucket:Bucket", "first-bucket").urn);
  });

  it("a dependsOn that is an Output is refused with the fix", () => {
    const first = new Bucket("first", { bucketName: "p-first", location: "EU", envName: "FIRST_BUCKET", policy: DEV });
    expect(
      errorOf(() => new Bucket("second", { bucketName: "p-second", location: "EU", envName: "SECOND_BUCKET", policy: DEV }, { dependsOn: pulumi.output([first]) })),
    ).to.equal("pipelines:gcp:Bucket dependsOn: is an Output or Promise; pass resources (or an array of resources) directly");
  });
});
