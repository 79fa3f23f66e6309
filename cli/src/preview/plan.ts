// The shape of a recorded plan, shared by the offline preview (cli/src/preview/mock-runtime.ts), the rules and the policy
// pack, with no runtime dependency, so the policy pack loads the rules without Pulumi's mock runtime.

/** Printed in place of a secret value. */
export const SECRET = "[secret]";

/** One resource as the program registered it with the (mock) engine. */
export interface RecordedResource {
  readonly urn: string;
  /** Type token, e.g. `gcp:storage/bucket:Bucket` or `pipelines:gcp:Bucket`. */
  readonly type: string;
  /** Logical name. */
  readonly name: string;
  /** False for components. */
  readonly custom: boolean;
  /** URN of the parent (the stack for top-level resources). */
  readonly parent?: string;
  /** Inputs as sent, secrets replaced by {@link SECRET}. */
  readonly inputs: Record<string, unknown>;
  /** Outputs the mock returned (inputs plus computed values such as an account's `email`). */
  readonly outputs: Record<string, unknown>;
  /** Pulumi's `protect` option. */
  readonly protect: boolean;
  /** Pulumi's `retainOnDelete` option: a delete drops the resource from state and leaves it in the cloud. */
  readonly retainOnDelete?: boolean;
  /** URNs of explicit and implicit dependencies. */
  readonly dependencies: readonly string[];
  /** Provider reference (`<provider urn>::<id>`) of a custom resource. */
  readonly provider?: string;
}

/** One data source call (an invoke such as `gcp:storage/getProjectServiceAccount:getProjectServiceAccount`) as the program made it. */
export interface RecordedInvoke {
  /** Function token. */
  readonly token: string;
  /** Arguments as sent; `{ "[secret]": "[secret]" }` (see {@link SECRET}) when any of them is secret. */
  readonly inputs: Record<string, unknown>;
  /** What the (mock) provider answered; the same placeholder when the answer is secret. */
  readonly outputs: Record<string, unknown>;
  /** URNs of its provider and of the resources its arguments and `dependsOn` came from: it runs once they are done. */
  readonly dependencies: readonly string[];
}
