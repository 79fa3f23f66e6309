#!/usr/bin/env node
import { Command } from "commander";

/** What the CLI's own streams are, for the commands that take them. */
const io = { out: (t: string) => void process.stdout.write(t), err: (t: string) => void process.stderr.write(t) };
const exit = (code: number) => process.exit(code);

// Each command is loaded only when it runs: `job` does not load Pulumi, the preview does not load the Google clients.
// `require`, not `import()`: in this CommonJS package TypeScript (`module: nodenext`) types `import()` as an ES module
// import, which Node would load through its ES module loader, outside a TypeScript require hook.
/* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose (see above) */
const COMMANDS: Record<string, { readonly description: string; run(args: readonly string[]): void }> = {
  preview: {
    description: "the offline preview of the Pulumi project in this folder: its resources, IAM, outputs, the guardrails and the deploy rehearsal",
    run(args) {
      // Pulumi records a stack trace for every promise it wraps (@pulumi/pulumi runtime/debuggable.js) and every
      // resource it registers; each is mapped through source maps: ~1/4 of the run's CPU (warm dev preview, paired
      // runs: 5.2 -> 3.9 s CPU). The preview prints error messages, never stacks.
      Error.stackTraceLimit = 0;
      void (require("./preview/preview") as typeof import("./preview/preview")).main(args).then(exit);
    },
  },
  job: {
    description: "run a deployed Cloud Run job or chain of jobs with per-execution overrides (or --local), and report",
    run: (args) => (require("./runner/cli") as typeof import("./runner/cli")).runFromProcess(args),
  },
  local: {
    description: "run the stack's pipelines on this machine, on Google's Pub/Sub emulator",
    run(args) {
      process.env.METADATA_SERVER_DETECTION ??= (require("./local/process") as typeof import("./local/process")).NO_METADATA_SERVER.METADATA_SERVER_DETECTION;
      void (require("./commands/local") as typeof import("./commands/local")).main(args, { ...io, isTTY: Boolean(process.stderr.isTTY) }).then(exit);
    },
  },
  promote: {
    description: "write the image digests one stack built into another stack's file",
    run: (args) => exit((require("./commands/promote") as typeof import("./commands/promote")).main(args, io)),
  },
  stream: {
    description: "send a request to the streaming pipeline and wait for its answer",
    run: (args) => void (require("./stream/stream") as typeof import("./stream/stream")).main(args, io).then(exit),
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * `cloudrun-pipelines <command> [options]`: the one bin of the CLI package. Each command parses its own options
 * (`cloudrun-pipelines <command> --help`).
 * @example
 * run(["preview", "--stack", "prod"]);
 */
export function run(argv: readonly string[]): void {
  const { version } = require("../package.json") as { version: string }; // eslint-disable-line @typescript-eslint/no-require-imports
  const program = new Command("cloudrun-pipelines")
    .description("Preview, run and promote serverless data pipelines on Google Cloud declared with @cloudrun-pipelines/components.")
    .version(version)
    .enablePositionalOptions();
  for (const [name, command] of Object.entries(COMMANDS)) {
    program
      .command(name)
      .description(command.description)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .passThroughOptions()
      .argument("[options...]", `see: cloudrun-pipelines ${name} --help`)
      .action((args: string[]) => command.run(args));
  }
  program.parse([...argv], { from: "user" });
}

if (require.main === module) run(process.argv.slice(2));
