import * as fs from "fs";
import * as path from "path";

/**
 * The sources a Dockerfile copies from its build context: the arguments of each `COPY` and `ADD` but the last (the
 * destination), in the shell form (`COPY a b ./`) or the exec form (`COPY ["a", "b", "./"]`), after joining lines
 * continued with `\` and leaving out comments and the instruction's flags (`--chown=…`). A `COPY --from=<stage>`
 * copies from an earlier stage or image, not from the context, and is left out (src:
 * https://docs.docker.com/reference/dockerfile/#copy, "COPY --from").
 * @example
 * copySources('FROM node\nCOPY package.json \\\n  tsconfig.json ./\nCOPY --from=build /app/dist ./dist\n'); // ["package.json", "tsconfig.json"]
 */
export function copySources(dockerfile: string): string[] {
  const lines = dockerfile
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  return lines.flatMap((line) => {
    const [instruction, ...rest] = line.split(/\s+/);
    if (!/^(COPY|ADD)$/i.test(instruction)) return [];
    const flags = rest.filter((word) => word.startsWith("--"));
    if (flags.some((flag) => flag.startsWith("--from="))) return [];
    const body = rest.filter((word) => !word.startsWith("--")).join(" ");
    const args = body.startsWith("[") ? (JSON.parse(body) as string[]) : body.split(" ");
    return args.slice(0, -1);
  });
}

/** Folders never read for an image's content hash (the build never copies them: each image's .dockerignore leaves them out too). */
const IGNORED = new Set(["node_modules", "dist", ".git"]);

/**
 * Every file (relative to `context`, `/`-separated, sorted) that a build of `dockerfile` copies from `context`: the
 * files under each {@link copySources} source, a `*` or `?` in a source's last part matched against that folder's
 * entries, leaving out `node_modules`, `dist` and `.git`.
 * @throws Error naming the source when it matches nothing in the context.
 */
export function copiedFiles(context: string, dockerfile: string): string[] {
  const files = new Set<string>();
  for (const source of copySources(fs.readFileSync(dockerfile, "utf8"))) {
    const relative = path.normalize(source.replace(/^\/+/, ""));
    const dir = path.dirname(relative);
    const last = path.basename(relative);
    const matches = /[*?]/.test(last)
      ? (fs.existsSync(path.join(context, dir)) ? fs.readdirSync(path.join(context, dir)) : [])
          .filter((entry) => glob(last).test(entry))
          .map((e) => path.join(dir, e))
      : fs.existsSync(path.join(context, relative))
        ? [relative]
        : [];
    if (matches.length === 0) throw new Error(`${dockerfile} copies "${source}", which is not in the build context ${context}`);
    for (const match of matches) for (const file of listFiles(context, match)) files.add(file.split(path.sep).join("/"));
  }
  return [...files].sort();
}

function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, "[^/]*")
      .replace(/\?/g, "[^/]")}$`,
  );
}

function listFiles(root: string, relative: string): string[] {
  const full = path.join(root, relative);
  if (!fs.statSync(full).isDirectory()) return [relative];
  return fs
    .readdirSync(full, { withFileTypes: true })
    .filter((entry) => !IGNORED.has(entry.name))
    .flatMap((entry) => listFiles(root, path.join(relative, entry.name)));
}
