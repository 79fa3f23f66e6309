import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { ROOT } from "../helpers/typecheck";

/**
 * The layers of the components package and the CLI, bottom first (cli/README.md, "Layers"). A file imports only files
 * of its own layer or of a lower one, and no import chain comes back to where it started. An entry is a file or a
 * folder (ending in `/`); a file belongs to the entry that names the longest part of its path.
 */
const LAYERS: readonly { readonly layer: string; readonly paths: readonly string[] }[] = [
  { layer: "the components' shared modules (naming, limits, links ...)", paths: ["components/shared/"] },
  { layer: "the components, one per file", paths: ["components/"] },
  { layer: "the components' entry point", paths: ["components/index.ts"] },
  {
    layer: "the CLI's base: errors and exit codes, the outputs contract, the project's files",
    paths: ["cli/src/errors.ts", "cli/src/contract/", "cli/src/project/"],
  },
  { layer: "the preview: the mock runtime, the program's plan, guardrails, rehearsal", paths: ["cli/src/preview/"] },
  {
    layer: "what the other commands do, none through the runner: local runs (the emulator, processes, the local plan), the stream client, promotion",
    paths: ["cli/src/local/", "cli/src/stream/", "cli/src/promote/"],
  },
  {
    layer: "the runner's inputs and clients",
    paths: ["cli/src/runner/timing.ts", "cli/src/runner/io.ts", "cli/src/runner/overrides.ts", "cli/src/runner/chain.ts", "cli/src/runner/client.ts"],
  },
  { layer: "the runner's Google API calls", paths: ["cli/src/runner/api.ts"] },
  { layer: "the runner's waiting, progress and logs", paths: ["cli/src/runner/wait.ts", "cli/src/runner/progress.ts", "cli/src/runner/logs.ts"] },
  {
    layer: "the runner's use cases: a job, a pipeline, a remote pipeline, a local run",
    paths: ["cli/src/runner/run.ts", "cli/src/runner/pipeline.ts", "cli/src/runner/remote.ts", "cli/src/runner/local.ts"],
  },
  { layer: "what every command repeats: parsing, the error line, exit codes, EPIPE, signals, --json, the summary line", paths: ["cli/src/commands/shared/"] },
  { layer: "the commands, each a thin file over what it runs", paths: ["cli/src/commands/"] },
  { layer: "the bin", paths: ["cli/src/bin.ts"] },
];

/** Where the graph is read: every `.ts` source of these folders (not `dist/`, `node_modules/` or `.d.ts`). */
const SCOPE = ["components", "cli/src"];

/** The layer index of `file` (relative to the root, `/`-separated), or -1 when no entry names it. */
function layerOf(file: string, layers = LAYERS): number {
  let best = { at: -1, length: -1 };
  layers.forEach(({ paths }, at) => {
    for (const p of paths) if ((p.endsWith("/") ? file.startsWith(p) : file === p) && p.length > best.length) best = { at, length: p.length };
  });
  return best.at;
}

const relative = (file: string) => path.relative(ROOT, file).split(path.sep).join("/");

/** The package's own entry points under the `@cloudrun-pipelines/source` condition: `name/sub` → its source file. */
function packageEntries(dir: string): Map<string, string> {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, dir, "package.json"), "utf8")) as { name: string; exports: Record<string, unknown> };
  const entries = new Map<string, string>();
  for (const [sub, target] of Object.entries(pkg.exports)) {
    const source = (target as Record<string, string>)["@cloudrun-pipelines/source"];
    if (source) entries.set(path.posix.join(pkg.name, sub), path.posix.join(dir, source));
  }
  return entries;
}

/**
 * The import graph of the sources under {@link SCOPE}: each file (relative path) and the files of the scope it imports
 * (`import`, `import type`, `export … from`, `require()`, `import()`, read by TypeScript's own `preProcessFile`);
 * relative paths and this repository's packages resolve to their source files, other packages are left out.
 */
