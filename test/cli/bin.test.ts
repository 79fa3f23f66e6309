import { expect } from "chai";
import { RUN_TS } from "../../tools/run-ts";
import { CHILD_TEST_TIMEOUT_MS, runNode } from "../helpers/child";
import { ROOT } from "../helpers/typecheck";

describe("cloudrun-pipelines: one bin (cli/src/bin.ts)", () => {
  it("lists its five commands, and hands every argument after a command to that command", function () {
    this.timeout(CHILD_TEST_TIMEOUT_MS);
    const help = runNode([...RUN_TS, "cli/src/bin.ts", "--help"], { cwd: ROOT });
    expect(help.status).to.equal(0);
    expect([...help.stdout.matchAll(/^ {2}(\w+) \[options\.\.\.\]/gm)].map((m) => m[1])).to.deep.equal(["preview", "job", "local", "promote", "stream"]);
    const job = runNode([...RUN_TS, "cli/src/bin.ts", "job", "--help"], { cwd: ROOT });
    expect({ status: job.status, first: job.stdout.split("\n")[0] }).to.deep.equal({ status: 0, first: "Usage: cloudrun-pipelines job [options] [command]" });
    const promote = runNode([...RUN_TS, "cli/src/bin.ts", "promote", "--from", "dev"], { cwd: ROOT });
    expect({ status: promote.status, err: promote.stderr }).to.deep.equal({
      status: 2,
      err: "error: required option '--to <stack>' not specified (see --help)\n",
    });
  });
});
