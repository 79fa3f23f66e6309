import { Command, CommanderError } from "commander";
import { promote } from "../promote/promote";
import { BadInput } from "../errors";

/**
 * `cloudrun-pipelines promote --from dev --to prod [--outputs FILE]`: writes the image digests one stack built (its
 * stack outputs' `images`) into another stack's file, under the `<image>Image` keys the project's Pulumi.yaml declares.
 * @returns the exit code: 0 done, 1 failed, 2 bad input.
 */
export function main(argv: readonly string[], io: { out(text: string): void; err(text: string): void }): number {
  const program = new Command("promote")
    .description("Writes the image digests one stack built (its stack outputs) into another stack's file.")
    .requiredOption("--from <stack>", "the stack that built the images", "dev")
    .requiredOption("--to <stack>", "the stack that deploys them")
    .option("--outputs <file>", "the --from stack's outputs as JSON instead of the Pulumi CLI")
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t) });
  try {
    program.parse([...argv], { from: "user" });
    const opts = program.opts<{ from: string; to: string; outputs?: string }>();
    for (const [image, change] of Object.entries(promote(opts.from, opts.to, opts.outputs))) io.out(`${image}: ${change.from ?? "(none)"} -> ${change.to}\n`);
    io.out(
      `wrote Pulumi.${opts.to}.yaml; review and commit it, then \`pulumi up --stack ${opts.to}\` deploys those digests (this project's stacks copy each into ${opts.to}'s own repository; the deployer needs read on ${opts.from}'s)\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    io.err(`promote failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof BadInput ? 2 : 1;
  }
}
