import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { z } from "zod";
import { BadInput } from "../errors";

/**
 * The file beside `Pulumi.yaml` that tells the CLI what only the project knows. Not a key of `Pulumi.yaml` itself:
 * Pulumi owns that file's top-level keys (src: https://www.pulumi.com/docs/iac/concepts/projects/project-file/, the
 * attributes it lists), and its schema may refuse keys it does not know in a later version.
 */
export const SETTINGS_FILE = "cloudrun-pipelines.yaml";

/** A bad `cloudrun-pipelines.yaml`: the message names the file, the field, the value and the fix. */
export class SettingsError extends BadInput {}

const argv = z
  .array(z.string().min(1, "expected a non-empty word"), { error: "expected a list of words, e.g. [node, dist/main.js]" })
  .min(1, "expected at least one word, e.g. [node, dist/main.js]");

/** One image's local start: what its container starts, and what runs in its place on this machine. */
const localImage = z
  .object({
    entrypoint: argv.describe(
      "What the container starts: the image's ENTRYPOINT/CMD as Cloud Run runs it, e.g. [node, /app/dist/main.js]; a job's or service's command in the plan must begin with it.",
    ),
    command: argv.describe(
      "What runs instead on this machine, from the project's folder, e.g. [node, dist/main.js]; `node` is the node running the CLI. The rest of the container's command and its args follow.",
    ),
  })
  .strict();

/** The schema of `cloudrun-pipelines.yaml`; every field is optional. */
export const settingsSchema = z
  .object({
    preview: z
      .object({
        typeCheck: z
          .string()
          .min(1)
          .describe(
            "A tsconfig that `tsc -b` builds for the preview's type check (incremental: its build info is reused), e.g. tsconfig.preview.json. Default: `tsc -p` on a config extending the program's nearest tsconfig.json.",
          )
          .optional(),
        diagram: z
          .object({ stack: z.string().min(1), file: z.string().min(1) })
          .strict()
          .describe("The Mermaid architecture diagram a preview of `stack` writes to `file` (unless --no-docs or --docs-out).")
          .optional(),
      })
      .strict()
      .optional(),
    local: z
      .object({
        images: z
          .record(z.string().regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/, "expected an image name, e.g. etl"), localImage)
          .describe(
            "By image name (the last part of the image's path, e.g. `etl` in <registry>/etl@sha256:...): how `local` starts its workload without Docker.",
          ),
      })
      .strict()
      .optional(),
  })
  .strict();

export type Settings = z.infer<typeof settingsSchema>;
export type LocalImage = z.infer<typeof localImage>;

/**
 * Reads and validates `cloudrun-pipelines.yaml` in `root`; no file is the same as an empty one.
 * @throws SettingsError naming the file, the field and the problem, e.g. `local.images.etl.command: expected at least one word`.
 * @example
 * const images = readSettings("examples/own-pipeline").local?.images ?? {};
 */
export function readSettings(root = process.cwd()): Settings {
  const file = path.join(root, SETTINGS_FILE);
  if (!fs.existsSync(file)) return {};
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, "utf8")) ?? {};
  } catch (err) {
    throw new SettingsError(`${file}: not YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = settingsSchema.safeParse(doc);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      if (i.code === "unrecognized_keys") return `${[...i.path, ...i.keys].join(".")}: unknown field; known: ${knownFields(i.path)}`;
      // A record's bad key: zod nests the key's own issue (its message names the expected form).
      const message = i.code === "invalid_key" ? (i.issues[0]?.message ?? i.message) : i.message;
      return `${i.path.join(".") || "(the file)"}: ${message}`;
    });
    throw new SettingsError(`${file}: ${problems.join("; ")} (the fields are described in the CLI's README, "cloudrun-pipelines.yaml")`);
  }
  return parsed.data;
}

/** The fields the schema knows at `at` (for an unknown-field message). */
function knownFields(at: readonly PropertyKey[]): string {
  const shapes: Record<string, string[]> = {
    "": ["preview", "local"],
    preview: ["typeCheck", "diagram"],
    "preview.diagram": ["stack", "file"],
    local: ["images"],
  };
  const key = at.length >= 3 && at[0] === "local" ? "local.images.*" : at.join(".");
  return (key === "local.images.*" ? ["entrypoint", "command"] : (shapes[key] ?? [])).join(", ");
}
