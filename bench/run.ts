// `npm run bench [-- <bench>...]`: runs the chosen benchmarks (all by default), each bench/<name>.bench.ts in its own
// process, one after the other; `npm run bench -- --help` lists them. The command-line convention of the CLI
// (cli/src/commands/shared): the `error:` line, the exit codes, EPIPE, signals.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { runEntry } from "../cli/src/commands/shared/entry";
import { parseAndRun } from "../cli/src/commands/shared/error-line";
import { EXIT } from "../cli/src/errors";
import type { CommandIo } from "../cli/src/commands/shared/io";
import { summaryLine } from "../cli/src/commands/shared/output";
import { commandProgram } from "../cli/src/commands/shared/program";
import { BadInput } from "../cli/src/errors";
import { RUN_TS } from "../tools/run-ts";

/** The benchmarks: bench/<name>.bench.ts. */
const BENCHES = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith(".bench.ts"))
  .map((f) => f.slice(0, -".bench.ts".length))
  .sort();

/**
 * Runs the benchmarks `argv` names (all when it names none), their output on this process's streams.
 * @returns the exit code: 0 when each ended with 0, 1 when one failed, 2 for an unknown benchmark.
 */
function main(argv: readonly string[], io: CommandIo): Promise<number> {
  let code: number = EXIT.done;
  const program = commandProgram(
    "bench",
    "Runs the benchmarks, each a paired comparison against a baseline run beside it.",
    io,
    `\nBenchmarks: ${BENCHES.join(", ")}.`,
  )
    .argument("[bench...]", `which to run (default: all): ${BENCHES.join(", ")}`)
    .action((chosen: string[]) => {
      const unknown = chosen.filter((name) => !BENCHES.includes(name));
      if (unknown.length > 0) throw new BadInput(`unknown benchmark "${unknown.join('", "')}": choose from ${BENCHES.join(", ")}`);
      const started = Date.now();
      for (const name of chosen.length > 0 ? chosen : BENCHES) {
        io.err(`\n== ${name}.bench.ts\n`);
        const ran = spawnSync(process.execPath, [...RUN_TS, path.join(__dirname, `${name}.bench.ts`)], { stdio: "inherit" });
        if (ran.status !== 0) {
          io.err(`error: benchmark ${name} exited with ${ran.status ?? ran.signal}, see its output above\n`);
          code = EXIT.failed;
        }
      }
      io.err(summaryLine({ what: `bench ${chosen.join(" ") || "(all)"}`, state: code === EXIT.done ? "DONE" : "FAILED", ms: Date.now() - started }));
    });
  return parseAndRun(program, argv, io.err, () => code);
}

runEntry(main, process.argv.slice(2));
