import { expect } from "chai";
import { Bucket, BUCKET_READ_ROLE, BUCKET_WRITE_ROLE, existingBucketRead } from "../../components/bucket";
import { DEV, errorOf, PROD, promiseOf, registered, useMockRuntime } from "../helpers/pulumi";

const BUCKET = "gcp:storage/bucket:Bucket";

describe("Bucket", () => {
  const recorder = useMockRuntime();

  it("dev: uniform access, public access prevention enforced, emptied on destroy, no versioning, staging expiry", async () => {
    const bucket = new Bucket("staging", {
      bucketName: "p-dev-staging",
      location: "europe-west1",
      envName: "STAGING_BUCKET",
      policy: DEV,
      deleteObjectsAfterDays: 7,
    });
    const resources = await registered(recorder);
    const child = recorder.get(BUCKET, "staging-bucket");
    expect(child.inputs).to.deep.equal({
      name: "p-dev-staging",
      location: "europe-west1",
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      forceDestroy: true,
      versioning: { enabled: false },
      lifecycleRules: [{ action: { type: "Delete" }, condition: { age: 7 } }],
      softDeletePolicy: { retentionDurationSeconds: 0 },
    });
    expect(child.protect).to.equal(false);
    expect(resources.filter((r) => r.custom).map((r) => r.type)).to.deep.equal([BUCKET]);
    expect(await promiseOf(bucket.url)).to.equal("gs://p-dev-staging");
  });

  it("prod: protected, never force-destroyed, versioned with noncurrent versions kept 30 days (a non-empty bucket cannot be deleted without forceDestroy in state)", async () => {
    new Bucket("raw", { bucketName: "p-prod-raw", location: "europe-west1", envName: "RAW_BUCKET", policy: PROD });
    await registered(recorder);
    const child = recorder.get(BUCKET, "raw-bucket");
    expect(child.protect).to.equal(true);
    expect(child.inputs.forceDestroy).to.equal(false);
    expect(child.inputs.versioning).to.deep.equal({ enabled: true });
    expect(child.inputs.lifecycleRules).to.deep.equal([{ action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 30, withState: "ARCHIVED" } }]);
  });

  it("links: read is objectViewer, write is objectUser (overwrite needs delete), both on this bucket only, with the bucket's name as env", async () => {
    const bucket = new Bucket("curated", { bucketName: "p-dev-curated", location: "EU", envName: "CURATED_BUCKET", policy: DEV });
    expect(bucket.read.grants.map((g) => [g.key, g.role, g.scope])).to.deep.equal([["curated-objectViewer", BUCKET_READ_ROLE, "bucket curated"]]);
    expect(bucket.write.grants.map((g) => [g.key, g.role, g.scope])).to.deep.equal([["curated-objectUser", BUCKET_WRITE_ROLE, "bucket curated"]]);
    expect(BUCKET_READ_ROLE).to.equal("roles/storage.objectViewer");
    expect(BUCKET_WRITE_ROLE).to.equal("roles/storage.objectUser");
    expect(Object.keys(bucket.read.env)).to.deep.equal(["CURATED_BUCKET"]);
    bucket.write.grants[0].bind("w", "serviceAccount:sa@test-project.iam.gserviceaccount.com", {});
    await registered(recorder);
    expect(recorder.get("gcp:storage/bucketIAMMember:BucketIAMMember", "w").inputs).to.deep.equal({
      bucket: "p-dev-curated",
      role: "roles/storage.objectUser",
      member: "serviceAccount:sa@test-project.iam.gserviceaccount.com",
    });
  });

  it("rejects a name GCS would refuse, an env name that is no variable, and a zero-day expiry, naming the field", () => {
    const base = { location: "EU", envName: "RAW_BUCKET", policy: DEV };
    expect(errorOf(() => new Bucket("a", { ...base, bucketName: "My_Bucket" }))).to.match(/^Bucket\(a\)\.bucketName: "My_Bucket" is not a valid bucket name/);
    expect(errorOf(() => new Bucket("b", { ...base, bucketName: "google-data" }))).to.match(/^Bucket\(b\)\.bucketName/);
    expect(errorOf(() => new Bucket("b", { ...base, bucketName: "my-g00gle-data" }))).to.match(
      /^Bucket\(b\)\.bucketName: "my-g00gle-data" is not a valid bucket name/,
    );
    expect(errorOf(() => new Bucket("c", { ...base, bucketName: "ok-name", envName: "raw-bucket" }))).to.match(/^Bucket\(c\)\.envName: "raw-bucket"/);
    expect(errorOf(() => new Bucket("d", { ...base, bucketName: "ok-name", deleteObjectsAfterDays: 0 }))).to.match(
      /^Bucket\(d\)\.deleteObjectsAfterDays: 0 is not/,
    );
  });

  it("soft delete: off where the policy is destroyable (destroy leaves nothing billable), Google's 7 days or the caller's 7-90 where data is protected", async () => {
    new Bucket("dev-raw", { bucketName: "p-dev-raw", location: "EU", envName: "RAW_BUCKET", policy: DEV });
    new Bucket("prod-raw", { bucketName: "p-prod-raw", location: "EU", envName: "RAW_BUCKET", policy: PROD });
    new Bucket("prod-curated", { bucketName: "p-prod-curated", location: "EU", envName: "CURATED_BUCKET", policy: PROD, softDeleteRetentionDays: 30 });
    new Bucket("prod-staging", { bucketName: "p-prod-staging", location: "EU", envName: "STAGING_BUCKET", policy: PROD, softDeleteRetentionDays: 0 });
    await registered(recorder);
    expect(recorder.get(BUCKET, "dev-raw-bucket").inputs.softDeletePolicy).to.deep.equal({ retentionDurationSeconds: 0 });
    expect(recorder.get(BUCKET, "prod-raw-bucket").inputs.softDeletePolicy).to.deep.equal({ retentionDurationSeconds: 7 * 86_400 });
    expect(recorder.get(BUCKET, "prod-curated-bucket").inputs.softDeletePolicy).to.deep.equal({ retentionDurationSeconds: 30 * 86_400 });
    expect(recorder.get(BUCKET, "prod-staging-bucket").inputs.softDeletePolicy).to.deep.equal({ retentionDurationSeconds: 0 });
  });

  it("rejects a soft delete retention GCS refuses (1-6 days, over 90), and any on a destroyable bucket, declaring nothing", async () => {
    const base = { bucketName: "ok-name", location: "EU", envName: "RAW_BUCKET" };
    expect(errorOf(() => new Bucket("a", { ...base, policy: PROD, softDeleteRetentionDays: 3 }))).to.equal(
      "Bucket(a).softDeleteRetentionDays: 3 is not a soft delete retention GCS accepts; use 0 (off) or a whole number of days from 7 to 90",
    );
    expect(errorOf(() => new Bucket("b", { ...base, policy: PROD, softDeleteRetentionDays: 91 }))).to.match(/^Bucket\(b\)\.softDeleteRetentionDays: 91 is not/);
    expect(errorOf(() => new Bucket("c", { ...base, policy: DEV, softDeleteRetentionDays: 7 }))).to.match(
      /^Bucket\(c\)\.softDeleteRetentionDays: 7 days on a destroyable bucket \(forceDestroy\) would keep its deleted objects billable/,
    );
    expect(await registered(recorder)).to.deep.equal([]);
  });

  it("existingBucketRead: objectViewer on a bucket the program does not manage, no env; a name that is no bucket is an error", async () => {
    const link = existingBucketRead("source-landing-objectViewer", "landing");
    expect(link.env).to.deep.equal({});
    expect(link.grants.map((g) => [g.key, g.role, g.scope])).to.deep.equal([["source-landing-objectViewer", "roles/storage.objectViewer", "bucket landing"]]);
    link.grants[0].bind("r", "serviceAccount:sa@test-project.iam.gserviceaccount.com", {});
    await registered(recorder);
    expect(recorder.get("gcp:storage/bucketIAMMember:BucketIAMMember", "r").inputs).to.deep.equal({
      bucket: "landing",
      role: "roles/storage.objectViewer",
      member: "serviceAccount:sa@test-project.iam.gserviceaccount.com",
    });
    expect(errorOf(() => existingBucketRead("k", "gs://landing"))).to.equal(
      'bucketName: "gs://landing" is not a valid bucket name; use the bucket\'s name as in gs://<name>, e.g. landing',
    );
  });
});
