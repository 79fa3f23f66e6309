import { execFile } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { nearest } from "../project/nearest";

/** The program does not type-check: tsc's diagnostics, as `pulumi up` would report them. */
export class TypeCheckError extends Error {
  constructor(
    /** The tsc command, e.g. `tsc -p node_modules/.cache/cloudrun-pipelines/preview-program-<id>.tsconfig.json`. */
    readonly command: string,
    /** tsc's output lines as it prints them (`--pretty false`): `file(line,col): error TSxxxx: …`, paths relative to the current folder. */
    readonly diagnostics: readonly string[],
  ) {
    const errors = diagnostics.filter((line) => /: error TS\d+:/.test(line)).length;
    super(
      `the program does not type-check, as \`pulumi up\` would refuse it (${command}): ${errors} ${errors === 1 ? "error" : "errors"}; fix ${errors === 1 ? "it" : "them"}:\n${diagnostics.join("\n")}`,
    );
  }
}

/**
 * The type check `pulumi up` does before it runs the program, done once and cached instead of per loaded file, in a
 * child process, so the caller runs the program (transpile-only) beside it. `tsc` is the project's own: resolved from
 * the folder of the tsconfig it builds, as Pulumi's Node.js language host resolves the project's `typescript` and
 * `ts-node` (src: node_modules/@pulumi/pulumi/tsutils.js `typeScriptRequireStrings`), so the preview reports what
 * `pulumi up` would, with the same compiler; the CLI does not ship one.
 *
 * Pulumi's Node.js language host loads a TypeScript program through the project's ts-node and type-checks it unless
 * `PULUMI_NODEJS_TRANSPILE_ONLY=true` or the tsconfig's `noCheck` says otherwise (src:
 * https://github.com/pulumi/pulumi/blob/master/sdk/nodejs/cmd/run/run.ts, `transpileOnly`; read in @pulumi/pulumi
 * 3.276's cmd/run/run.js).
 *
 * `typeCheck(tsconfig)` is `tsc -b` on a tsconfig the project names (cloudrun-pipelines.yaml `preview.typeCheck`;
 * this repository's tsconfig.preview.json: ~7 s CPU cold, ~0.5 s when nothing changed, a few seconds after an edit,
 * ../shared/reference/performance-notes.md §1.3). `tsc -b` decides "up to date" from the modification times of the
 * config's own files, so such a tsconfig includes every directory the program imports from (src: "Working as
 * Intended" in https://github.com/microsoft/TypeScript/issues/49655; verified here: performance-notes.md §1.3).
 *
 * @param project - the tsconfig to build.
 * @returns a promise that resolves when the program type-checks, and rejects with a {@link TypeCheckError} holding
 *   tsc's diagnostics (`file(line,col): error TSxxxx: …`) when it does not, or with an Error when tsc cannot be run.
 * @example
 * const checked = typeCheck("tsconfig.preview.json");
 * checked.then(() => console.log("no type errors"), (err: Error) => console.error(err.message));
 */
export function typeCheck(project: string): Promise<void> {
  return tsc(["-b", project], project);
}

/**
 * The type check of a program without a tsconfig of its own for it: `tsc -p` on a tsconfig that extends the program's
 * nearest tsconfig.json (if any) with `file` as its only root, written under the nearest `node_modules/.cache/` with
 * its incremental build info beside it. `-p`, not `-b`: an incremental `tsc -p` re-checks whatever changed among all
 * the files the program imports (build info records each file's version), while `tsc -b` only looks at the config's
 * own files (src: https://github.com/microsoft/TypeScript/issues/49655), which would miss an edit to an import.
 * @param file - the program's entry file.
 * @returns as {@link typeCheck}.
 * @example
 * typeCheckProgram("examples/own-pipeline/index.ts").then(() => console.log("no type errors"));
 */
export function typeCheckProgram(file: string): Promise<void> {
  const entry = path.resolve(file);
  const modules = nearest(path.dirname(entry), "node_modules") ?? nearest(process.cwd(), "node_modules");
  if (modules === undefined) return Promise.reject(new Error(`no node_modules above ${entry} or here: install the project's dependencies (npm install)`));
  const cache = path.join(modules, ".cache", "cloudrun-pipelines");
  const id = createHash("sha256").update(entry).digest("hex").slice(0, 12);
  const project = path.join(cache, `preview-program-${id}.tsconfig.json`);
  const base = nearest(path.dirname(entry), "tsconfig.json");
  const config = {
    ...(base !== undefined && { extends: base }),
    // rootDir: TypeScript 6 defaults it to this config's own directory and refuses a file outside it, even with noEmit
    // (src: https://github.com/microsoft/TypeScript/issues/54500, "rootDir default"); the program and the components it
    // imports may be anywhere, and nothing is emitted. Without a tsconfig of the program's: strict, as `pulumi new`'s
    // TypeScript template sets it.
    compilerOptions: {
      ...(base === undefined && { strict: true, target: "ES2022", module: "nodenext", moduleResolution: "nodenext", skipLibCheck: true }),
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
  return tsc(["-p", project], project, path.dirname(entry));
}

/**
 * Runs the `tsc` of the project at `from` (else of the one in the current folder) on `args`, in the current folder, so
 * that its diagnostics name files as the user reaches them from here (tsc prints paths relative to its working
 * directory).
 */
function tsc(args: string[], project: string, from = path.dirname(project)): Promise<void> {
  let compiler: string;
  try {
    compiler = require.resolve("typescript/bin/tsc", { paths: [from, process.cwd()] });
  } catch {
    return Promise.reject(
      new Error(
        `no typescript in the project at ${from}: the preview type-checks the program with the project's own compiler, as \`pulumi up\` does; npm install --save-dev typescript`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [compiler, ...args, "--pretty", "false"], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve();
      const diagnostics = `${stdout}${stderr}`.trim() || err.message;
      reject(new TypeCheckError(`tsc ${args[0]} ${path.relative(process.cwd(), project)}`, diagnostics.split("\n")));
    });
  });
}
