import { EXIT } from "../../errors";
import { SIGNAL_EXIT } from "./exit";
import { CommandIo, quietOnEpipe } from "./io";

/** A command: parses `argv`, does its work on `io`, and resolves to its exit code (exit.ts). */
export type CommandMain = (argv: readonly string[], io: CommandIo) => Promise<number>;

/**
 * Runs a command as this process and exits with its code: standard output and error quiet on EPIPE (io.ts);
 * SIGINT and SIGTERM handed to the handlers the command registered (it stops what it started, then ends), or ending
 * the process at once when it registered none; the process then exits 130 (SIGINT) or 143 (SIGTERM), whatever the
 * command returned. A second signal exits at once.
 * @example
 * runEntry((argv, io) => main(argv, io), process.argv.slice(2));
 */
export function runEntry(main: CommandMain, argv: readonly string[]): void {
  const handlers = new Set<() => void>();
  let signal: keyof typeof SIGNAL_EXIT | undefined;
  for (const name of ["SIGINT", "SIGTERM"] as const)
    process.on(name, () => {
      if (signal !== undefined || handlers.size === 0) process.exit(SIGNAL_EXIT[name]);
      signal = name;
      for (const handler of handlers) handler();
    });
  const io: CommandIo = {
    out: quietOnEpipe(process.stdout),
    err: quietOnEpipe(process.stderr),
    isTTY: Boolean(process.stderr.isTTY),
    env: process.env,
    onInterrupt(handler) {
      handlers.add(handler);
      return () => void handlers.delete(handler);
    },
  };
  void main(argv, io).then(
    (code) => process.exit(signal !== undefined ? SIGNAL_EXIT[signal] : code),
    (err: unknown) => {
      io.err(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(EXIT.environment);
    },
  );
}
