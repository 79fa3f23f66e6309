import { expect } from "chai";
import { sample } from "../../bench/components.bench";
import { CHILD_TEST_TIMEOUT_MS } from "../helpers/child";

/** What both modes must agree on: the count and the digest of the custom resources (types, names, inputs). */
const declared = (mode: "components" | "raw") => {
  const { custom, digest } = sample(mode, 1);
  return { custom, digest };
};

// `npm run bench` is not part of CI; this keeps its comparison honest when a component's inputs change.
describe("bench: components against raw resources", () => {
  it("the raw mode declares exactly the components' custom resources (types, names, inputs), so the ratio compares the same work", function () {
    this.timeout(CHILD_TEST_TIMEOUT_MS);
    const raw = declared("raw");
    expect(raw.custom).to.equal(6); // two buckets; the job, its account and its two bucket grants
    expect(declared("components")).to.deep.equal(raw);
  });
});
