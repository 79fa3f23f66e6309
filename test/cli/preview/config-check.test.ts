import { expect } from "chai";
import { StackConfigError } from "../../../cli/src/preview/config-check";
import { failureText } from "../../../cli/src/preview/failure-text";
import { readStackConfig } from "../../../cli/src/preview/run-program";
import { tempProject } from "../../helpers/temp-project";

/** A user's `Pulumi.yaml` (project `weather`) with one key of each type, a secret and a required key. */
const PROJECT = `name: weather
runtime: nodejs
config:
  protectData:
    type: boolean
    default: false
  retentionDays:
    type: integer
    default: 7
  source:
    type: string
  readers:
    type: array
    items:
      type: string
    default: []
  labels:
    type: object
    default: {}
  apiKey:
    type: string
    secret: true
  gcp:region: europe-west1
`;

/** A stack file that sets every key `PROJECT` needs, as \`pulumi config set\` writes them. */
const VALID = ["  gcp:project: weather-dev", "  weather:source: gs://landing", "  weather:apiKey:", "    secure: v1:AAAAbm90LWEtcmVhbC1jaXBoZXJ0ZXh0"];

/** `readStackConfig` of a planted `Pulumi.dev.yaml` (the lines under `config:`) beside `project`. */
function read(lines: readonly string[], project = PROJECT) {
  const dir = tempProject({ "Pulumi.yaml": project, "Pulumi.dev.yaml": `config:\n${lines.join("\n")}\n` });
  return readStackConfig("dev", dir);
}

/** The problems `readStackConfig` refuses a planted stack file with; [] when it is accepted. */
function problems(lines: readonly string[], project = PROJECT): readonly string[] {
  try {
    read(lines, project);
    return [];
  } catch (err) {
    if (err instanceof StackConfigError) return err.problems;
    throw err;
  }
}

describe("a user's stack file is checked against its own Pulumi.yaml config: block", () => {
  it("accepts the keys it declares, with their defaults and Pulumi.yaml's values for other namespaces; a secret reads [secret]", () => {
    expect(read(VALID)).to.deep.equal({
      values: {
        "gcp:project": "weather-dev",
        "weather:source": "gs://landing",
        "weather:apiKey": "[secret]",
        "weather:protectData": "false",
        "weather:retentionDays": "7",
        "weather:readers": "[]",
        "weather:labels": "{}",
        "gcp:region": "europe-west1",
      },
      secretKeys: ["weather:apiKey"],
    });
  });

  it('refuses a misspelt key of the project\'s namespace with "did you mean" (weather:protectDta would leave the stack destroyable)', () => {
    expect(problems([...VALID, '  weather:protectDta: "true"'])).to.deep.equal([
      'Pulumi.dev.yaml: weather:protectDta = "true": Pulumi.yaml declares no such key, so the program does not read it; did you mean weather:protectData?',
    ]);
  });

  it("refuses a key far from any declared one, listing the declared keys; a key without a namespace; a misspelt namespace", () => {
    expect(problems([...VALID, "  weather:colour: blue", "  protectData: true", "  wether:protectData: true"])).to.deep.equal([
      'Pulumi.dev.yaml: weather:colour = "blue": Pulumi.yaml declares no such key, so the program does not read it; declare colour under config: in Pulumi.yaml, or remove it (declared: weather:protectData, weather:retentionDays, weather:source, weather:readers, weather:labels, weather:apiKey)',
      "Pulumi.dev.yaml: protectData = true: a key without a namespace; this project's keys are written weather:<key>; did you mean weather:protectData?",
      'Pulumi.dev.yaml: wether:protectData = true: namespace "wether" is not this project\'s (weather); did you mean weather:protectData?',
    ]);
  });

  it("enforces each declared type, reading values as the Pulumi CLI stores them (a scalar as its text, a list or map as JSON)", () => {
    expect(
      problems([...VALID, '  weather:protectData: "true"', "  weather:retentionDays: 30", "  weather:readers: [a, b]", "  weather:labels: { team: data }"]),
    ).to.deep.equal([]);
    expect(
      problems([...VALID, "  weather:protectData: yes please", '  weather:retentionDays: "7.5"', "  weather:readers: [a, 2]", "  weather:labels: [team]"]),
    ).to.deep.equal([
      'Pulumi.dev.yaml: weather:protectData = "yes please": must be of type boolean, as Pulumi.yaml declares it, e.g. "true" or "false"',
      'Pulumi.dev.yaml: weather:retentionDays = "7.5": must be of type integer, as Pulumi.yaml declares it, e.g. "7" (pulumi config set <key> 7)',
      "Pulumi.dev.yaml: weather:readers = [\"a\",2]: must be of type array<string>, as Pulumi.yaml declares it, e.g. a YAML list (pulumi config set --path '<key>[0]' <value>)",
      "Pulumi.dev.yaml: weather:labels = [\"team\"]: must be of type object, as Pulumi.yaml declares it, e.g. a YAML map (pulumi config set --path '<key>.<field>' <value>)",
    ]);
  });

  it("refuses a key declared secret: true stored in plain text, naming the command that encrypts it, and never printing the value", () => {
    const found = problems(["  gcp:project: weather-dev", "  weather:source: gs://landing", "  weather:apiKey: sk-live-1234"]);
    expect(found).to.deep.equal([
      "Pulumi.dev.yaml: weather:apiKey is stored in plain text, but Pulumi.yaml declares it secret: true; store it encrypted: pulumi config set --secret weather:apiKey <value> --stack dev",
    ]);
  });

  it("refuses a stack file that leaves out a key Pulumi.yaml declares without a default, as `pulumi up` does", () => {
    expect(problems(["  gcp:project: weather-dev", "  weather:apiKey:", "    secure: v1:AAAA"])).to.deep.equal([
      "Pulumi.dev.yaml: weather:source is not set and Pulumi.yaml gives it no default; set it: pulumi config set weather:source <value> --stack dev",
    ]);
  });

  it("refuses a config: block Pulumi itself refuses: an unknown attribute, a default of the wrong type, an array without items", () => {
    const project = "name: weather\nruntime: nodejs\nconfig:\n  a:\n    tpye: string\n  b:\n    type: integer\n    default: seven\n  c:\n    type: array\n";
    expect(problems([], project)).to.deep.equal([
      "Pulumi.yaml: config.a: unknown attribute tpye; did you mean type?; a declaration takes type, description, default, value, secret, items",
      'Pulumi.yaml: config.b.default = "seven": not of its type integer',
      "Pulumi.yaml: config.c: type array without items; add items: { type: string } (or the items' type)",
    ]);
  });

  it("each problem is one error: line (the preview exits 2 on it: test/cli/preview/program-failure.test.ts)", () => {
    const err = new StackConfigError(["Pulumi.dev.yaml: a", "Pulumi.dev.yaml: b"]);
    expect(failureText(err)).to.equal("error: Pulumi.dev.yaml: a\nerror: Pulumi.dev.yaml: b\n");
  });
});
