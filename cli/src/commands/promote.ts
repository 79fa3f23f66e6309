import { promote } from "../promote/promote";
import { parseAndRun } from "./shared/error-line";
import type { CommandIo } from "./shared/io";
import { printJson, summaryLine } from "./shared/output";
import { commandProgram } from "./shared/program";

/**
 * `cloudrun-pipelines promote --from dev --to prod [--outputs FILE] [--json]`: writes the image digests one stack
 * built (its stack outputs' `images`) into another stack's file, under the `<image>Image` keys the project's
 * Pulumi.yaml declares. Each change and the summary line on standard error; with `--json`, the changes
 * ({@link promote}'s `Promotion`) on standard output.
 * @returns the exit code: 0 done, 2 bad input (commands/shared/exit.ts).
 */
export function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const started = Date.now();
  const program = commandProgram("promote", "Writes the image digests one stack built (its stack outputs) into another stack's file.", io)
    .requiredOption("--from <stack>", "the stack that built the images", "dev")
    .requiredOption("--to <stack>", "the stack that deploys them")
    .option("--outputs <file>", "the --from stack's outputs as JSON (`pulumi stack output --json --stack <from>`) instead of the Pulumi CLI")
    .option("--json", "print the changes as JSON on stdout")
    .action((opts: { from: string; to: string; outputs?: string; json?: boolean }) => {
      const changes = promote(opts.from, opts.to, opts.outputs);
      for (const [image, change] of Object.entries(changes)) io.err(`${image}: ${change.from ?? "(none)"} -> ${change.to}\n`);
      if (opts.json) printJson(io, changes);
      io.err(
        summaryLine({
          what: `promote ${opts.from} -> ${opts.to}`,
          state: "DONE",
          ms: Date.now() - started,
          results: [
            `wrote Pulumi.${opts.to}.yaml: review and commit it, then \`pulumi up --stack ${opts.to}\` deploys those digests (this project's stacks copy each into ${opts.to}'s own repository; the deployer needs read on ${opts.from}'s)`,
          ],
        }),
      );
    });
  return parseAndRun(program, argv, io.err, () => 0);
}
