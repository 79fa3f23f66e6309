import { expect } from "chai";
import { deployBlockers, verdictText } from "../../../cli/src/preview/deployability";
import { OFFLINE_DIGEST } from "../../../cli/src/preview/mock-runtime";
import { RecordedResource } from "../../../cli/src/preview/plan";
import { ProgramRun } from "../../../cli/src/preview/run-program";
import { planOf, widestPlans } from "../../helpers/plan";

const PLACEHOLDER = "<promote: npm run promote -- --from dev --to prod>";
const job = (image: string): RecordedResource => ({
  urn: "urn:pulumi:prod::fixture::gcp:cloudrunv2/job:Job::etl",
  type: "gcp:cloudrunv2/job:Job",
  name: "etl",
  custom: true,
  inputs: { template: { template: { containers: [{ image }] } } },
  outputs: {},
  protect: false,
  dependencies: [],
});
const run = (resources: RecordedResource[], outputs: Record<string, unknown> = {}): ProgramRun => ({
  stack: "prod",
  config: {},
  resources,
  invokes: [],
  outputs,
});

describe("the preview's verdict (tools/deployability.ts): can the plan be deployed as it stands?", () => {
  it("prod on a fresh clone is not deployable yet: its images are not promoted, and the verdict names the command", async () => {
    const blockers = deployBlockers(await planOf("prod"));
    expect(blockers.map((b) => [b.what, b.fix])).to.deep.equal([["3 images not promoted (etl, scorer, stream)", "npm run promote -- --from dev --to prod"]]);
    expect([...blockers[0].resources].sort()).to.deep.equal([
      "gcp:cloudrunv2/job:Job extract-job",
      "gcp:cloudrunv2/job:Job load-job",
      "gcp:cloudrunv2/job:Job transform-job",
      "gcp:cloudrunv2/service:Service scorer-service",
      "gcp:cloudrunv2/service:Service stream-service-service",
    ]);
    expect(verdictText(blockers, { violations: 0, problems: 0 })).to.equal(
      "Verdict: not deployable yet: 3 images not promoted (etl, scorer, stream): npm run promote -- --from dev --to prod\n",
    );
  });

  it("dev (its builds' offline digests are computed by the deploy) and prod with promoted images are deployable", async () => {
    expect(deployBlockers(await planOf("dev"))).to.deep.equal([]);
    expect(deployBlockers((await widestPlans()).find((r) => r.stack === "prod")!)).to.deep.equal([]);
    expect(verdictText([], { violations: 0, problems: 0 })).to.equal(
      "Verdict: deployable (offline checks only: docs/verified-by-sources.md lists what no deploy has exercised)\n",
    );
  });

  it("any plan: a promote placeholder, or an offline digest of an image no step of the plan builds, blocks the deploy", () => {
    expect(deployBlockers(run([job(PLACEHOLDER)])).map((b) => b.what)).to.deep.equal(["1 resources run an image not promoted"]);
    const foreign = `europe-west1-docker.pkg.dev/other/images/etl@${OFFLINE_DIGEST}`;
    expect(deployBlockers(run([job(foreign)]))).to.deep.equal([
      {
        what: `1 resources run the offline preview's placeholder digest (${OFFLINE_DIGEST}) of an image this plan does not build`,
        fix: "set the image to a digest a registry holds (promote writes them from a deployed stack)",
        resources: ["gcp:cloudrunv2/job:Job etl"],
      },
    ]);
    expect(verdictText(deployBlockers(run([job(PLACEHOLDER)])), { violations: 2, problems: 1 })).to.equal(
      "Verdict: not deployable: 2 guardrail violations (above); 1 rehearsal problems (above); 1 resources run an image not promoted: npm run promote -- --from dev --to prod\n",
    );
  });
});
