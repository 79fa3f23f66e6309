import { execFile } from "child_process";
import * as path from "path";

/** The project root (where tsconfig.preview.json is). */
const ROOT = path.resolve(__dirname, "..");

/**
 * The type check `pulumi up` does before it runs the program, done once and cached instead of
 * per loaded file: `tsc -b tsconfig.preview.json`, incremental, its build info in `node_modules/.cache/`. It runs
 * in a child process, so the caller runs the program (transpile-only) beside it. ~7 s CPU cold, ~0.5 s when
 * nothing changed, a few seconds after an edit (../shared/reference/performance-notes.md §1.3).
 *
 * Pulumi's Node.js language host loads a TypeScript program through the project's ts-node and type-checks it unless
 * `PULUMI_NODEJS_TRANSPILE_ONLY=true` or the tsconfig's `noCheck` says otherwise (src:
 * https://github.com/pulumi/pulumi/blob/master/sdk/nodejs/cmd/run/run.ts, `transpileOnly`; read in @pulumi/pulumi
 * 3.248's cmd/run/run.js). `tsc -b` decides "up to date" from the modification times of the config's own files, so
 * tsconfig.preview.json includes every directory the preview loads (src: "Working as Intended" in
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
  const tsc = require.resolve("typescript/bin/tsc");
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [tsc, "-b", project, "--pretty", "false"], { cwd: path.dirname(project), maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve();
      const diagnostics = `${stdout}${stderr}`.trim() || err.message;
      reject(new Error(`the program does not type-check (as \`pulumi up\` would report; tsc -b ${path.relative(ROOT, project)}):\n${diagnostics}`));
    });
  });
}
