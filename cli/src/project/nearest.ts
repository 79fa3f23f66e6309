import * as fs from "fs";
import * as path from "path";

/**
 * The nearest `name` (a file or a folder) in `dir` or a folder above it, as Node finds `node_modules` and tsc finds
 * `tsconfig.json`.
 * @example
 * nearest("examples/own-pipeline", "tsconfig.json"); // "<repository>/tsconfig.json"
 */
export function nearest(dir: string, name: string): string | undefined {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    if (fs.existsSync(path.join(at, name))) return path.join(at, name);
    if (path.dirname(at) === at) return undefined;
  }
}
