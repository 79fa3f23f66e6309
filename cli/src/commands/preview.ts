import * as fs from "fs";
import * as path from "path";
import { BadInput } from "../errors";
import { deployBlockers, verdictText } from "../preview/deployability";
import { deployerRoles, deployerText } from "../preview/deployer-roles";
import { diffPlans, renderDiff } from "../preview/diff";
import { failureText } from "../preview/failure-text";
import { planJson } from "../preview/plan-json";
import { architectureDoc, planText, previewExitCode, previewStack, runStack } from "../preview/preview";
import { iamRows } from "../preview/render";
import { rehearsalText } from "../preview/rehearsal";
import { violationText } from "../preview/rules";
import { programOf } from "../preview/run-program";
import { typeCheck, typeCheckProgram } from "../preview/type-check";
import { readSettings } from "../project/settings";
import { parseAndRun, Reported } from "./shared/error-line";
import { EXIT } from "../errors";
import type { CommandIo } from "./shared/io";
import { printJson, summaryLine } from "./shared/output";
import { commandProgram } from "./shared/program";

interface PreviewFlags {
  program?: string;
  stack: string;
  docsOut?: string;
  json?: string;
  outputs?: string;
  docs: boolean;
  diff?: string[];
  strict?: boolean;
}

/** Writes `text` to `file`, making its folder first (as `--docs-out` always did, so `--json out/plan.json` works too). */
function writeFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/**
 * Runs `run` after the program's type check has begun, and reports a failure as the type check's error when there
 * is one (it comes first, as `pulumi up` reports it), else as the run's, in the preview's own words
 * ({@link failureText}: tsc's diagnostics, a line per stack-file problem): the program (the preview's input) failed
 * to type-check or run, or its stack or config was refused, so exit 2, never a verdict.
 * @throws Reported with that text.
 */
async function checked<T>(typeChecked: Promise<void>, run: () => Promise<T>): Promise<T> {
  typeChecked.catch(() => undefined);
  try {
    const result = await run();
    await typeChecked;
    return result;
  } catch (caught) {
    const first = await typeChecked.then(
      () => caught,
      (typeError: unknown) => typeError,
    );
    throw new Reported(failureText(first), EXIT.badInput, first);
  }
}

/**
 * `cloudrun-pipelines preview [options]`: the preview of the Pulumi project in the current folder (its Pulumi.yaml,
 * `main`, stack files and cloudrun-pipelines.yaml), or of `--program FILE`. The plan on standard output, or with
 * `--json -` the plan as JSON there and the text on standard error.
 * @returns the exit code: {@link previewExitCode} (1 on a guardrail violation or a rehearsal problem), 2 for bad
 * flags, settings or a program that does not type-check or run.
 */
export function main(argv: readonly string[], io: CommandIo): Promise<number> {
  // Pulumi records a stack trace for every promise it wraps (@pulumi/pulumi runtime/debuggable.js) and every resource
  // it registers; each is mapped through source maps: ~1/4 of the run's CPU (warm dev preview, paired runs: 5.2 -> 3.9
  // s CPU). Set before the program runs; the preview prints error messages, and stacks only with --verbose.
  if (!argv.includes("--verbose")) Error.stackTraceLimit = 0;
  let code: number = EXIT.done;
  const started = Date.now();
  const program = commandProgram(
    "preview",
    "Runs the real program offline under the Pulumi mock runtime with a stack's config and prints what `pulumi up` would create.",
    io,
  )
    .option(
      "--program <file>",
      "the program to run; its Pulumi.yaml and Pulumi.<stack>.yaml are beside it (default: the project in this folder, its Pulumi.yaml's main)",
    )
    .option("--stack <name>", "stack whose Pulumi.<stack>.yaml is used", "dev")
    .option("--docs-out <file>", "write the architecture diagram here (default: cloudrun-pipelines.yaml's preview.diagram, for its stack only)")
    .option("--json <file>", "also write the whole plan as JSON (docs/preview-plan.md); - for stdout (the text then goes to stderr)")
    .option("--outputs <file>", "also write the stack outputs as JSON (the runner's --outputs)")
    .option("--no-docs", "do not write the architecture diagram")
    .option("--diff <stacks...>", "compare two stacks' plans instead, e.g. --diff dev prod: resources only in one, inputs and IAM that differ")
    .option("--strict", "also exit 1 when the plan cannot be deployed as it stands (e.g. images not promoted yet), for CI")
    .action(async (opts: PreviewFlags) => {
      const entry = opts.program !== undefined ? path.resolve(opts.program) : programOf();
      const settings = readSettings(path.dirname(entry));
      const root = path.dirname(entry);
      // Type-checked beside the (transpile-only) run; nothing is printed before it passes, and its errors come first.
      const tsconfig = settings.preview?.typeCheck;
      const typeChecked = tsconfig !== undefined ? typeCheck(path.resolve(root, tsconfig)) : typeCheckProgram(entry);
      if (opts.diff) {
        if (opts.diff.length !== 2) throw new BadInput(`--diff ${opts.diff.join(" ")}: takes two stacks, e.g. --diff dev prod`);
        const [a, b] = opts.diff;
        const plans = await checked(typeChecked, async () => [await runStack(entry, a), await runStack(entry, b)] as const);
        io.out(renderDiff(diffPlans(...plans)));
        return;
      }
      const { run, violations, rehearsal } = await checked(typeChecked, () => previewStack(entry, opts.stack));
      const problems = violations.map(violationText);
      const blockers = deployBlockers(run);
      const text = opts.json === "-" ? io.err : io.out;
      text(planText(run, problems));
      text(rehearsalText(rehearsal));
      text(deployerText(deployerRoles(run)));
      text(verdictText(blockers, { violations: problems.length, problems: rehearsal.problems.length }));
      if (opts.json) {
        const plan = planJson({ run, iam: iamRows(run.resources), violations, rehearsal, blockers });
        if (opts.json === "-") printJson(io, plan);
        else writeFile(opts.json, `${JSON.stringify(plan, null, 2)}\n`);
      }
      if (opts.outputs) writeFile(opts.outputs, `${JSON.stringify(run.outputs, null, 2)}\n`);
      const diagram = settings.preview?.diagram;
      const docsOut = opts.docsOut ?? (diagram !== undefined && diagram.stack === opts.stack ? path.resolve(root, diagram.file) : undefined);
      const written = [opts.json !== undefined && opts.json !== "-" ? opts.json : undefined, opts.outputs];
      if (opts.docs && docsOut !== undefined) {
        writeFile(docsOut, architectureDoc(run));
        written.push(path.relative(process.cwd(), docsOut));
      }
      code = previewExitCode({ violations: problems.length, problems: rehearsal.problems.length, blockers: blockers.length, strict: opts.strict === true });
      const files = written.filter((file): file is string => file !== undefined);
      io.err(
        summaryLine({
          what: `preview ${opts.stack}`,
          state: code === EXIT.done ? "PASSED" : "FAILED",
          ms: Date.now() - started,
          results: [
            `${run.resources.length} resources, ${problems.length} violations, ${rehearsal.problems.length} rehearsal problems`,
            ...(blockers.length > 0 ? [`not deployable yet: ${blockers.map((b) => b.what).join(", ")} (the verdict above)`] : []),
            ...(files.length > 0 ? [`wrote ${files.join(", ")}`] : []),
          ],
        }),
      );
    });
  return parseAndRun(program, argv, io.err, () => code);
}
