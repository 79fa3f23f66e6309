import * as path from "path";
import { StackConfigError } from "./config-check";
import { ProgramError } from "./program-failure";
import { TypeCheckError } from "./type-check";

/**
 * What the preview prints on standard error when it cannot show a plan: one `error: ` line per failure (the field,
 * the value, the fix), never an inspected Error:
 * - a type error: one line, then tsc's diagnostics as tsc prints them (`file(line,col): error TSxxxx: …`), also when
 *   the program failed at run time too (the caller reports the type check first, as `pulumi up` never runs a
 *   program that does not compile);
 * - a bad stack file or `Pulumi.yaml` config: a line per problem;
 * - the program's own failure: its file, the stack, what it threw;
 * - anything else: its message.
 * @example
 * failureText(new Error("no stack file Pulumi.qa.yaml; stacks: dev, prod")); // "error: no stack file Pulumi.qa.yaml; stacks: dev, prod\n"
 */
export function failureText(err: unknown): string {
  if (err instanceof TypeCheckError) {
    const [first] = err.message.split("\n");
    return `error: ${first}\n${err.diagnostics.join("\n")}\n`;
  }
  if (err instanceof StackConfigError) return err.problems.map((p) => `error: ${p}\n`).join("");
  if (err instanceof ProgramError) {
    const program = path.relative(process.cwd(), err.program) || err.program;
    return `error: ${program} failed under the mock runtime with the config of Pulumi.${err.stackName}.yaml: ${oneLine(err.thrown)}; fix the program or that config\n`;
  }
  return `error: ${oneLine(err instanceof Error ? err.message : String(err))}\n`;
}

/** A message on one line: Pulumi's own span two (e.g. its ConfigMissingError: the key, then "please set a value using …"). */
const oneLine = (message: string) => message.trim().replace(/\s*\n\s*/g, "; ");
