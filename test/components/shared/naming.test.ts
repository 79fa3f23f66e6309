import { expect } from "chai";
import { childName, NAME_RULES, NameKind, physicalName, shortHash } from "../../../components/shared/naming";

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
      for (const p of parts) expect(physicalName(kind, p), `${kind} ${p.join(",")}`).to.match(NAME_RULES[kind].pattern);
    }
  });

  it("refuses what cannot be made valid: nothing left, a leading digit where a letter is needed, google in a bucket name", () => {
    expect(() => physicalName("cloudRunJob", ["---"])).to.throw(/^name of cloudRunJob \[---\]: "[^"]*" is not a valid cloudRunJob name/);
    expect(() => physicalName("serviceAccount", ["1dev", "etl"])).to.throw(/is not a valid serviceAccount name/);
    expect(() => physicalName("bucket", ["google", "data"])).to.throw(/is not a valid bucket name/);
  });

  it("truncation: every kind is cut to exactly its maximum, ending in a hyphen or underscore and the 6-hex hash of the whole name", () => {
    for (const kind of Object.keys(NAME_RULES) as NameKind[]) {
      const rule = NAME_RULES[kind];
      const parts = ["abc", "d".repeat(rule.max)];
      const full = `abc${rule.separator}${"d".repeat(rule.max)}`;
      const name = physicalName(kind, parts);
      expect(name, kind).to.have.length(rule.max);
      expect(name.endsWith(`${rule.separator}${shortHash(full)}`), `${kind} ${name}`).to.equal(true);
      expect(name, kind).to.match(rule.pattern);
    }
    expect(shortHash("x")).to.match(/^[0-9a-f]{6}$/);
  });

  it("truncation: two long names with the same first 30 characters stay distinct, and each is stable", () => {
    const prefix = "pipelines-production-transform";
    const a = physicalName("serviceAccount", [prefix, "alpha"]);
    const b = physicalName("serviceAccount", [prefix, "beta"]);
    expect(a).not.to.equal(b);
    expect(a.slice(0, 23)).to.equal(b.slice(0, 23));
    expect(physicalName("serviceAccount", [prefix, "alpha"])).to.equal(a);
    expect(physicalName("serviceAccount", [prefix, "beta"])).to.equal(b);
  });

  it("a name at exactly the limit is kept as it is (no hash)", () => {
    expect(physicalName("serviceAccount", ["a".repeat(30)])).to.equal("a".repeat(30));
    expect(physicalName("cloudRunJob", ["j".repeat(63)])).to.equal("j".repeat(63));
  });

  it("padding: a too-short service account id gets the hash, and the result is 6-30 characters", () => {
    const name = physicalName("serviceAccount", ["ab"]);
    expect(name).to.equal(`ab-${shortHash("ab")}`);
    expect(name).to.match(NAME_RULES.serviceAccount.pattern);
  });

  it("bucket names never contain google nor start with goog (GCS refuses them)", () => {
    for (const parts of [["google"], ["my", "google", "data"], ["mygoogledata"], ["goog", "data"], ["GOOGLE", "x"]]) {
      expect(() => physicalName("bucket", parts), parts.join(",")).to.throw(/^name of bucket \[.*\]: ".*" is not a valid bucket name/);
    }
    expect(physicalName("bucket", ["my", "goog", "data"])).to.equal("my-goog-data");
  });

  it("the dataset kind uses underscores, never hyphens (BigQuery ids have none)", () => {
    expect(physicalName("dataset", ["my-proj", "dev", "warehouse"])).to.equal("my_proj_dev_warehouse");
    expect(physicalName("dataset", ["a".repeat(2000)])).to.have.length(1024);
  });

  it("child logical names start with the component's name", () => {
    expect(childName("extract", "sa")).to.equal("extract-sa");
    expect(childName("extract", "secret", "api_key")).to.equal("extract-secret-api_key");
  });
});
