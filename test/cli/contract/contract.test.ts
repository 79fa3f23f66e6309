import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { CHAIN_ENV } from "../../../components/shared/chain-env";
import { runnerOutputs, stackOutputs, streamingOutputs } from "../../../cli/src/contract/outputs";
import { ROOT } from "../../helpers/typecheck";
import { planOf } from "../../helpers/plan";

/** The `.ts` files under `dir` (relative to the root), recursively. */
function sources(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(dir, f));
}

/** The folders (relative to the root) that `file`'s relative imports resolve into: `import … from "…"`, `export … from "…"`, `import("…")`, `require("…")`. */
function importedPaths(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)["']([^"']+)["']/g)].map((m) => m[1]);
  return specifiers.filter((s) => s.startsWith(".")).map((s) => path.relative(ROOT, path.resolve(ROOT, path.dirname(file), s)));
}

function importsUnder(dirs: string[], forbidden: string): string[] {
  return dirs.flatMap((dir) =>
    sources(dir).flatMap((file) =>
      importedPaths(file)
        .filter((p) => p === forbidden || p.startsWith(`${forbidden}/`))
        .map((p) => `${file} -> ${p}`),
    ),
  );
}

describe("contract: one import path, one contract", () => {
  it("the import check sees a forbidden import (so the rules below can fail)", () => {
    expect(importsUnder(["cli/src/stream"], "cli/src/project")).to.include("cli/src/stream/stream.ts -> cli/src/project/outputs");
  });

  it("the CLI imports from components/ only the limits and the chain's env names", () => {
    const allowed = new Set(["components/shared/limits", "components/shared/chain-env"]);
    expect(importsUnder(["cli/src"], "components").filter((line) => !allowed.has(line.split(" -> ")[1]))).to.deep.equal([]);
  });

  it("the stream client imports nothing from images/", () => {
    expect(importsUnder(["cli/src/stream"], "images")).to.deep.equal([]);
  });

  it("bench/ imports nothing from test/", () => {
    expect(importsUnder(["bench"], "test")).to.deep.equal([]);
  });

  for (const stack of ["dev", "prod"]) {
    it(`the preview's ${stack} outputs parse with the contract's schema, and with each reader's view of it`, async () => {
      const { outputs } = await planOf(stack);
      const parsed = stackOutputs.safeParse(outputs);
      expect(parsed.error?.issues, stack).to.equal(undefined);
      expect(Object.keys(parsed.data!).sort()).to.deep.equal(Object.keys(outputs).sort());
      expect(runnerOutputs.parse(outputs).pipelines).to.have.all.keys("etl");
      expect(streamingOutputs.parse(outputs).pipelines.streaming.requestTopic).to.match(/^projects\/[^/]+\/topics\//);
    });
  }

  it("the schema refuses outputs that drift: a job without its full resource name names the field", () => {
    const parsed = stackOutputs.safeParse({ jobs: { extract: { name: "dev-etl-extract" } } });
    expect(parsed.success).to.equal(false);
    expect(parsed.error!.issues.find((i) => i.path.join(".") === "jobs.extract.name")?.message).to.equal(
      "expected projects/<project>/locations/<region>/jobs/<job>",
    );
  });

  it("the ETL container reads the chain's env names (its own copy: the image builds from its own Docker context)", () => {
    const params = fs.readFileSync(path.join(ROOT, "images/etl/src/params.ts"), "utf8");
    expect(params).to.include(`env: "${CHAIN_ENV.runId}"`);
    expect(params).to.include(`env: "${CHAIN_ENV.stagingPrefix}"`);
  });
});
