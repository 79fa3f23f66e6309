import { CommanderError } from "commander";
import { SettingsError } from "../../project/settings";
import { BadInput } from "../../errors";

/**
 * The one table of exit codes of every command (README, "Command-line convention"): 0 done, 1 the work failed (a
 * job, a guardrail, no answer in time), 2 bad input or bad config, 3 the cloud or the environment (credentials, an
 * API, the emulator), 130 on SIGINT and 143 on SIGTERM (128 + the signal's number, as shells report a process a
 * signal ended: SIGINT is 2, SIGTERM 15; src: https://www.gnu.org/software/bash/manual/html_node/Exit-Status.html).
 */
export const EXIT = { done: 0, failed: 1, badInput: 2, environment: 3, sigint: 130, sigterm: 143 } as const;

/** The exit code of a command a signal stopped. */
export const SIGNAL_EXIT: Readonly<Record<"SIGINT" | "SIGTERM", number>> = { SIGINT: EXIT.sigint, SIGTERM: EXIT.sigterm };

/**
 * The exit code an error ends a command with: 2 for bad input (a flag, a file, cloudrun-pipelines.yaml, commander's
 * own parse errors; 0 for `--help` and `--version`, which commander ends by throwing), 3 for anything else (the
 * cloud, the environment: an API's refusal, missing credentials, an emulator that does not answer).
 */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.done : EXIT.badInput;
  if (err instanceof BadInput || err instanceof SettingsError) return EXIT.badInput;
  return EXIT.environment;
}
