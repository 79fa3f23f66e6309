import { expect } from "chai";
import { diffPlans, normalizer, renderDiff } from "../../../cli/src/preview/diff";
import { ProgramRun } from "../../../cli/src/preview/run-program";
import { planOf, recordedResource } from "../../helpers/plan";

/** A plan of one stack: its gcp provider on `project`, the project number it read, and `resources` as `[type, name, inputs]`. */
function plan(stack: string, project: string, number: string, resources: [string, string, Record<string, unknown>][]): ProgramRun {
  return {
    stack,
    config: { "gcp:project": project },
    outputs: {},
    resources: [recordedResource("pulumi:providers:gcp", "gcp", { project }), ...resources.map(([type, name, inputs]) => recordedResource(type, name, inputs))],
    invokes: [{ token: "gcp:organizations/getProject:getProject", inputs: {}, outputs: { projectId: project, number }, dependencies: [] }],
  };
}

describe("preview --diff: what differs between two stacks' plans", () => {
  it("sets a stack's own names aside, and nothing else", () => {
    const n = normalizer("my-pipelines-dev", "dev");
    expect(n("serviceAccount:dev-etl-load@my-pipelines-dev.iam.gserviceaccount.com")).to.equal(
      "serviceAccount:<stack>-etl-load@<project>.iam.gserviceaccount.com",
    );
    expect(n("dataset dev_warehouse")).to.equal("dataset <stack>_warehouse");
    expect(n("europe-west1-docker.pkg.dev/x")).to.equal("europe-west1-docker.pkg.dev/x");
    expect(n("devices")).to.equal("devices");
    expect(n("serviceAccount:service-000000495284@gcp-sa-pubsub.iam.gserviceaccount.com")).to.equal(
      "serviceAccount:service-<project number>@gcp-sa-pubsub.iam.gserviceaccount.com",
    );
    expect(n("ETL extract (dev)")).to.equal("ETL extract (<stack>)");
    expect(n("projects/000000495284/secrets/api-key")).to.equal("projects/<project number>/secrets/api-key");
    expect(n("https://dev-scorer-000000495284.europe-west1.run.app/")).to.equal("https://<stack>-scorer-<project number>.europe-west1.run.app/");
    expect(n("job 20261123")).to.equal("job 20261123");
    const withNumber = normalizer("my-pipelines-dev", "dev", "000000495284");
    expect(withNumber("000000495284@cloudservices.gserviceaccount.com")).to.equal("<project number>@cloudservices.gserviceaccount.com");
    expect(withNumber("0000004952840")).to.equal("0000004952840");
  });

  it("planted differences: what differs only by project id, project number or stack name, and [] against absent, does not show; every other difference does", () => {
    const a = plan("dev", "proj-a", "000000111111", [
      ["gcp:storage/bucket:Bucket", "raw-bucket", { name: "proj-a-dev-raw", location: "EU", lifecycleRules: [], labels: {} }],
      ["gcp:storage/bucket:Bucket", "archive-bucket", { name: "proj-a-dev-archive", cors: [] }],
      [
        "gcp:pubsub/subscription:Subscription",
        "push",
        {
          topic: "projects/proj-a/topics/dev-requests",
          pushConfig: { pushEndpoint: "https://dev-scorer-000000111111.europe-west1.run.app/", attributes: {} },
          ackDeadlineSeconds: 10,
          deadLetterPolicy: { deadLetterTopic: "projects/other-project/topics/dead" },
        },
      ],
      [
        "gcp:pubsub/topicIAMMember:TopicIAMMember",
        "agent",
        {
          topic: "projects/proj-a/topics/dev-dead",
          role: "roles/pubsub.publisher",
          member: "serviceAccount:service-000000111111@gcp-sa-pubsub.iam.gserviceaccount.com",
        },
      ],
      [
        "gcp:secretmanager/secretIamMember:SecretIamMember",
        "key",
        {
          secretId: "projects/000000111111/secrets/key",
          role: "roles/secretmanager.secretAccessor",
          member: "serviceAccount:000000111111-compute@developer.gserviceaccount.com",
        },
      ],
      ["gcp:cloudrunv2/job:Job", "job", { name: "dev-etl", template: { taskCount: 1, template: { containers: [{ args: [] }] } } }],
    ]);
    const b = plan("prod", "proj-b", "000000222222", [
      ["gcp:storage/bucket:Bucket", "raw-bucket", { name: "proj-b-prod-raw", location: "EU" }],
      ["gcp:storage/bucket:Bucket", "archive-bucket", { name: "proj-b-prod-cold", cors: ["*"] }],
      [
        "gcp:pubsub/subscription:Subscription",
        "push",
        {
          topic: "projects/proj-b/topics/prod-requests",
          pushConfig: { pushEndpoint: "https://prod-scorer-000000222222.europe-west1.run.app/" },
          ackDeadlineSeconds: 20,
          deadLetterPolicy: { deadLetterTopic: "projects/proj-b/topics/dead" },
        },
      ],
      [
        "gcp:pubsub/topicIAMMember:TopicIAMMember",
        "agent",
        {
          topic: "projects/proj-b/topics/prod-dead",
          role: "roles/pubsub.publisher",
          member: "serviceAccount:service-000000222222@gcp-sa-pubsub.iam.gserviceaccount.com",
        },
      ],
      [
        "gcp:secretmanager/secretIamMember:SecretIamMember",
        "key",
        {
          secretId: "projects/000000222222/secrets/key",
          role: "roles/secretmanager.secretAccessor",
          member: "serviceAccount:000000222222-compute@developer.gserviceaccount.com",
        },
      ],
      ["gcp:cloudrunv2/job:Job", "job", { name: "prod-etl", template: { taskCount: 2, template: { containers: [{}] } } }],
    ]);
    const diff = diffPlans(a, b);
    expect(diff.changed.map((c) => [c.resource, c.path, c.a, c.b])).to.deep.equal([
      ["gcp:storage/bucket:Bucket archive-bucket", "cors", [], ["*"]],
      ["gcp:storage/bucket:Bucket archive-bucket", "name", "<project>-<stack>-archive", "<project>-<stack>-cold"],
      ["gcp:pubsub/subscription:Subscription push", "ackDeadlineSeconds", 10, 20],
      ["gcp:pubsub/subscription:Subscription push", "deadLetterPolicy.deadLetterTopic", "projects/other-project/topics/dead", "projects/<project>/topics/dead"],
      ["gcp:cloudrunv2/job:Job job", "template.taskCount", 1, 2],
    ]);
    expect([diff.onlyInA, diff.onlyInB, diff.iamOnlyInA, diff.iamOnlyInB]).to.deep.equal([[], [], [], []]);
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
    // Display names that hold the stack name, push endpoints on each project's run.app URL, dev's empty lifecycle rules.
    expect(diff.changed.filter((c) => c.path === "displayName" || c.path.startsWith("pushConfig."))).to.deep.equal([]);
    expect(change("gcp:storage/bucket:Bucket raw-bucket", "lifecycleRules")).to.equal(undefined);
    // The provider's labels arrive JSON-encoded: only the label that differs shows.
    expect(diff.changed.filter((c) => c.resource === "pulumi:providers:gcp gcp")).to.deep.equal([
      { resource: "pulumi:providers:gcp gcp", path: "defaultLabels.data-protection", a: "destroyable", b: "protected" },
    ]);
    // prod has no promoted digest in a fresh clone: the offline plan shows the marked placeholder.
    expect(change("gcp:cloudrunv2/job:Job load-job", "template.template.containers.0.image")).to.deep.include({
      b: "<promote: npm run promote -- --from dev --to prod>",
    });
    expect(renderDiff(diff)).to.match(/^Plan of prod against dev[^\n]*\nonly in dev \(3\):\n/);
  });
});
