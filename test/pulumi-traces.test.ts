import { expect } from "chai";
import * as fs from "node:fs";

/** @pulumi/pulumi's internal promise wrapper (runtime/debuggable.js); not in its type declarations. */
interface Debuggable {
  /** Sets `_debugStackTrace` on the promise it is given. */
  debuggablePromise<T>(this: void, p: Promise<T>, ctx: string): Promise<T>;
}

describe("test preload: Pulumi's bookkeeping stack traces (test/helpers/pulumi-traces.ts)", () => {
  it("a promise Pulumi wraps keeps no frames, so no source map is read for it", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { debuggablePromise } = require("@pulumi/pulumi/runtime/debuggable") as Debuggable;
    const given: Promise<number> & { _debugStackTrace?: string } = Promise.resolve(1);
    expect(await debuggablePromise(given, "test")).to.equal(1);
    expect(given._debugStackTrace).to.equal("Error");
  });

  it("any other stack trace is still mapped to its TypeScript line", () => {
    const error = new Error("mapped"); // the marker line
    const line =
      fs
        .readFileSync(__filename, "utf8")
        .split("\n")
        .findIndex((l) => l.includes("// the marker line")) + 1;
    expect(error.stack?.split("\n")[1]).to.include(`pulumi-traces.test.ts:${line}:`);
  });
});
