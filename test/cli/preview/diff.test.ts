import { expect } from "chai";
import { diffPlans, normalizer, renderDiff } from "../../../cli/src/preview/diff";
import { planOf } from "../../helpers/plan";

describe("preview --diff: what differs between two stacks' plans", () => {
  it("sets a stack's own names aside, and nothing else", () => {
    const n = normalizer("my-pipelines-dev", "dev");
    expect(n("serviceAccount:dev-etl-load@my-pipelines-dev.iam.gserviceaccount.com")).to.equal(
      "serviceAccount:<stack>-etl-load@<project>.iam.gserviceaccount.com",
    );
    expect(n("dataset dev_warehouse")).to.equal("dataset <stack>_warehouse");
    expect(n("europe-west1-docker.pkg.dev/x")).to.equal("europe-west1-docker.pkg.dev/x");
    expect(n("devices")).to.equal("devices");
    expect(n("serviceAccount:service-977162949841@gcp-sa-pubsub.iam.gserviceaccount.com")).to.equal(
      "serviceAccount:service-<project number>@gcp-sa-pubsub.iam.gserviceaccount.com",
    );
  });

  it("dev against prod: the builds only in dev, the nightly chain schedule and the alerts only in prod, the environment policy, and nothing about names", async () => {
    const dev = await planOf("dev");
    const prod = await planOf("prod");
    const diff = diffPlans(dev, prod);
    expect(diff.onlyInA).to.deep.equal([
      "docker:index/image:Image etl-image-image",
      "docker:index/image:Image scorer-image-image",
      "docker:index/image:Image stream-image-image",
    ]);
    expect(diff.onlyInB).to.deep.equal([
      "gcp:cloudscheduler/job:Job etl-chain-sched-scheduler",
      "gcp:monitoring/alertPolicy:AlertPolicy alerts-chain-failures",
      "gcp:monitoring/alertPolicy:AlertPolicy alerts-dead-letters",
      "gcp:monitoring/alertPolicy:AlertPolicy alerts-job-failures",
      "gcp:monitoring/notificationChannel:NotificationChannel alerts-email",
      "gcp:projects/iAMMember:IAMMember etl-chain-sched-workflows-invoker",
      "gcp:projects/service:Service apis-monitoring",
      "gcp:serviceaccount/account:Account etl-chain-sched-sa-account",
    ]);
    expect(diff.iamOnlyInA).to.deep.equal([]);
    expect(diff.iamOnlyInB).to.deep.equal(["serviceAccount:<stack>-etl-nightly@<project>.iam.gserviceaccount.com roles/workflows.invoker project <project>"]);
    const change = (resource: string, path: string) => diff.changed.find((c) => c.resource === resource && c.path === path);
    expect(change("gcp:cloudrunv2/job:Job extract-job", "deletionProtection")).to.deep.include({ a: false, b: true });
    expect(change("gcp:storage/bucket:Bucket raw-bucket", "protect")).to.deep.include({ a: false, b: true });
    expect(change("gcp:bigquery/dataset:Dataset warehouse-dataset", "location")).to.deep.include({ a: "europe-west1", b: "EU" });
    expect(diff.changed.filter((c) => c.path === "accountId" || c.path === "name" || c.path === "bucket")).to.deep.equal([]);
    // prod has no promoted digest in a fresh clone: the offline plan shows the marked placeholder.
    expect(change("gcp:cloudrunv2/job:Job load-job", "template.template.containers.0.image")).to.deep.include({
      b: "<promote: npm run promote -- --from dev --to prod>",
    });
    expect(renderDiff(diff)).to.match(/^Plan of prod against dev[^\n]*\nonly in dev \(3\):\n/);
  });
});
