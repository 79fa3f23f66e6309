import ignore from "@balena/dockerignore";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { copiedFiles, copySources } from "../../components/shared/dockerfile";
import { ROOT } from "../helpers/typecheck";

// No Docker engine here: each Dockerfile is checked by reading it against its context, the repository root, and the
// root .dockerignore (the only one the provider reads), with @balena/dockerignore, a port of Docker's own matcher.
const IMAGES = ["etl", "scorer", "stream"];
const dockerignore = ignore().add(fs.readFileSync(path.join(ROOT, ".dockerignore"), "utf8"));

describe("the images' Dockerfiles against their context (the repository root) and its .dockerignore", () => {
  it("the matcher sees an excluded file (so the checks below can fail)", () => {
    expect(dockerignore.ignores("components/index.ts")).to.equal(true);
    expect(dockerignore.ignores("images/etl/node_modules/x/index.js")).to.equal(true);
    expect(dockerignore.ignores("images/etl/src/main.ts")).to.equal(false);
  });

  for (const image of IMAGES) {
    it(`images/${image}/Dockerfile: every file it copies exists in the context and is sent (not excluded)`, () => {
      const dockerfile = path.join(ROOT, "images", image, "Dockerfile");
      const files = copiedFiles(ROOT, dockerfile);
      expect(files).to.include.members(["package-lock.json", "images/shared/src/log.ts", `images/${image}/package.json`]);
      expect(files.filter((f) => dockerignore.ignores(f))).to.deep.equal([]);
      for (const source of copySources(fs.readFileSync(dockerfile, "utf8"))) expect(dockerignore.ignores(source), source).to.equal(false);
    });
  }

  it("the context sends nothing but what the images copy: no other package, test, stack file or dependency", () => {
    const sent = (dir: string): string[] =>
      fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = path.join(dir, e.name);
        if (dockerignore.ignores(rel) && !e.isDirectory()) return [];
        return e.isDirectory() ? (e.name === "node_modules" || e.name === ".git" ? [] : sent(rel)) : [rel];
      });
    const copied = new Set(IMAGES.flatMap((image) => copiedFiles(ROOT, path.join(ROOT, "images", image, "Dockerfile"))));
    const dockerfiles = IMAGES.map((image) => `images/${image}/Dockerfile`);
    expect(sent("").filter((f) => !copied.has(f) && !dockerfiles.includes(f))).to.deep.equal([]);
  });
});
