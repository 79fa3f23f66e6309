import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "./typecheck";

/**
 * A Pulumi project of a user's, outside this checkout: `files` (by path relative to the folder, e.g. `Pulumi.yaml`,
 * `index.ts`) written into a new temporary folder.
 * @returns the folder.
 */
export function tempProject(files: Readonly<Record<string, string>>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "user-project-"));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/**
 * Gives a project its own `node_modules`: a symbolic link to each package of this checkout's (Node resolves a link to
 * the package's real path, so a linked package is this checkout's module instance), and a copy of each package in
 * `copies` (a separate module instance, as a user's own install is).
 * @param copies - package names, e.g. `["@pulumi/pulumi"]`.
 */
export function installPackages(dir: string, copies: readonly string[] = []): void {
  const from = path.join(ROOT, "node_modules");
  const to = path.join(dir, "node_modules");
  const packages = fs
    .readdirSync(from)
    .filter((entry) => !entry.startsWith("."))
    .flatMap((entry) => (entry.startsWith("@") ? fs.readdirSync(path.join(from, entry)).map((name) => `${entry}/${name}`) : [entry]));
  for (const name of packages) {
    fs.mkdirSync(path.dirname(path.join(to, name)), { recursive: true });
    if (copies.includes(name)) fs.cpSync(path.join(from, name), path.join(to, name), { recursive: true });
    else fs.symlinkSync(path.join(from, name), path.join(to, name));
  }
}
