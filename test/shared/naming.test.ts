import { expect } from "chai";
import { childName, NAME_RULES, NameKind, physicalName } from "../../components/shared/naming";

describe("naming", () => {
  it("joins parts with each kind's separator, lower-cased, invalid characters replaced", () => {
    expect(physicalName("serviceAccount", ["dev", "etl", "extract"])).to.equal("dev-etl-extract");
    expect(physicalName("dataset", ["dev", "Warehouse"])).to.equal("dev_warehouse");
    expect(physicalName("bucket", ["my-proj", "dev", "raw data"])).to.equal("my-proj-dev-raw-data");
    expect(physicalName("cloudRunJob", ["dev", "etl", "--load--"])).to.equal("dev-etl-load");
  });

  it("cuts a long name to the kind's limit with a hash of the whole name, stable and distinct", () => {
    const a = physicalName("serviceAccount", ["production", "pipelines", "extract", "nightly-schedule"]);
    const b = physicalName("serviceAccount", ["production", "pipelines", "extract", "nightly-schedule-2"]);
    expect(a).to.have.length.at.most(30);
    expect(a).to.match(/^production-pipelines-ex-[0-9a-f]{6}$/);
    expect(a).to.equal(physicalName("serviceAccount", ["production", "pipelines", "extract", "nightly-schedule"]));
    expect(a).not.to.equal(b);
    expect(physicalName("bucket", ["p".repeat(30), "prod", "x".repeat(40)])).to.have.length(63);
  });

  it("pads a service account id shorter than GCP's 6 characters", () => {
    expect(physicalName("serviceAccount", ["qa", "x"])).to.match(/^qa-x-[0-9a-f]{6}$/);
  });

  it("every name it makes matches its kind's rule", () => {
    const parts = [["dev", "etl", "transform"], ["a".repeat(80)], ["Prod", "Images"], ["x1", "y2", "z3"]];
    for (const kind of Object.keys(NAME_RULES) as NameKind[]) {
      for (const p of parts) expect(physicalName(kind, p), `${kind} ${p}`).to.match(NAME_RULES[kind].pattern);
    }
  });

  it("refuses what cannot be made valid: nothing left, a leading digit where a letter is needed, google in a bucket name", () => {
    expect(() => physicalName("cloudRunJob", ["---"])).to.throw(/^name of cloudRunJob \[---\]: "[^"]*" is not a valid cloudRunJob name/);
    expect(() => physicalName("serviceAccount", ["1dev", "etl"])).to.throw(/is not a valid serviceAccount name/);
    expect(() => physicalName("bucket", ["google", "data"])).to.throw(/is not a valid bucket name/);
  });

  it("child logical names start with the component's name", () => {
    expect(childName("extract", "sa")).to.equal("extract-sa");
    expect(childName("extract", "secret", "api_key")).to.equal("extract-secret-api_key");
  });
});
