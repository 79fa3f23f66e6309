import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { CONFIG_SCHEMA, configFromPulumi, parseConfig, PROJECT } from "../config";
import { OFFLINE_DIGEST, ResourceRecorder } from "../cli/src/preview/mock-runtime";
import { readStackConfig, runProgram } from "../cli/src/preview/run-program";
import { CHILD_TEST_TIMEOUT_MS, runNode } from "./helpers/child";
import { RUN_TS } from "../tools/run-ts";

/** The defaults Pulumi.yaml declares, as the CLI passes them to the program (strings; lists as JSON). */
function readDefaults(): Record<string, string> {
  const project = parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8")) as { config: Record<string, { default: unknown }> };
  return Object.fromEntries(Object.entries(project.config).map(([k, v]) => [k, typeof v.default === "string" ? v.default : JSON.stringify(v.default)]));
}

const REQUIRED = { "gcp:project": "my-project", "gcp:region": "europe-west1" };

function errorOf(raw: Record<string, string | undefined>, stack = "dev"): string {
  try {
    parseConfig(raw, stack);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected a config error");
}

describe("config", () => {
  it("fills every default from the one schema, and protects data unless told otherwise", () => {
    expect(parseConfig(REQUIRED, "dev")).to.deep.equal({
      stack: "dev",
      project: "my-project",
      region: "europe-west1",
      policy: {
        protectData: true,
        protect: true,
        forceDestroy: false,
        deleteContentsOnDestroy: false,
        deletionProtection: true,
        versioning: true,
        softDeleteRetentionDays: 7,
      },
      labels: { app: "cloudrun-pipelines", stack: "dev", "managed-by": "pulumi", "data-protection": "protected" },
      datasetLocation: "europe-west1",
      stagingRetentionDays: 7,
      tableExpirationDays: undefined,
      imageKeepCount: 10,
      untaggedImageRetentionDays: 7,
      runners: [],
      streamClients: [],
      images: { build: true, promoted: {}, readers: [] },
      etl: { source: undefined, sourceBuckets: [], datasetName: "flights", extractTaskCount: 1 },
    });
  });

  it("derives the dev policy (everything destroyable) from protectData false", () => {
    expect(parseConfig({ ...REQUIRED, protectData: "false" }, "dev").policy).to.deep.equal({
      protectData: false,
      protect: false,
      forceDestroy: true,
      deleteContentsOnDestroy: true,
      deletionProtection: false,
      versioning: false,
      softDeleteRetentionDays: 0,
    });
  });

  it("reads lists as the CLI passes them (JSON) and a schedule only where a cron is set", () => {
    const config = parseConfig(
      {
        ...REQUIRED,
        runners: '["group:data@example.com"]',
        streamClients: '["serviceAccount:backend@p-prod.iam.gserviceaccount.com"]',
        etlSchedule: "0 2 * * *",
        scheduleTimeZone: "Europe/Berlin",
        extractTaskCount: "4",
      },
      "prod",
    );
    expect(config.runners).to.deep.equal(["group:data@example.com"]);
    expect(config.streamClients).to.deep.equal(["serviceAccount:backend@p-prod.iam.gserviceaccount.com"]);
    expect(config.etl).to.deep.equal({
      source: undefined,
      sourceBuckets: [],
      datasetName: "flights",
      extractTaskCount: 4,
      schedule: { cron: "0 2 * * *", timeZone: "Europe/Berlin" },
    });
  });

  it("names the missing required keys and how to set them", () => {
    const message = errorOf({});
    expect(message).to.include('Invalid config for stack "dev" (Pulumi.dev.yaml)');
    expect(message).to.include("gcp:project = (not set): required: set it with `pulumi config set gcp:project <project id>`");
    expect(message).to.include("gcp:region = (not set): required: set it with `pulumi config set gcp:region <region>`");
  });

  it("names the key, the value and the expected form of every invalid value", () => {
    const message = errorOf({
      ...REQUIRED,
      stagingRetentionDays: "0",
      protectData: "maybe",
      runners: '["everyone"]',
      etlSchedule: "daily",
      scheduleTimeZone: "Mars/Olympus",
    });
    expect(message).to.include('cloudrun-pipelines:stagingRetentionDays = "0": expected staging retention in days: at least 1');
    expect(message).to.include('cloudrun-pipelines:protectData = "maybe": expected true or false');
    expect(message).to.include('cloudrun-pipelines:runners = "[\\"everyone\\"]": "everyone": expected one IAM principal such as "user:ana@example.com"');
    expect(message).to.include(
      'cloudrun-pipelines:etlSchedule = "daily": expected a unix-cron expression as Cloud Scheduler takes it, e.g. "0 2 * * *": has 1 field;',
    );
    expect(message).to.include('cloudrun-pipelines:scheduleTimeZone = "Mars/Olympus": expected an IANA time zone');
  });

  it("a stack that builds no images needs a promoted digest of every image, and says how to promote them", () => {
    const missing = errorOf({ ...REQUIRED, buildImages: "false" }, "prod");
    for (const name of ["etl", "scorer", "stream"]) {
      expect(missing).to.include(
        `cloudrun-pipelines:${name}Image = (not set): this stack builds no images (buildImages: false) and has no promoted digest; deploy dev (\`pulumi up --stack dev\`), then promote its images with \`npm run promote -- --from dev --to prod\``,
      );
    }
    expect(errorOf({ ...REQUIRED, buildImages: "false", scorerImage: "scorer:latest" }, "prod")).to.include(
      'cloudrun-pipelines:scorerImage = "scorer:latest": expected an image by digest',
    );
    const digest = (name: string) => `europe-west1-docker.pkg.dev/p-dev/dev-images/${name}@sha256:${"a".repeat(64)}`;
    const promoted = { etlImage: digest("etl"), scorerImage: digest("scorer"), streamImage: digest("stream") };
    expect(
      parseConfig(
        { ...REQUIRED, buildImages: "false", ...promoted, imageReaders: '["serviceAccount:service-1@serverless-robot-prod.iam.gserviceaccount.com"]' },
        "prod",
      ).images,
    ).to.deep.equal({
      build: false,
      promoted: { etl: digest("etl"), scorer: digest("scorer"), stream: digest("stream") },
      readers: ["serviceAccount:service-1@serverless-robot-prod.iam.gserviceaccount.com"],
    });
  });

  it("offline (the mock runtime) a missing promoted digest becomes a marked placeholder, never a digest; the engine gets the error", () => {
    const unpromoted = { ...REQUIRED, buildImages: "false", etlImage: `europe-west1-docker.pkg.dev/p-dev/dev-images/etl@sha256:${"a".repeat(64)}` };
    expect(parseConfig(unpromoted, "prod", new Set(), [], true).images).to.deep.equal({
      build: false,
      promoted: { etl: unpromoted.etlImage },
      readers: [],
      placeholder: "<promote: npm run promote -- --from dev --to prod>",
    });
    const engine = errorOf(unpromoted, "prod");
    expect(engine)
      .to.include("cloudrun-pipelines:scorerImage = (not set)")
      .and.include("cloudrun-pipelines:streamImage = (not set)")
      .and.include("`npm run promote -- --from dev --to prod`");
    expect(engine).not.to.include("cloudrun-pipelines:etlImage");
    expect(parseConfig({ ...REQUIRED }, "dev", new Set(), [], true).images).to.deep.equal({ build: true, promoted: {}, readers: [] });
  });

  it("under the engine (no mock runtime), loadConfig of prod without promoted digests fails naming the promote command", function () {
    this.timeout(CHILD_TEST_TIMEOUT_MS);
    const engine = (values: Record<string, string>) =>
      runNode([...RUN_TS, path.join(__dirname, "helpers", "engine-config.ts")], {
        env: { ...process.env, PULUMI_NODEJS_STACK: "prod", PULUMI_NODEJS_PROJECT: PROJECT, PULUMI_CONFIG: JSON.stringify(values) },
      });
    const unpromoted = engine(readStackConfig("prod").values);
    expect(unpromoted.status).to.equal(1);
    expect(unpromoted.stderr)
      .to.include('Invalid config for stack "prod"')
      .and.include("`npm run promote -- --from dev --to prod`")
      .and.not.include("<promote:");
    const digest = (name: string) => `europe-west1-docker.pkg.dev/my-pipelines-dev/dev-images/${name}@sha256:${"e".repeat(64)}`;
    const promoted = engine({
      ...readStackConfig("prod").values,
      ...Object.fromEntries(["etl", "scorer", "stream"].map((name) => [`${PROJECT}:${name}Image`, digest(name)])),
    });
    expect(promoted.status, promoted.stderr).to.equal(0);
    expect(JSON.parse(promoted.stdout)).to.deep.equal({
      build: false,
      promoted: { etl: digest("etl"), scorer: digest("scorer"), stream: digest("stream") },
      readers: [],
    });
  });

  it("the offline preview's made-up digest is not a promotable digest", () => {
    const made = `europe-west1-docker.pkg.dev/p-dev/dev-images/etl@${OFFLINE_DIGEST}`;
    expect(errorOf({ ...REQUIRED, buildImages: "false", etlImage: made }, "prod")).to.include(
      `cloudrun-pipelines:etlImage = "${made}": expected an image by digest`,
    );
  });

  it("a secret key stored in plain text is refused, with the command that encrypts it", () => {
    expect(errorOf({ ...REQUIRED, etlSourceToken: "abc" })).to.include(
      "cloudrun-pipelines:etlSourceToken: is stored in plain text; set it with `pulumi config set --secret cloudrun-pipelines:etlSourceToken <value>` so it is encrypted",
    );
    expect(parseConfig({ ...REQUIRED, etlSourceToken: "abc" }, "dev", new Set(["etlSourceToken"])).etl.sourceToken).to.equal("abc");
  });

  it("rejects a misspelt key instead of silently using the default, naming the closest key; a key like none lists them all", () => {
    expect(errorOf({ ...REQUIRED, stagingRetentionDay: "3" })).to.include(
      'cloudrun-pipelines:stagingRetentionDay = "3": unknown key; did you mean cloudrun-pipelines:stagingRetentionDays?',
    );
    expect(errorOf({ ...REQUIRED, colour: "blue" })).to.include(
      'cloudrun-pipelines:colour = "blue": unknown key; known keys: gcp:project, gcp:region, cloudrun-pipelines:protectData',
    );
  });

  it("rejects a project id or region in the wrong form, and a stack name that cannot start resource names", () => {
    expect(errorOf({ "gcp:project": "My Project", "gcp:region": "europe" })).to.match(
      /gcp:project = "My Project": expected a project id[\s\S]*gcp:region = "europe": expected a Cloud Run region/,
    );
    expect(errorOf(REQUIRED, "Prod_1")).to.include('stack name "Prod_1": expected lowercase letters');
  });

  it("Pulumi.yaml's defaults, applied by the CLI, give the same config as the schema's own defaults", () => {
    const file = readStackConfig("dev");
    const declaredDefaults = Object.fromEntries(
      Object.keys(CONFIG_SCHEMA)
        .filter((k) => !k.includes(":"))
        .map((k) => [k, readDefaults()[k]]),
    );
    expect(parseConfig({ ...REQUIRED, ...declaredDefaults }, "dev")).to.deep.equal(parseConfig(REQUIRED, "dev"));
    expect(file.values["cloudrun-pipelines:scheduleTimeZone"], "a default the dev stack file leaves out").to.equal("Etc/UTC");
  });

  it("soft delete: prod keeps the configured days (0 or 7-90), dev keeps none, and a dev stack asking for days is an error naming the key", () => {
    expect(parseConfig({ ...REQUIRED, softDeleteRetentionDays: "30" }, "prod").policy.softDeleteRetentionDays).to.equal(30);
    expect(parseConfig({ ...REQUIRED, softDeleteRetentionDays: "0" }, "prod").policy.softDeleteRetentionDays).to.equal(0);
    expect(parseConfig({ ...REQUIRED, protectData: "false" }, "dev").policy.softDeleteRetentionDays).to.equal(0);
    expect(
      parseConfig({ ...REQUIRED, protectData: "false", softDeleteRetentionDays: "7" }, "dev").policy.softDeleteRetentionDays,
      "Pulumi.yaml's default, as the CLI passes it",
    ).to.equal(0);
    for (const days of ["3", "91", "7.5", "-1"]) {
      expect(errorOf({ ...REQUIRED, softDeleteRetentionDays: days }, "prod")).to.include(
        `cloudrun-pipelines:softDeleteRetentionDays = "${days}": expected a whole number of days: 0 (off) or 7 to 90`,
      );
    }
    expect(errorOf({ ...REQUIRED, protectData: "false", softDeleteRetentionDays: "30" })).to.include(
      "cloudrun-pipelines:softDeleteRetentionDays = 30: this stack's data is destroyable (protectData: false)",
    );
  });

  it("etlSourceBuckets: bucket names as a YAML list, anything else an error naming the key", () => {
    expect(parseConfig({ ...REQUIRED, etlSourceBuckets: '["landing", "partner.example.com"]' }, "dev").etl.sourceBuckets).to.deep.equal([
      "landing",
      "partner.example.com",
    ]);
    expect(errorOf({ ...REQUIRED, etlSourceBuckets: '["gs://landing"]' })).to.include(
      'cloudrun-pipelines:etlSourceBuckets = "[\\"gs://landing\\"]": expected bucket names as in gs://<name>',
    );
  });
});

/** The error of the stack's whole config (as `loadConfig` passes it: every key with its namespace). */
function pulumiErrorOf(all: Record<string, string>, stack = "dev"): string {
  try {
    configFromPulumi(all, stack);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected a config error");
}

const ALL = { "gcp:project": "my-project", "gcp:region": "europe-west1" };
const key = (name: string) => `${PROJECT}:${name}`;

describe("config: bad input is refused", () => {
  it("a key in a wrong or unknown namespace, a bare key, and a gcp: key the program does not read", () => {
    const message = pulumiErrorOf({
      ...ALL,
      "cloudrun-pipeline:protectData": "false",
      protectData: "false",
      "gcp:regoin": "europe-west3",
      "gcp:zone": "europe-west1-b",
      "aws:region": "eu-west-1",
    });
    expect(message).to.include(
      'cloudrun-pipeline:protectData = "false": unknown namespace "cloudrun-pipeline"; this program reads cloudrun-pipelines:<key> and gcp:project, gcp:region; did you mean cloudrun-pipelines:protectData?',
    );
    expect(message).to.include(
      'protectData = "false": a key without a namespace; this project\'s keys are written cloudrun-pipelines:<key>; did you mean cloudrun-pipelines:protectData?',
    );
    expect(message).to.include('gcp:regoin = "europe-west3": not read by this program: its gcp.Provider takes only gcp:project and gcp:region from config');
    expect(message).to.include('gcp:zone = "europe-west1-b": not read by this program');
    expect(message).to.include('aws:region = "eu-west-1": unknown namespace "aws"');
    expect(configFromPulumi({ ...ALL, [key("protectData")]: "false" }, "dev").policy.protectData).to.equal(false);
  });

  const numbers: [string, string, string][] = [
    ["stagingRetentionDays", "0x10", "expected staging retention in days: a whole number written in decimal digits"],
    ["stagingRetentionDays", "1e3", "expected staging retention in days: a whole number written in decimal digits"],
    ["stagingRetentionDays", "7.5", "expected staging retention in days: a whole number written in decimal digits"],
    ["stagingRetentionDays", "-1", "expected staging retention in days: a whole number written in decimal digits"],
    ["stagingRetentionDays", " 7", "expected staging retention in days: a whole number written in decimal digits"],
    ["stagingRetentionDays", "2147483648", "expected staging retention in days: at most 2147483647 (GCS lifecycle age is an int32)"],
    ["tableExpirationDays", "104249992", "expected table expiration in days (0: never): at most 104249991 (defaultTableExpirationMs must stay a safe integer)"],
    ["imageKeepCount", "0", "expected a count of image versions: at least 1"],
    ["imageKeepCount", "2147483648", "expected a count of image versions: at most 2147483647 (keepCount is an int32)"],
    ["untaggedImageRetentionDays", "3652501", "expected untagged image retention in days: at most 3652500 (olderThan is a protobuf Duration)"],
    ["extractTaskCount", "10001", "expected a task count: at most 10000 (Cloud Run's limit per execution)"],
    ["extractTaskCount", "1e3", "expected a task count: a whole number written in decimal digits"],
  ];
  for (const [name, value, expected] of numbers) {
    it(`${name} = ${JSON.stringify(value)} is an error`, () => {
      expect(pulumiErrorOf({ ...ALL, [key(name)]: value })).to.include(`${key(name)} = ${JSON.stringify(value)}: ${expected}`);
    });
  }
  it("the largest whole numbers GCP takes are accepted", () => {
    const c = configFromPulumi(
      { ...ALL, [key("extractTaskCount")]: "10000", [key("tableExpirationDays")]: "104249991", [key("untaggedImageRetentionDays")]: "3652500" },
      "dev",
    );
    expect([c.etl.extractTaskCount, c.tableExpirationDays, c.untaggedImageRetentionDays]).to.deep.equal([10000, 104249991, 3652500]);
  });

  const crons: [string, string][] = [
    ["0 25 * * *", "Constraint error, got value 25 expected range 0-23"],
    ["0 2 L * *", '"L" is not part of the unix-cron format Cloud Scheduler takes'],
    ["0 2 ? * *", '"?" is not part of the unix-cron format Cloud Scheduler takes'],
    ["0 0 2 * * *", "has 6 fields"],
    ["0 2 * * mon", "month and day names are written in upper case (JAN, MON)"],
    ["0 2 * * 5-1", "Invalid range: 5-1"],
  ];
  for (const [cron, expected] of crons) {
    it(`etlSchedule ${JSON.stringify(cron)} is an error`, () => {
      expect(pulumiErrorOf({ ...ALL, [key("etlSchedule")]: cron })).to.include(
        `${key("etlSchedule")} = ${JSON.stringify(cron)}: expected a unix-cron expression as Cloud Scheduler takes it, e.g. "0 2 * * *": ${expected}`,
      );
    });
  }
  it("cron expressions Cloud Scheduler documents are accepted", () => {
    for (const cron of ["0 2 * * *", "*/15 9-17 * * MON-FRI", "0 0 1,15 JAN *", "30 3 * * 7"])
      expect(configFromPulumi({ ...ALL, [key("etlSchedule")]: cron }, "prod").etl.schedule?.cron).to.equal(cron);
  });

  it("a time zone must be the exact IANA name", () => {
    expect(pulumiErrorOf({ ...ALL, [key("scheduleTimeZone")]: "europe/berlin" })).to.include(
      `${key("scheduleTimeZone")} = "europe/berlin": write it exactly as the tz database does: "Europe/Berlin"`,
    );
    expect(pulumiErrorOf({ ...ALL, [key("scheduleTimeZone")]: "us/pacific" })).to.include(
      `${key("scheduleTimeZone")} = "us/pacific": write it exactly as the tz database does`,
    );
  });

  it("a region or dataset location missing from Google's lists, with the override", () => {
    const message = pulumiErrorOf({ ...ALL, "gcp:region": "europe-west99", [key("datasetLocation")]: "europe-west99" });
    expect(message).to.include(
      'gcp:region = "europe-west99": not a Cloud Run region in Google\'s list (https://cloud.google.com/run/docs/locations); if Google has added it since, set `pulumi config set cloudrun-pipelines:allowUnlistedLocation true`',
    );
    expect(message).to.include(
      `${key("datasetLocation")} = "europe-west99": "europe-west99" is not a BigQuery location in Google's list (https://cloud.google.com/bigquery/docs/locations)`,
    );
    expect(pulumiErrorOf({ ...ALL, [key("datasetLocation")]: "JP" })).to.include(`${key("datasetLocation")} = "JP": "JP" is not a BigQuery location`);
    const allowed = configFromPulumi({ ...ALL, "gcp:region": "europe-west99", [key("allowUnlistedLocation")]: "true" }, "dev");
    expect([allowed.region, allowed.datasetLocation]).to.deep.equal(["europe-west99", "europe-west99"]);
  });

  it("IAM members: an email after user:, group: and serviceAccount:; no domain:, allUsers or allAuthenticatedUsers wherever config grants access", () => {
    for (const list of ["runners", "streamClients", "imageReaders"]) {
      const message = pulumiErrorOf({ ...ALL, [key(list)]: '["user:ana", "domain:example.com", "allUsers", "allAuthenticatedUsers"]' });
      expect(message).to.include('"user:ana": after "user:" comes an email address, e.g. "user:ana@example.com"');
      expect(message).to.include('"domain:example.com": domain opens access to a whole domain; grant a group instead');
      expect(message).to.include('"allUsers": allUsers opens access to anyone on the internet');
      expect(message).to.include('"allAuthenticatedUsers": allAuthenticatedUsers opens access to every Google account');
      expect(message).to.include(`${key(list)} = `);
    }
  });

  it("a promoted image must be the image its key names", () => {
    const digest = (name: string) => `europe-west1-docker.pkg.dev/p-dev/dev-images/${name}@sha256:${"a".repeat(64)}`;
    const message = pulumiErrorOf(
      {
        ...ALL,
        [key("buildImages")]: "false",
        [key("etlImage")]: digest("scorer"),
        [key("scorerImage")]: digest("scorer"),
        [key("streamImage")]: digest("stream"),
      },
      "prod",
    );
    expect(message).to.include(
      `${key("etlImage")} = ${JSON.stringify(digest("scorer"))}: is the scorer image, not the etl image; promote the etl image's digest here`,
    );
    expect(message).not.to.include(key("scorerImage"));
  });

  it("the program refuses a bad stack file before declaring any resource", async () => {
    const config = readStackConfig("dev");
    const recorder = new ResourceRecorder();
    const bad = { values: { ...config.values, "cloudrun-pipeline:protectData": "true" }, secretKeys: config.secretKeys };
    let message = "";
    await runProgram("dev", bad, recorder).catch((err: Error) => (message = err.message));
    expect(message).to.include('cloudrun-pipeline:protectData = "true": unknown namespace "cloudrun-pipeline"');
    // The stack resource registers itself before it loads the program (`new Stack(init)`, @pulumi/pulumi runtime/stack.js).
    expect(recorder.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).to.deep.equal([]);
  });
});
