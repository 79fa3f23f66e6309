import { expect } from "chai";
import * as path from "path";
import { Plan } from "../../../cli/src/preview/deploy-graph";
import { deployerDocs, README_END, README_START, replaceBetween, yamlRoleLines } from "../../../tools/deployer-docs";
import { DEPLOYER_ROLES, deployerRoles, deployerText } from "../../../cli/src/preview/deployer-roles";
import { MISSING_PRINCIPAL_RETRY } from "../../../cli/src/preview/iam-retries";
import { URL_FIELDS } from "../../../cli/src/preview/identifier-forms";
import { RecordedResource } from "../../../cli/src/preview/plan";
import { ROOT } from "../../helpers/typecheck";
import { planOf, recordedResource, widestPlans } from "../../helpers/plan";

const resource = (type: string, inputs: Record<string, unknown> = {}, name = type.split(":").pop()!): RecordedResource => recordedResource(type, name, inputs);
const plan = (resources: RecordedResource[], invokes: Plan["invokes"] = []): Plan => ({ resources, invokes });

describe("the deployer's roles (cli/src/preview/deployer-roles.ts), derived from the plan", () => {
  it("one role per type, actAs only where the resource runs as an account, a role another listed role covers left out", () => {
    const job = (serviceAccount?: string) => resource("gcp:cloudrunv2/job:Job", { template: { template: { serviceAccount } } });
    expect(deployerRoles(plan([job()]))).to.deep.equal({ roles: ["roles/run.admin"], readsFrom: [], unknown: [] });
    expect(deployerRoles(plan([job("etl@p.iam.gserviceaccount.com")])).roles).to.deep.equal(["roles/iam.serviceAccountUser", "roles/run.admin"]);
    // A log view and its IAM: logging.admin holds views.create and views.setIamPolicy (configWriter lacks the latter).
    expect(deployerRoles(plan([resource("gcp:logging/logView:LogView"), resource("gcp:logging/logViewIamMember:LogViewIamMember")])).roles).to.deep.equal([
      "roles/logging.admin",
    ]);
    // A push alone needs the writer role; with the repository created in the same plan, its admin role covers it.
    const push = resource("docker:index/image:Image", { imageName: "europe-west1-docker.pkg.dev/p/images/etl:src-1" });
    expect(deployerRoles(plan([push])).roles).to.deep.equal(["roles/artifactregistry.writer"]);
    expect(deployerRoles(plan([push, resource("gcp:artifactregistry/repository:Repository")])).roles).to.deep.equal(["roles/artifactregistry.admin"]);
    // Enabling APIs reads the project back (resourcemanager.projects.get, in roles/browser), unless projectIamAdmin is listed.
    const api = resource("gcp:projects/service:Service", { service: "run.googleapis.com" });
    expect(deployerRoles(plan([api])).roles).to.deep.equal(["roles/browser", "roles/serviceusage.serviceUsageAdmin"]);
    expect(deployerRoles(plan([api, resource("gcp:projects/iAMMember:IAMMember")])).roles).to.deep.equal([
      "roles/resourcemanager.projectIamAdmin",
      "roles/serviceusage.serviceUsageAdmin",
    ]);
  });

  it("a promoted image's copy needs the writer role here and the reader role on the source repository", () => {
    const copy = resource("command:local:Command", {
      create:
        "gcrane cp europe-west1-docker.pkg.dev/my-pipelines-dev/dev-images/etl\\@sha256\\:0 europe-west1-docker.pkg.dev/my-pipelines-prod/prod-images/etl",
    });
    expect(deployerRoles(plan([copy]))).to.deep.equal({
      roles: ["roles/artifactregistry.writer"],
      readsFrom: ["europe-west1-docker.pkg.dev/my-pipelines-dev/dev-images"],
      unknown: [],
    });
    expect(deployerText(deployerRoles(plan([copy])))).to.equal(
      "deployer needs: roles/artifactregistry.writer on the project; roles/artifactregistry.reader on europe-west1-docker.pkg.dev/my-pipelines-dev/dev-images (the source stack's imageReaders)\n",
    );
  });

  it("a plan holding a type or data source the table lacks names it", () => {
    const needs = deployerRoles(
      plan([resource("gcp:spanner/instance:Instance")], [{ token: "gcp:compute/getZones:getZones", inputs: {}, outputs: {}, dependencies: [] }]),
    );
    expect(needs.unknown).to.deep.equal(["gcp:compute/getZones:getZones", "gcp:spanner/instance:Instance"]);
    expect(deployerText(needs)).to.equal(
      "deployer needs: no role (an empty plan); unknown to cli/src/preview/deployer-roles.ts (add a row with its source): gcp:compute/getZones:getZones, gcp:spanner/instance:Instance\n",
    );
  });

  it("every resource type and data source of every stack's widest plan has its deployer role, its URL fields and, for IAM members, its retry behaviour", async () => {
    for (const run of await widestPlans()) {
      expect(deployerRoles(run).unknown, run.stack).to.deep.equal([]);
      const types = new Set(run.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")).map((r) => r.type));
      expect(
        [...types].filter((t) => !URL_FIELDS.has(t)),
        run.stack,
      ).to.deep.equal([]);
      expect(
        [...types].filter((t) => /IamMember:|IAMMember:/.test(t) && !MISSING_PRINCIPAL_RETRY.has(t)),
        run.stack,
      ).to.deep.equal([]);
      expect(
        run.invokes.map((i) => i.token).filter((t) => !DEPLOYER_ROLES.has(t)),
        run.stack,
      ).to.deep.equal([]);
    }
  });

  it("dev as committed needs roles/logging.admin: it creates the runners' log view (review 3, N2)", async () => {
    expect(deployerRoles(await planOf("dev")).roles).to.include("roles/logging.admin");
  });

  it("README.md and the deploy workflows list the roles as `npm run config-docs` derives them (run it when this fails)", async () => {
    for (const { file, current, text } of await deployerDocs(ROOT, await widestPlans())) {
      expect(current, `${path.relative(ROOT, file)} is stale: run \`npm run config-docs\``).to.equal(text);
    }
  });

  it("replaces only the text between the markers, keeps the indent of a YAML comment, and names missing markers", () => {
    const needs = new Map([["dev", { roles: ["roles/a", "roles/b"], readsFrom: [], unknown: [] }]]);
    expect(replaceBetween(`x\n${README_START}\nold\n${README_END}\ny`, README_START, README_END, "new", "README.md")).to.equal(
      `x\n${README_START}\nnew\n${README_END}\ny`,
    );
    expect(yamlRoleLines(needs, ["dev"], "  ")).to.equal("  # The deployer of dev (GCP_DEPLOYER_SERVICE_ACCOUNT) needs, on dev's project: roles/a, roles/b");
    expect(() => replaceBetween("nothing", README_START, README_END, "new", "README.md")).to.throw("README.md has no deployer role markers");
    expect(() => yamlRoleLines(needs, ["prod"])).to.throw("no plan for the stack prod");
  });
});
