import { expect } from "chai";
import * as path from "path";
import { ROOT } from "../../tools/run-program";
import { RUN_TS } from "../../tools/run-ts";
import { CHILD_TEST_TIMEOUT_MS, runNode } from "../helpers/child";

interface Sample {
  readonly custom: number;
  readonly digest: string;
}

/** One run of the benchmark's worker, as bench/components.bench.ts starts it; its last stdout line. */
function sample(mode: "components" | "raw"): Sample {
  const result = runNode([...RUN_TS, path.join(ROOT, "bench", "components-worker.ts"), mode, "1"], { cwd: ROOT });
  expect(result.status, result.stderr).to.equal(0);
  const { custom, digest } = JSON.parse(result.stdout.trim().split("\n").pop()!) as Sample;
  return { custom, digest };
}

// `npm run bench` is not part of CI; this keeps its comparison honest when a component's inputs change.
describe("bench: components against raw resources", () => {
  it("the raw mode declares exactly the components' custom resources (types, names, inputs), so the ratio compares the same work", function () {
    this.timeout(CHILD_TEST_TIMEOUT_MS);
    const raw = sample("raw");
    const components = sample("components");
    expect(raw.custom).to.equal(6); // two buckets; the job, its account and its two bucket grants
    expect(components).to.deep.equal(raw);
  });
});