function importGraph(): Map<string, string[]> {
  const entries = new Map([...packageEntries("components"), ...packageEntries("cli")]);
  const files = SCOPE.flatMap((dir) =>
    fs
      .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
      .map((f) => path.posix.join(dir, f.split(path.sep).join("/")))
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !/(^|\/)(dist|node_modules)\//.test(f)),
  );
  const known = new Set(files);
  const resolve = (from: string, specifier: string): string | undefined => {
    if (entries.has(specifier)) return entries.get(specifier);
    if (!specifier.startsWith(".")) return undefined;
    const base = relative(path.resolve(ROOT, path.dirname(from), specifier));
    return [`${base}.ts`, `${base}/index.ts`, base].find((f) => known.has(f));
  };
  return new Map(
    files.map((file) => {
      const { importedFiles } = ts.preProcessFile(fs.readFileSync(path.join(ROOT, file), "utf8"), true, true);
      const targets = importedFiles.map((i) => resolve(file, i.fileName)).filter((f): f is string => f !== undefined && f !== file);
      return [file, [...new Set(targets)].sort()];
    }),
  );
}

/** Each import that runs up a layer, as `from (layer) -> to (layer)`, and each file no layer names. */
function upwardImports(graph: ReadonlyMap<string, readonly string[]>, layers = LAYERS): string[] {
  const name = (file: string) => `${file} (${layers[layerOf(file, layers)]?.layer ?? "no layer"})`;
  const unplaced = [...graph.keys()].filter((f) => layerOf(f, layers) < 0).map((f) => `${f}: in no layer; add it to LAYERS`);
  const upward = [...graph].flatMap(([from, targets]) =>
    targets.filter((to) => layerOf(to, layers) > layerOf(from, layers)).map((to) => `${name(from)} -> ${name(to)}`),
  );
  return [...unplaced, ...upward];
}

/** The import cycles of the graph, each as its files in import order back to the first: one per import that closes a cycle in a depth-first walk. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const found: string[] = [];
  const state = new Map<string, "open" | "done">();
  const visit = (file: string, trail: string[]) => {
    state.set(file, "open");
    for (const to of graph.get(file) ?? []) {
      if (state.get(to) === "open") found.push([...trail.slice(trail.indexOf(to)), file, to].join(" -> "));
      else if (!state.has(to)) visit(to, [...trail, file]);
    }
    state.set(file, "done");
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file, []);
  return found;
}

describe("layers: the components and the CLI import only downward, with no cycle", () => {
  const graph = importGraph();

  it("the graph sees the imports it must: a lazy require, a type-only import, a package entry point", () => {
    expect(graph.get("cli/src/bin.ts")).to.include("cli/src/commands/job.ts");
    expect(graph.get("cli/src/runner/logs.ts")).to.include.members(["cli/src/runner/client.ts", "cli/src/runner/timing.ts", "cli/src/local/log-line.ts"]);
    expect(graph.get("cli/src/runner/overrides.ts")).to.include.members(["components/shared/limits.ts", "cli/src/errors.ts"]);
    expect(graph.get("components/bucket-trigger.ts")).to.include.members(["components/bucket.ts", "components/cloud-run-service.ts"]);
  });

  it("the checks fail on an upward import and on a cycle (the runner's old client -> logs -> execute -> client)", () => {
    const layers = [
      { layer: "low", paths: ["r/client.ts", "r/execute.ts"] },
      { layer: "high", paths: ["r/logs.ts"] },
    ];
    const old = new Map([
      ["r/client.ts", ["r/logs.ts"]],
      ["r/logs.ts", ["r/execute.ts"]],
      ["r/execute.ts", ["r/client.ts"]],
      ["r/stray.ts", []],
    ]);
    expect(upwardImports(old, layers)).to.deep.equal(["r/stray.ts: in no layer; add it to LAYERS", "r/client.ts (low) -> r/logs.ts (high)"]);
    expect(cycles(old)).to.deep.equal(["r/client.ts -> r/logs.ts -> r/execute.ts -> r/client.ts"]);
  });

  it("every file is in a layer, and no import runs up a layer", () => {
    expect(upwardImports(graph)).to.deep.equal([]);
  });

  it("no import cycle", () => {
    expect(cycles(graph)).to.deep.equal([]);
  });
});
