import { Emulator, emulatorMissing, startEmulator } from "../../cli/src/local/emulator";
import { NO_METADATA_SERVER } from "../../cli/src/local/process";

/**
 * Gives a describe block the real Pub/Sub emulator: the one `PUBSUB_EMULATOR_HOST` names (`.ci/run` starts one for
 * the whole run), else one started for this block and stopped after it. While the block runs,
 * `process.env.PUBSUB_EMULATOR_HOST` names it, so clients built with `new PubSub()` talk to it, and the client
 * libraries do not probe for a Compute Engine metadata server ({@link NO_METADATA_SERVER}).
 *
 * Without the Google Cloud CLI the block's tests are skipped (mocha `this.skip()`), and one line on stderr says why
 * and how to install it; the rest of the suite runs.
 * @returns the emulator's `host:port`, once the `before` hook has run.
 */
export function useEmulator(): () => string {
  let emulator: Emulator | undefined;
  let previous: Record<string, string | undefined> = {};
  before(async function () {
    // A cold start of the emulator (gcloud, then Java) takes several seconds; waited for by polling its port.
    this.timeout(180_000);
    const missing = emulatorMissing(process.env);
    if (missing) {
      process.stderr.write(`skipped (${this.test?.parent?.title ?? "emulator tests"}): ${missing}\n`);
      this.skip();
    }
    previous = { PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST, METADATA_SERVER_DETECTION: process.env.METADATA_SERVER_DETECTION };
    emulator = await startEmulator(process.env);
    Object.assign(process.env, { PUBSUB_EMULATOR_HOST: emulator.host, ...NO_METADATA_SERVER });
  });
  after(async function () {
    this.timeout(60_000);
    if (!emulator) return;
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await emulator.stop();
  });
  return () => {
    if (!emulator) throw new Error("useEmulator: the before hook has not run");
    return emulator.host;
  };
}
