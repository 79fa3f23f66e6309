import type * as Pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { satisfies } from "semver";
import { BadInput } from "../errors";

/**
 * One copy of `@pulumi/pulumi`, loaded from a folder as Node resolves it there: the SDK the mock runtime drives and
 * the internals it reads (checked with @pulumi/pulumi 3.276): the RPC codec (`runtime/rpc`: secret markers, the
 * registrations' properties) and the RPC queue (`runtime/settings`: waiting until every registration is answered).
 */
export interface PulumiSdk {
  /** The package's folder (`…/node_modules/@pulumi/pulumi`). */
  readonly root: string;
  readonly version: string;
  readonly pulumi: typeof Pulumi;
  readonly rpc: {
    deserializeProperties(struct: unknown): Record<string, unknown>;
    readonly specialSigKey: string;
    readonly specialSecretSig: string;
  };
  readonly settings: { waitForRPCs(): Promise<void>; rpcKeepAlive(): () => void };
}

/** A program whose `@pulumi/pulumi` the preview cannot drive: the message names the folder, the version and the fix. */
export class PulumiSdkError extends BadInput {}

/** The CLI's `peerDependencies` range for `@pulumi/pulumi`: the versions its mock runtime is checked with. */
function peerRange(): string {
  // cli/package.json, two folders above this file in src/ and in dist/.
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as { peerDependencies: Record<string, string> };
  return manifest.peerDependencies["@pulumi/pulumi"];
}

const loaded = new Map<string, PulumiSdk>();

/**
 * The `@pulumi/pulumi` a program in `folder` loads: resolved from that folder, as Pulumi's Node.js language host
 * resolves `@pulumi/pulumi/cmd/run` from the program's directory and runs the program with it (src:
 * https://github.com/pulumi/pulumi/blob/master/sdk/nodejs/cmd/pulumi-language-nodejs/main.go, `locateModule(ctx, mod,
 * programDir, …)` with `defaultRunPath = "@pulumi/pulumi/cmd/run"`). The mock runtime must drive that same module
 * instance: copies share the engine connection and config through a global store (`global.globalStore`,
 * `runtime/state.js`), but not their classes or functions, so with two copies the program's `instanceof
 * MockMonitor` is false and its data sources (its copy's `invokeOutput`) go unrecorded (test/cli/preview/program-sdk.test.ts).
 * Loaded once per folder it resolves to.
 * @param folder - where the program is; default: the CLI's own folder (its own copy, for the component tests).
 * @throws PulumiSdkError when no `@pulumi/pulumi` resolves from `folder`, or its version is outside the CLI's peer range.
 * @example
 * const { pulumi } = pulumiSdk("examples/own-pipeline");
 */
export function pulumiSdk(folder: string = __dirname): PulumiSdk {
  let manifest: string;
  try {
    manifest = require.resolve("@pulumi/pulumi/package.json", { paths: [path.resolve(folder)] });
  } catch {
    throw new PulumiSdkError(
      `no @pulumi/pulumi for the program in ${path.resolve(folder)}: Pulumi runs a program with the @pulumi/pulumi installed beside it, and so does the preview; npm install @pulumi/pulumi there`,
    );
  }
  const root = path.dirname(manifest);
  const cached = loaded.get(root);
  if (cached) return cached;
  const { version } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string };
  const range = peerRange();
  if (!satisfies(version, range))
    throw new PulumiSdkError(
      `@pulumi/pulumi ${version} at ${root}: the preview's mock runtime reads its internals as of the versions ${range} (cloudrun-pipelines' peer dependency); npm install @pulumi/pulumi@"${range}"`,
    );
  /* eslint-disable @typescript-eslint/no-require-imports -- the program's copy, by path */
  const sdk: PulumiSdk = {
    root,
    version,
    pulumi: require(root) as typeof Pulumi,
    rpc: require(path.join(root, "runtime", "rpc")) as PulumiSdk["rpc"],
    settings: require(path.join(root, "runtime", "settings")) as PulumiSdk["settings"],
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  loaded.set(root, sdk);
  return sdk;
}
