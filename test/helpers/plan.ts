import { widestRuns } from "../../tools/deployer-docs";
import { RecordedResource } from "../../cli/src/preview/mock-runtime";
import { ProgramRun, runProgram } from "../../cli/src/preview/run-program";

const plans = new Map<string, Promise<ProgramRun>>();

/**
 * The plan of `stack` with its own stack file (`Pulumi.<stack>.yaml`): the real program run once per test process
 * under the mock runtime (`runProgram`, seconds of CPU), then shared by every test that reads it. The run is
 * deep-frozen, so a test that changes it throws instead of changing what the next test sees. A test with a
 * changed config calls `runProgram` itself.
 * @throws (rejects with) the program's own error, as `runProgram` does.
 * @example
 * it("dev declares a bucket", async () => {
 *   expect((await planOf("dev")).resources.some((r) => r.type === "gcp:storage/bucket:Bucket")).to.equal(true);
 * });
 */
export function planOf(stack: string): Promise<ProgramRun> {
  let plan = plans.get(stack);
  if (!plan) {
    plan = runProgram(stack).then(deepFreeze);
    plans.set(stack, plan);
  }
  return plan;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

let widest: Promise<ProgramRun[]> | undefined;

/**
 * Every stack's widest plan (`widestRuns` of tools/deployer-docs.ts: every optional key that adds resources set,
 * promoted images where a stack builds none), run once per test process and shared, deep-frozen like {@link planOf}.
 * @example
 * it("prod copies its images", async () => {
 *   expect((await widestPlans()).find((run) => run.stack === "prod")!.resources.some((r) => r.type === "command:local:Command")).to.equal(true);
 * });
 */
export function widestPlans(): Promise<ProgramRun[]> {
  widest ??= widestRuns().then(deepFreeze);
  return widest;
}

/**
 * A recorded resource for a fixture: custom, not protected, its outputs its inputs, no dependencies, a URN from its
 * type and name; `extra` sets any other field (`parent`, `custom`, `protect`, `urn`).
 * @example
 * recordedResource("gcp:storage/bucket:Bucket", "raw-bucket", { name: "p-raw" }, { protect: true });
 */
export function recordedResource(type: string, name: string, inputs: Record<string, unknown> = {}, extra: Partial<RecordedResource> = {}): RecordedResource {
  return { urn: `urn:pulumi:test::fixture::${type}::${name}`, type, name, custom: true, inputs, outputs: inputs, protect: false, dependencies: [], ...extra };
}

/** What the prod stack protects (`protect`), by logical name: its buckets, its dataset and its image repository. */
export const PROD_PROTECTED: readonly string[] = [
  "curated-bucket",
  "images-repository",
  "raw-bucket",
  "scoring-input-bucket",
  "scoring-output-bucket",
  "staging-bucket",
  "warehouse-dataset",
];
