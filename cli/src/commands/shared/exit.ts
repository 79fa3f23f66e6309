import { CommanderError } from "commander";
import { BadInput, EXIT } from "../../errors";

/** The exit code of a command a signal stopped. */
export const SIGNAL_EXIT: Readonly<Record<"SIGINT" | "SIGTERM", number>> = { SIGINT: EXIT.sigint, SIGTERM: EXIT.sigterm };

/**
 * The exit code an error ends a command with: 2 for bad input (a flag, a file, cloudrun-pipelines.yaml, commander's
 * own parse errors; 0 for `--help` and `--version`, which commander ends by throwing), 3 for anything else (the
 * cloud, the environment: an API's refusal, missing credentials, an emulator that does not answer).
 */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.done : EXIT.badInput;
  if (err instanceof BadInput) return EXIT.badInput;
  return EXIT.environment;
}
