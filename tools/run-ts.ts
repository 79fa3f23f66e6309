import * as path from "path";

/**
 * The `node` arguments before a TypeScript file that run it the way the npm scripts do (@swc-node/register: transpiled,
 * not type-checked; tools/register-ts.js says why), e.g. `spawn(process.execPath, [...RUN_TS, "runner/cli.ts"])`.
 */
export const RUN_TS: readonly string[] = ["-r", path.join(__dirname, "register-ts.js")];
