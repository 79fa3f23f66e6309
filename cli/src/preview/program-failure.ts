import { BadInput } from "../errors";

/**
 * The program failed while it ran under the mock runtime: it threw while loading, or left an error unhandled (a
 * rejected promise, a throw inside an `apply`). The message is the program's own (e.g. its config error naming the
 * key); `cause` is what it threw.
 */
export class ProgramError extends BadInput {
  constructor(
    /** The program's entry file. */
    readonly program: string,
    /** The stack whose config it ran with (not `stack`: an Error's `stack` is its trace). */
    readonly stackName: string,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }

  /** What was thrown, as a reader sees it: `TypeError: Cannot read properties of undefined (reading 'trim')`, or the bare message of a plain Error. */
  get thrown(): string {
    const { cause } = this;
    return cause instanceof Error && cause.name !== "Error" ? `${cause.name}: ${cause.message}` : this.message;
  }
}

/** The errors a program run leaves, turned into a rejection of the run (see {@link programFailures}). */
export interface ProgramFailures {
  /** `run`, rejected with a {@link ProgramError} as soon as the run or anything it left unhandled fails. */
  race<T>(run: Promise<T>): Promise<T>;
  /** Rejects with the first failure once Node has reported what the run's last turn left unhandled; else resolves. */
  settled(): Promise<void>;
  /**
   * Removes the process handlers once Node has reported what the run's last turn left unhandled: a failed load
   * rejects the run first and leaves the same error unhandled a turn later, which must not end the process.
   */
  dispose(): Promise<void>;
}

/**
 * Watches a program run for errors it leaves unhandled, as Pulumi's Node.js host does: `@pulumi/pulumi/cmd/run`
 * handles `uncaughtException` and `unhandledRejection` and reports "Running program '…' failed with an unhandled
 * exception" (src: node_modules/@pulumi/pulumi/cmd/run/run.js, 3.276, `uncaughtHandler`). Without it Node ends the
 * preview on the first one, printing the bare error (Node's default for an unhandled rejection is to throw it, src:
 * https://nodejs.org/api/cli.html#--unhandled-rejectionsmode), before the type check can report what caused it. A
 * program whose load throws leaves the same error unhandled in Pulumi's stack outputs as well; the first is reported.
 * @param program - the program's entry file, named in the error.
 * @example
 * const failures = programFailures("index.ts", "dev");
 * try {
 *   await failures.race(Promise.resolve());
 *   await failures.settled();
 * } finally {
 *   await failures.dispose();
 * }
 */
export function programFailures(program: string, stack: string): ProgramFailures {
  let first: ProgramError | undefined;
  let fail: (err: ProgramError) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  const onError = (err: unknown) => {
    first ??= err instanceof ProgramError ? err : new ProgramError(program, stack, err);
    fail(first);
  };
  process.on("uncaughtException", onError);
  process.on("unhandledRejection", onError);
  return {
    race: (run) =>
      Promise.race([
        run.catch((err: unknown) => {
          onError(err);
          return failed;
        }),
        failed,
      ]),
    settled: () =>
      new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        if (first) throw first;
      }),
    dispose: () =>
      new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        process.off("uncaughtException", onError);
        process.off("unhandledRejection", onError);
      }),
  };
}
