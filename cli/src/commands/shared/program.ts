import { Command } from "commander";
import type { CommandIo } from "./io";

/** The exit-code table as every command's `--help` ends (README, "Command-line convention"). */
export const EXIT_HELP = "Exit codes: 0 done, 1 the work failed, 2 bad input or config, 3 the cloud or the environment, 130 SIGINT, 143 SIGTERM.";

/**
 * Writes commander's parse error as the one `error:` line: commander's own message (`error: unknown option
 * '--outptus'`) with its "Did you mean" suggestion (`showSuggestionAfterError`, on by default; src:
 * node_modules/commander/lib/command.js, `unknownOption` and `unknownCommand`) on the same line, then the fix.
 */
export function oneLine(): (text: string, write: (text: string) => void) => void {
  return (text, write) => {
    const [first, ...rest] = text.trim().split("\n");
    const hint = rest.map((line) => line.trim().replace(/^\((.*)\)$/, "$1")).filter(Boolean);
    const suggestion = hint.length > 0 ? `, ${hint.join(" ").replace(/^Did/, "did")}` : "";
    write(`${first}${suggestion} (see --help)\n`);
  };
}

/**
 * A command's commander program as every entry point sets it up: its output on `io`, its errors thrown (not
 * `process.exit`), misspelt flags and subcommands answered with the closest one, options of the program accepted
 * before and after a subcommand (commander's default without `enablePositionalOptions`), `--verbose` (stack traces
 * on errors), and the exit codes at the end of `--help`.
 * @example
 * const program = commandProgram("promote", "Writes image digests into another stack's file.", io, "Promotes images.");
 */
export function commandProgram(name: string, description: string, io: Pick<CommandIo, "out" | "err">, help = ""): Command {
  // Named as the user types it, so that its usage line and its subcommands' read `cloudrun-pipelines job run ...`.
  return new Command(`cloudrun-pipelines ${name}`)
    .description(description)
    .option("--verbose", "on an error, also print its stack trace")
    .addHelpText("after", `${help}\n\n${EXIT_HELP}`)
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t), outputError: oneLine() });
}
