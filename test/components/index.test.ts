import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import * as library from "../../components";

const ROOT = path.join(__dirname, "..", "..");
const COMPONENT_FILES = fs
  .readdirSync(path.join(ROOT, "components"))
  .filter((f) => f.endsWith(".ts") && f !== "index.ts")
  .map((f) => path.join(ROOT, "components", f));
const INDEX = fs.readFileSync(path.join(ROOT, "components", "index.ts"), "utf8");
/** Names `components/index.ts` exports (values and types). */
const exported = new Set([...INDEX.matchAll(/export (?:type )?\{([^}]*)\}/g)].flatMap((m) => m[1].split(",").map((n) => n.trim())));

describe("components/index.ts: the library's one import path", () => {
  it("exports every component class, at run time", () => {
    const classes = COMPONENT_FILES.flatMap((f) => [...fs.readFileSync(f, "utf8").matchAll(/^export class (\w+)/gm)].map((m) => m[1]));
    expect(classes).to.have.length(COMPONENT_FILES.length);
    for (const name of classes) expect(library, name).to.have.property(name).that.is.a("function");
  });

  it("exports every component's args and their parts (each exported interface and type of a component file)", () => {
    const types = COMPONENT_FILES.flatMap((f) => [...fs.readFileSync(f, "utf8").matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]));
    expect(types.filter((t) => !exported.has(t))).to.deep.equal([]);
  });

  it("exports what args are made of: policy, units, links, secret env, schedule, naming", () => {
    for (const name of [
      "environmentPolicy",
      "EnvironmentPolicy",
      "Duration",
      "Size",
      "Cpu",
      "Link",
      "SecretEnv",
      "ScheduleArgs",
      "ScheduleRetry",
      "Transform",
      "physicalName",
      "NAME_RULES",
      "InputError",
    ]) {
      expect(exported.has(name), name).to.equal(true);
    }
    expect(library.environmentPolicy(true).protectData).to.equal(true);
    expect(library.physicalName("bucket", ["p", "dev", "raw"])).to.equal("p-dev-raw");
  });

  it("the program (index.ts, config.ts, pipelines/, the example) imports the components only through the package's entry point", () => {
    const files = ["index.ts", "config.ts", "examples/own-pipeline/index.ts", ...fs.readdirSync(path.join(ROOT, "pipelines")).map((f) => `pipelines/${f}`)];
    const seen: string[] = [];
    for (const file of files.filter((f) => f.endsWith(".ts"))) {
      const imports = [...fs.readFileSync(path.join(ROOT, file), "utf8").matchAll(/from "([^"]*components[^"]*)"/g)].map((m) => m[1]);
      seen.push(...imports);
      expect(
        imports.filter((i) => i !== "@cloudrun-pipelines/components"),
        file,
      ).to.deep.equal([]);
    }
    expect(seen.length).to.be.at.least(files.length - 1);
  });
});
