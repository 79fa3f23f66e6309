import { CommanderError } from "commander";
import { exitCodeOf } from "./exit";

/**
 * Google's own errors whose fix it does not name, and the fix: no Application Default Credentials (the message of
 * google-auth-library 10, NO_ADC_FOUND in build/src/auth/googleauth.js; the fix:
 * https://cloud.google.com/docs/authentication/provide-credentials-adc).
 */
const GOOGLE_FIXES: readonly [RegExp, string][] = [
  [
    /Could not load the default credentials\. Browse to \S+ for more information\./,
    "no Google credentials found: run gcloud auth application-default login (or set GOOGLE_APPLICATION_CREDENTIALS to a key file)",
  ],
];

/** `message` with each of Google's errors it holds replaced by one that names the fix. */
export function withGoogleFix(message: string): string {
  return GOOGLE_FIXES.reduce((text, [pattern, fix]) => text.replace(pattern, fix), message);
}

/**
 * An error a command has already put in words (one or more `error:` lines, e.g. the preview's tsc diagnostics):
 * {@link reportError} writes `text` as it is and ends with `code`; `cause` is what was thrown, for `--verbose`.
 */
export class Reported extends Error {
  constructor(
    readonly text: string,
    readonly code: number,
    readonly cause: unknown,
  ) {
    super(text.trim());
  }
}

/**
 * Reports what ended a command on `err` and returns its exit code ({@link exitCodeOf}): one line,
 * `error: <what>, <the value>, <the fix>` (the error's message says all three), never an inspected object, and the
 * stack trace only when `verbose`. Commander's own parse errors are already written (program.ts) and `--help` is not
 * an error.
 */
export function reportError(caught: unknown, err: (text: string) => void, verbose: boolean): number {
  if (caught instanceof Reported) {
    err(caught.text);
    if (verbose && caught.cause instanceof Error && caught.cause.stack) err(`${caught.cause.stack}\n`);
    return caught.code;
  }
  if (!(caught instanceof CommanderError)) {
    const message = caught instanceof Error ? caught.message : String(caught);
    err(`error: ${withGoogleFix(message.replace(/^error: /, "").replace(/\s*\n\s*/g, " "))}\n`);
    if (verbose && caught instanceof Error && caught.stack) err(`${caught.stack}\n`);
  }
  return exitCodeOf(caught);
}

/**
 * Parses `argv` with `program` and runs the action it picks; an error it throws is reported by {@link reportError}.
 * @returns `code()` when the action ended, else the error's exit code.
 */
export async function parseAndRun(
  program: { parseAsync(argv: string[], options: { from: "user" }): Promise<unknown> },
  argv: readonly string[],
  err: (text: string) => void,
  code: () => number,
): Promise<number> {
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code();
  } catch (caught) {
    return reportError(caught, err, argv.includes("--verbose"));
  }
}
