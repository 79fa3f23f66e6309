#!/usr/bin/env node
import { Command } from "commander";
import { runEntry, type CommandMain } from "./commands/shared/entry";
import { exitCodeOf } from "./commands/shared/exit";
import { quietOnEpipe } from "./commands/shared/io";
import { EXIT_HELP, oneLine } from "./commands/shared/program";

// Each command is loaded only when it runs: `job` does not load Pulumi, the preview does not load the Google clients.
// `require`, not `import()`: in this CommonJS package TypeScript (`module: nodenext`) types `import()` as an ES module
// import, which Node would load through its ES module loader, outside a TypeScript require hook.
/* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose (see above) */
const COMMANDS: Record<string, { readonly description: string; load(): CommandMain }> = {
  preview: {
    description: "the offline preview of the Pulumi project in this folder: its resources, IAM, outputs, the guardrails and the deploy rehearsal",
    load: () => (require("./commands/preview") as typeof import("./commands/preview")).main,
  },
  job: {
    description: "run a deployed Cloud Run job or chain of jobs with per-execution overrides (or --local), and report",
    load: () => (require("./commands/job") as typeof import("./commands/job")).main,
  },
  local: {
    description: "run the stack's pipelines on this machine, on Google's Pub/Sub emulator",
    load: () => (require("./commands/local") as typeof import("./commands/local")).main,
  },
  promote: {
    description: "write the image digests one stack built into another stack's file",
    load: () => (require("./commands/promote") as typeof import("./commands/promote")).main,
  },
  stream: {
    description: "send a request to the streaming pipeline and wait for its answer",
    load: () => (require("./commands/stream") as typeof import("./commands/stream")).main,
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * `cloudrun-pipelines <command> [options]`: the one bin of the CLI package. Each command parses its own options
 * (`cloudrun-pipelines <command> --help`) and runs as this process (commands/shared/entry.ts: the exit codes, the
 * `error:` line, EPIPE, SIGINT and SIGTERM).
 * @example
 * run(["preview", "--stack", "prod"]);
 */
export function run(argv: readonly string[]): void {
  const { version } = require("../package.json") as { version: string }; // eslint-disable-line @typescript-eslint/no-require-imports
  const out = quietOnEpipe(process.stdout);
  const err = quietOnEpipe(process.stderr);
  const program = new Command("cloudrun-pipelines")
    .description("Preview, run and promote serverless data pipelines on Google Cloud declared with @cloudrun-pipelines/components.")
    .version(version)
    .addHelpText("after", `\n${EXIT_HELP}`)
    .enablePositionalOptions()
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err, outputError: oneLine() });
  for (const [name, command] of Object.entries(COMMANDS)) {
    program
      .command(name)
      .description(command.description)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .passThroughOptions()
      .argument("[options...]", `see: cloudrun-pipelines ${name} --help`)
      .action((args: string[]) => runEntry(command.load(), args));
  }
  try {
    program.parse([...argv], { from: "user" });
  } catch (caught) {
    // commander's own: --help and --version (0), an unknown or missing command (2), already written on stderr.
    process.exit(exitCodeOf(caught));
  }
}

if (require.main === module) run(process.argv.slice(2));
