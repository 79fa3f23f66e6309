import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT } from "../../config";
import { configTable, declaredKeys, generated, pulumiYamlText, readmeText, TABLE_END, TABLE_START } from "../../tools/config-docs";

const ROOT = path.resolve(__dirname, "..", "..");

describe("config docs (tools/config-docs.ts): Pulumi.yaml's config block and the README table, from config.ts", () => {
  it("Pulumi.yaml and README.md are as `npm run config-docs` generates them (run it after changing CONFIG_SCHEMA)", () => {
    for (const { file, current, text } of generated()) expect(current, `${path.relative(ROOT, file)} is stale: run \`npm run config-docs\``).to.equal(text);
  });

  it("every key's Pulumi type comes from its default; an optional key defaults to empty; the gcp: keys are required", () => {
    const keys = Object.fromEntries(declaredKeys().map((k) => [k.key.replace(`${PROJECT}:`, ""), [k.type, k.default]]));
    expect(keys).to.deep.equal({
      "gcp:project": ["string", undefined],
      "gcp:region": ["string", undefined],
      protectData: ["boolean", true],
      datasetLocation: ["string", ""],
      stagingRetentionDays: ["integer", 7],
      softDeleteRetentionDays: ["integer", 7],
      tableExpirationDays: ["integer", 0],
      imageKeepCount: ["integer", 10],
      untaggedImageRetentionDays: ["integer", 7],
      runners: ["array", []],
      etlSource: ["string", ""],
      etlSourceBuckets: ["array", []],
      etlSourceToken: ["string", ""],
      etlDatasetName: ["string", "flights"],
      extractTaskCount: ["integer", 1],
      etlSchedule: ["string", ""],
      buildImages: ["boolean", true],
      etlImage: ["string", ""],
      scorerImage: ["string", ""],
      streamImage: ["string", ""],
      streamClients: ["array", []],
      imageReaders: ["array", []],
      alertEmail: ["string", ""],
      scheduleTimeZone: ["string", "Etc/UTC"],
      allowUnlistedLocation: ["boolean", false],
    });
  });

  it("rewrites a stale config block (a key, a default, a description) and keeps the rest of Pulumi.yaml, comments included", () => {
    const stale = [
      "name: p",
      "# the runtime",
      "runtime: nodejs",
      "# the keys",
      "config:",
      "  protectData:",
      "    type: string",
      "    default: false",
      "  oldKey:",
      "    type: string",
      "",
    ].join("\n");
    const text = pulumiYamlText(stale);
    expect(
      text.startsWith("name: p\n# the runtime\nruntime: nodejs\n# the keys\nconfig:\n  protectData:\n    type: boolean\n    default: true\n    description: "),
    ).to.equal(true);
    const config = (parse(text) as { config: Record<string, { type: string; items?: unknown; default: unknown; description: string }> }).config;
    expect(Object.keys(config)).to.not.include("oldKey");
    expect(config.runners).to.deep.include({ type: "array", items: { type: "string" }, default: [] });
    expect(config.etlSchedule.description).to.include("Empty: no schedule.");
  });

  it("replaces only the text between the README's markers, and names them when they are missing", () => {
    const text = readmeText(`before\n${TABLE_START}\n| old |\n${TABLE_END}\nafter\n`);
    expect(text).to.equal(`before\n${TABLE_START}\n${configTable()}\n${TABLE_END}\nafter\n`);
    expect(configTable()).to.include('| `cloudrun-pipelines:etlDatasetName` | string | `"flights"` | Default dataset name of the ETL jobs (`DATASET_NAME`). |');
    expect(configTable()).to.include("| `gcp:project` | string | required |");
    expect(() => readmeText("no table here")).to.throw("README.md has no config table markers: put <!-- config-table:start");
  });

  it("the committed Pulumi.yaml is this project's", () => {
    expect((parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { name: string }).name).to.equal(PROJECT);
  });
});
