import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readSettings } from "../../../cli/src/project/settings";

function project(text?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "settings-"));
  if (text !== undefined) fs.writeFileSync(path.join(dir, "cloudrun-pipelines.yaml"), text);
  return dir;
}

describe("cloudrun-pipelines.yaml (cli/src/project/settings.ts)", () => {
  it("no file is the same as an empty one", () => {
    expect(readSettings(project())).to.deep.equal({});
  });

  it("reads the preview's type check and diagram, and each image's local command", () => {
    const dir = project(
      "preview:\n  typeCheck: tsconfig.preview.json\n  diagram: { stack: dev, file: docs/architecture.md }\nlocal:\n  images:\n    etl:\n      entrypoint: [node, /app/dist/main.js]\n      command: [node, dist/local.js]\n",
    );
    expect(readSettings(dir)).to.deep.equal({
      preview: { typeCheck: "tsconfig.preview.json", diagram: { stack: "dev", file: "docs/architecture.md" } },
      local: { images: { etl: { entrypoint: ["node", "/app/dist/main.js"], command: ["node", "dist/local.js"] } } },
    });
  });

  it("refuses an unknown field, naming it and the known ones, and a malformed command, naming the field", () => {
    const file = (dir: string) => path.join(dir, "cloudrun-pipelines.yaml");
    const typo = project("local:\n  images:\n    etl:\n      entrypoint: [node, /app/dist/main.js]\n      comand: [node, x.js]\n");
    expect(() => readSettings(typo)).to.throw(
      `${file(typo)}: local.images.etl.command: expected a list of words, e.g. [node, dist/main.js]; local.images.etl.comand: unknown field; known: entrypoint, command (the fields are described in the CLI's README, "cloudrun-pipelines.yaml")`,
    );
    const empty = project("local:\n  images:\n    Etl:\n      entrypoint: []\n      command: [node]\n");
    expect(() => readSettings(empty)).to.throw(`${file(empty)}: local.images.Etl: expected an image name, e.g. etl (the fields`);
    const none = project("local:\n  images:\n    etl:\n      entrypoint: []\n      command: [node]\n");
    expect(() => readSettings(none)).to.throw(`${file(none)}: local.images.etl.entrypoint: expected at least one word, e.g. [node, dist/main.js] (the fields`);
    const top = project("previw: {}\n");
    expect(() => readSettings(top)).to.throw(`${file(top)}: previw: unknown field; known: preview, local`);
  });
});
