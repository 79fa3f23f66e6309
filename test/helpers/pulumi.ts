import * as pulumi from "@pulumi/pulumi";
import { environmentPolicy } from "../../components/shared/policy";
import { installMockRuntime, MockCloud, RecordedResource, ResourceRecorder, settled } from "../../cli/src/preview/mock-runtime";

/** The project and region component tests run in. */
export const CLOUD: MockCloud = { project: "test-project", region: "europe-west1" };
/** dev's policy: everything destroyable. */
export const DEV = environmentPolicy(false);
/** prod's policy: data protected. */
export const PROD = environmentPolicy(true);

/**
 * Call inside a `describe`: installs the mock runtime before its tests and forgets the recorded resources before
 * each one. Returns the recorder the tests read.
 */
export function useMockRuntime(): ResourceRecorder {
  const recorder = new ResourceRecorder();
  before(() => installMockRuntime(CLOUD, "test", recorder));
  beforeEach(() => recorder.clear());
  return recorder;
}

/** Resolves an Output's value (the mock runtime runs with known values). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

/** Waits until every registration is answered, then returns the resources recorded since the last `clear()`. */
export async function registered(recorder: ResourceRecorder): Promise<RecordedResource[]> {
  await settled();
  return recorder.resources;
}

/** The direct children of a resource (by parent URN). */
export function childrenOf(resources: readonly RecordedResource[], parent: RecordedResource): RecordedResource[] {
  return resources.filter((r) => r.parent === parent.urn);
}

/** Runs `declare`, expecting it to throw synchronously; returns the message. */
export function errorOf(declare: () => unknown): string {
  try {
    declare();
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error("expected an error, but none was thrown");
}
