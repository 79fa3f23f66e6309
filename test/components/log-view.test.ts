import { expect } from "chai";
import { JobLogView, LOG_VIEW_READER_ROLE } from "../../components/log-view";
import { errorOf, promiseOf, registered, useMockRuntime } from "../helpers/pulumi";

const VIEW = "gcp:logging/logView:LogView";
const READER = "gcp:logging/logViewIamMember:LogViewIamMember";
const WHERE = {
  parent: "projects/test-project",
  location: "global",
  bucket: "projects/test-project/locations/global/buckets/_Default",
  name: "dev-cloud-run-jobs",
};

describe("JobLogView", () => {
  const recorder = useMockRuntime();

  it("declares a view on the _Default bucket showing only Cloud Run jobs' logs, and roles/logging.viewAccessor on that view for each reader, nothing on the project", async () => {
    const view = new JobLogView("job-logs", {
      viewId: "dev-cloud-run-jobs",
      project: "test-project",
      readers: ["group:data-eng@example.com", "user:ana@example.com", "group:data-eng@example.com"],
    });
    const resources = await registered(recorder);
    expect(recorder.get(VIEW, "job-logs-view").inputs).to.deep.equal({
      ...WHERE,
      description: "Cloud Run jobs' logs, for the runner's --logs (npm run job)",
      filter: 'SOURCE("projects/test-project") AND resource.type = "cloud_run_job" AND NOT LOG_ID("cloudaudit.googleapis.com/data_access")',
    });
    // The view's IAM takes the bucket by short id: the provider formats `{parent}/locations/{location}/buckets/{bucket}/views/{name}`.
    const members = resources.filter((r) => r.type === READER);
    const viewIam = { ...WHERE, bucket: "_Default" };
    expect(members.map((m) => m.inputs)).to.deep.equal([
      { ...viewIam, role: "roles/logging.viewAccessor", member: "group:data-eng@example.com" },
      { ...viewIam, role: "roles/logging.viewAccessor", member: "user:ana@example.com" },
    ]);
    expect(LOG_VIEW_READER_ROLE).to.equal("roles/logging.viewAccessor");
    expect(
      resources
        .filter((r) => r.custom)
        .map((r) => r.type)
        .sort(),
    ).to.deep.equal([VIEW, READER, READER].sort());
    expect(await promiseOf(view.id)).to.equal("projects/test-project/locations/global/buckets/_Default/views/dev-cloud-run-jobs");
  });

  it("no readers: the view alone", async () => {
    new JobLogView("job-logs", { viewId: "v", project: "test-project" });
    const resources = await registered(recorder);
    expect(resources.filter((r) => r.custom).map((r) => r.type)).to.deep.equal([VIEW]);
  });

  it("bad input: a view id with other characters, a reader that is not one principal", () => {
    expect(errorOf(() => new JobLogView("l", { viewId: "dev jobs", project: "p" }))).to.include('JobLogView(l).viewId: "dev jobs" is not a usable view id');
    expect(errorOf(() => new JobLogView("l", { viewId: "v", project: "p", readers: ["ana@example.com"] }))).to.include(
      'JobLogView(l).readers: "ana@example.com" is not an IAM member this stack grants access to; expected one IAM principal',
    );
  });
});
