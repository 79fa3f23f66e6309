// Runs loadConfig() the way it runs under the engine (`pulumi preview`/`up`): stack and config from the environment
// the Node.js language host sets (PULUMI_NODEJS_STACK, PULUMI_CONFIG), no mock runtime. Prints the images it reads,
// or the config error (exit 1).
import { loadConfig } from "../../config";

try {
  process.stdout.write(JSON.stringify(loadConfig().images));
} catch (err) {
  process.stderr.write((err as Error).message);
  process.exit(1);
}
