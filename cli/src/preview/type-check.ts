import { execFile } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** The project root (where tsconfig.preview.json is). */
const ROOT = path.resolve(__dirname, "..", "..", "..");

/**
 * The type check `pulumi up` does before it runs the program, done once and cached instead of
 * per loaded file: `tsc -b tsconfig.preview.json`, incremental, its build info in `node_modules/.cache/`. It runs
 * in a child process, so the caller runs the program (transpile-only) beside it. ~7 s CPU cold, ~0.5 s when
 * nothing changed, a few seconds after an edit (../shared/reference/performance-notes.md §1.3).
 *
 * Pulumi's Node.js language host loads a TypeScript program through the project's ts-node and type-checks it unless
 * `PULUMI_NODEJS_TRANSPILE_ONLY=true` or the tsconfig's `noCheck` says otherwise (src:
 * https://github.com/pulumi/pulumi/blob/master/sdk/nodejs/cmd/run/run.ts, `transpileOnly`; read in @pulumi/pulumi
 * 3.276's cmd/run/run.js). `tsc -b` decides "up to date" from the modification times of the config's own files, so
 * tsconfig.preview.json includes every directory the program imports from (src: "Working as Intended" in
 * https://github.com/microsoft/TypeScript/issues/49655; verified here: performance-notes.md §1.3).
 *
 * @param project - the tsconfig to build; by default the preview's, `tsconfig.preview.json` at the project root.
 * @returns a promise that resolves when the program type-checks, and rejects with an Error whose message is tsc's
 *   diagnostics (`file(line,col): error TSxxxx: …`) when it does not, or when tsc cannot be run.
 * @example
 * const checked = typeCheck();
 * checked.then(() => console.log("no type errors"), (err: Error) => console.error(err.message));
 */
export function typeCheck(project = path.join(ROOT, "tsconfig.preview.json")): Promise<void> {
  return tsc(["-b", project], project);
}

/**
 * The type check of another program (`npm run preview -- --program FILE`): `tsc -p` on a tsconfig that extends this
 * project's `tsconfig.json` (strict) with `file` as its only root, written under `node_modules/.cache/` with its
 * incremental build info beside it. `-p`, not `-b`: an incremental `tsc -p` re-checks whatever changed among all the
 * files the program imports (build info records each file's version), while `tsc -b` only looks at the config's own
 * files (src: https://github.com/microsoft/TypeScript/issues/49655), which would miss an edit to a component.
 * @param file - the program's entry file.
 * @returns as {@link typeCheck}.
 * @example
 * typeCheckProgram("examples/own-pipeline/index.ts").then(() => console.log("no type errors"));
 */
export function typeCheckProgram(file: string): Promise<void> {
  const entry = path.resolve(file);
  const cache = path.join(ROOT, "node_modules", ".cache");
  const id = createHash("sha256").update(entry).digest("hex").slice(0, 12);
  const project = path.join(cache, `preview-program-${id}.tsconfig.json`);
  const config = {
    extends: path.join(ROOT, "tsconfig.json"),
    // rootDir: TypeScript 6 defaults it to this config's own directory and refuses a file outside it, even with noEmit
    // (src: https://github.com/microsoft/TypeScript/issues/54500, "rootDir default"); the program and the components it
    // imports may be anywhere, and nothing is emitted.
    compilerOptions: {
      noEmit: true,
      incremental: true,
      tsBuildInfoFile: `preview-program-${id}.tsbuildinfo`,
      types: ["node"],
      rootDir: path.parse(entry).root,
    },
    files: [entry],
    include: [],
  };
  fs.mkdirSync(cache, { recursive: true });
  fs.writeFileSync(project, `${JSON.stringify(config, null, 2)}\n`);
  return tsc(["-p", project], project);
}

function tsc(args: string[], project: string): Promise<void> {
  const compiler = require.resolve("typescript/bin/tsc");
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [compiler, ...args, "--pretty", "false"], { cwd: path.dirname(project), maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve();
      const diagnostics = `${stdout}${stderr}`.trim() || err.message;
      reject(new Error(`the program does not type-check (as \`pulumi up\` would report; tsc ${args[0]} ${path.relative(ROOT, project)}):\n${diagnostics}`));
    });
  });
}
