import * as path from "node:path";
import * as ts from "typescript";

/** The repository's root, whose `tsconfig.json` gives the compiler options. */
export const ROOT = path.join(__dirname, "..", "..");

/**
 * Type-checks `files` with the TypeScript compiler API and the repository's compiler options (strict), as
 * `npm run build` would. Returns the diagnostics of those files, one line each (`file:line: message`); empty when
 * they compile.
 */
export function typeCheck(files: readonly string[]): string[] {
  const config = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), (f) => ts.sys.readFile(f));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const program = ts.createProgram({ rootNames: [...files], options: { ...options, noEmit: true } });
  const wanted = new Set(files.map((f) => path.resolve(f)));
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || wanted.has(path.resolve(d.file.fileName)))
    .map((d) => {
      const where =
        d.file && d.start !== undefined ? `${path.relative(ROOT, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : "";
      return `${where}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
}
