import * as path from "path";

/**
 * The custom condition under which this repository's workspace packages resolve to their TypeScript sources (their
 * `exports`, tsconfig.json `customConditions`), so nothing needs a build before it runs.
 */
export const SOURCE_CONDITION = "@cloudrun-pipelines/source";

/**
 * The `node` arguments before a TypeScript file that run it the way the npm scripts do (@swc-node/register: transpiled,
 * not type-checked; tools/register-ts.js says why; the workspace packages from source, {@link SOURCE_CONDITION}), e.g.
 * `spawn(process.execPath, [...RUN_TS, "cli/src/bin.ts", "job", "--help"])`.
 */
export const RUN_TS: readonly string[] = ["-C", SOURCE_CONDITION, "-r", path.join(__dirname, "register-ts.js")];
