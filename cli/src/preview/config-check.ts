import { distance } from "fastest-levenshtein";
import { z } from "zod";
import { BadInput } from "../errors";

/**
 * A stack file whose config the project's `Pulumi.yaml` refuses, or a `Pulumi.yaml` whose `config:` block Pulumi
 * refuses: one problem per key, each naming the file, the key, the value (never a secret's) and the fix.
 */
export class StackConfigError extends BadInput {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("; "));
  }
}

/**
 * The types a `Pulumi.yaml` config declaration takes: `string`, `integer`, `boolean` and `array` (with `items`) in
 * Pulumi's project file reference (src: https://www.pulumi.com/docs/iac/concepts/projects/project-file/, "config
 * options", "Schemas"; the same four in pulumi/pulumi sdk/go/common/workspace/project.json `simpleConfigType` and
 * project.go `ValidateConfigValue`, as stored at commit 0498be1), and `object` (a YAML map, what `getObject` reads),
 * which the task asks for. UNVERIFIED: whether the current Pulumi CLI accepts `type: object`; the copies of project.go
 * and project.json searched name no such type, so a `Pulumi.yaml` that declares one may pass here and fail `pulumi up`.
 */
const TYPES = ["string", "integer", "boolean", "array", "object"] as const;
type ConfigType = (typeof TYPES)[number];

interface ItemsType {
  readonly type: ConfigType;
  readonly items?: ItemsType;
}
const itemsType: z.ZodType<ItemsType> = z.lazy(() =>
  z.object({ type: z.enum(TYPES, { error: `expected one of ${TYPES.join(", ")}` }), items: itemsType.optional() }).strict(),
);

/**
 * A structured declaration under `config:` (src: pulumi/pulumi sdk/go/common/workspace/project.go `ProjectConfigType`;
 * project.json's `configTypeDeclaration` takes no other attribute: `additionalProperties: false`).
 */
const declaration = z
  .object({
    type: z.enum(TYPES, { error: `expected one of ${TYPES.join(", ")}` }).optional(),
    description: z.string().optional(),
    default: z.unknown().optional(),
    value: z.unknown().optional(),
    secret: z.boolean().optional(),
    items: itemsType.optional(),
  })
  .strict();

/** The attributes of a declaration, as {@link declaration} takes them. */
const ATTRIBUTES = Object.keys(declaration.shape);

/** One key `Pulumi.yaml` declares, by its full name (`<namespace>:<key>`). */
export interface ConfigDeclaration {
  readonly type?: ConfigType;
  readonly items?: ItemsType;
  /** Applied when the stack leaves the key out (a project key's default, another namespace's `value`). */
  readonly fallback?: unknown;
  readonly secret: boolean;
}

/**
 * Reads a `Pulumi.yaml` `config:` block as the Pulumi CLI does (src: pulumi/pulumi
 * sdk/go/common/workspace/project.go, `RewriteShorthandConfigValues` and `Project.Validate`): a plain value (or a
 * list) is a project key's `default`, or another namespace's `value`; a key without a namespace is the project's; a
 * type only on the project's keys; `items` with `array`; a `default` of the declared type; not both `default` and
 * `value`.
 * @param project - the project name, the namespace of its own keys.
 * @param block - the parsed `config:` block.
 * @throws StackConfigError naming `Pulumi.yaml`'s key, the attribute and the fix.
 * @example
 * projectConfig("weather", { protectData: { type: "boolean", default: false } }).get("weather:protectData");
 * // { type: "boolean", fallback: false, secret: false }
 */
export function projectConfig(project: string, block: Readonly<Record<string, unknown>>): Map<string, ConfigDeclaration> {
  const declared = new Map<string, ConfigDeclaration>();
  const problems: string[] = [];
  for (const [key, raw] of Object.entries(block)) {
    const full = key.includes(":") ? key : `${project}:${key}`;
    const own = full.startsWith(`${project}:`);
    const at = `Pulumi.yaml: config.${key}`;
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      declared.set(full, { fallback: raw ?? undefined, secret: false });
      continue;
    }
    const parsed = declaration.safeParse(raw);
    if (!parsed.success) {
      problems.push(
        ...parsed.error.issues.map((i) =>
          i.code === "unrecognized_keys"
            ? `${at}: unknown attribute ${i.keys.join(", ")}${i.keys.length === 1 ? didYouMean(i.keys[0], ATTRIBUTES) : ""}; a declaration takes ${ATTRIBUTES.join(", ")}`
            : `${at}.${i.path.join(".")}: ${i.message}`,
        ),
      );
      continue;
    }
    const d = parsed.data;
    if (d.default !== undefined && d.value !== undefined) problems.push(`${at}: both default and value; keep one (Pulumi refuses both)`);
    if (!own && d.type !== undefined) problems.push(`${at}: a type on another namespace's key; only ${project}:<key> takes one (Pulumi refuses it)`);
    if (!own && d.default !== undefined) problems.push(`${at}: a default on another namespace's key; write value: instead (Pulumi refuses a default)`);
    if (d.type === "array" && d.items === undefined) problems.push(`${at}: type array without items; add items: { type: string } (or the items' type)`);
    if (d.type !== undefined && d.default !== undefined && !ofType(d.type, d.items, d.default))
      problems.push(`${at}.default = ${JSON.stringify(d.default)}: not of its type ${typeName(d.type, d.items)}`);
    declared.set(full, { type: d.type, items: d.items, fallback: d.default ?? d.value, secret: d.secret === true });
  }
  if (problems.length > 0) throw new StackConfigError(problems);
  return declared;
}

/** A value of a stack file's `config:` as YAML parses it; `{ secure: <ciphertext> }` for an encrypted one. */
const isSecure = (value: unknown) => value !== null && typeof value === "object" && "secure" in value;

/**
 * Checks a stack file's `config:` against what `Pulumi.yaml` declares, as `pulumi up` checks it before it runs the
 * program, and more:
 * - as Pulumi (src: pulumi/pulumi sdk/go/common/workspace/config.go, `mergeConfig` and `validateStackConfigValue`): a
 *   key declared without a default must be set ("Stack 'dev' is missing configuration value"); a key declared
 *   `secret: true` must be stored encrypted (`pulumi config set --secret`, a `secure:` value), its default included,
 *   which Pulumi applies in plain text and then refuses; a value must be of its declared type, read as the Pulumi CLI
 *   stores it: a scalar as its text (so `"7"` is an integer and `"true"` a boolean), a YAML list or map as JSON
 *   (src: project.go `ValidateConfigValue`; https://www.pulumi.com/docs/iac/cli/commands/pulumi_config_set/: "Top
 *   level entries are always treated as strings");
 * - beyond Pulumi, which passes such keys on unread: a key of the project's namespace that `Pulumi.yaml` does not
 *   declare, a key without a namespace, and a declared key under a namespace one or two letters from the project's
 *   are refused, with the declared key they most likely meant (within two edits, as the Pulumi CLI suggests attribute names: project.go
 *   `findClosestKey`, `maxValidationAttributeDistance = 2`).
 *
 * An encrypted value's type is not checked: only Pulumi can decrypt it.
 * @param file - the stack file's name, e.g. `Pulumi.dev.yaml`, for the messages.
 * @param config - its `config:` block as YAML parses it.
 * @throws StackConfigError with every problem.
 * @example
 * const declared = projectConfig("weather", { protectData: { type: "boolean", default: false } });
 * checkStackConfig("weather", "dev", "Pulumi.dev.yaml", { "weather:protectDta": "true" }, declared);
 * // throws: Pulumi.dev.yaml: weather:protectDta = "true": Pulumi.yaml declares no such key, …; did you mean weather:protectData?
 */
export function checkStackConfig(
  project: string,
  stack: string,
  file: string,
  config: Readonly<Record<string, unknown>>,
  declared: ReadonlyMap<string, ConfigDeclaration>,
): void {
  const own = [...declared.keys()].filter((key) => key.startsWith(`${project}:`));
  const problems: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    const at = `${file}: ${key}${isSecure(value) ? "" : ` = ${JSON.stringify(value)}`}`;
    const colon = key.indexOf(":");
    const [namespace, name] = colon < 0 ? ["", key] : [key.slice(0, colon), key.slice(colon + 1)];
    if (colon < 0) {
      problems.push(`${at}: a key without a namespace; this project's keys are written ${project}:<key>${didYouMean(`${project}:${name}`, own)}`);
      continue;
    }
    if (namespace !== project) {
      // Another namespace is a provider's (gcp:, docker:), unless it is this project's misspelt, for a key it declares.
      if (declared.has(`${project}:${name}`) && close(namespace, project))
        problems.push(`${at}: namespace "${namespace}" is not this project's (${project}); did you mean ${project}:${name}?`);
      continue;
    }
    const d = declared.get(key);
    if (d === undefined) {
      const suggestion = didYouMean(key, own);
      problems.push(
        own.length === 0
          ? `${at}: Pulumi.yaml declares no config, so nothing checks what this key is; declare ${name} under config: in Pulumi.yaml, with its type`
          : `${at}: Pulumi.yaml declares no such key, so the program does not read it${suggestion || `; declare ${name} under config: in Pulumi.yaml, or remove it (declared: ${own.join(", ")})`}`,
      );
      continue;
    }
    if (d.secret && !isSecure(value)) {
      problems.push(
        `${file}: ${key} is stored in plain text, but Pulumi.yaml declares it secret: true; store it encrypted: pulumi config set --secret ${key} <value> --stack ${stack}`,
      );
      continue;
    }
    if (d.type !== undefined && !isSecure(value) && !ofType(d.type, d.items, stored(value)))
      problems.push(`${at}: must be of type ${typeName(d.type, d.items)}, as Pulumi.yaml declares it, e.g. ${EXAMPLES[d.type]}`);
  }
  for (const [key, d] of declared) {
    if (!key.startsWith(`${project}:`) || key in config) continue;
    const set = `pulumi config set${d.secret ? " --secret" : ""} ${key} <value> --stack ${stack}`;
    if (d.fallback === undefined) problems.push(`${file}: ${key} is not set and Pulumi.yaml gives it no default; set it: ${set}`);
    else if (d.secret)
      problems.push(
        `${file}: ${key} is not set, and Pulumi.yaml declares it secret: true with a default, which Pulumi would store in plain text and refuse; set it: ${set}`,
      );
  }
  if (problems.length > 0) throw new StackConfigError(problems);
}

const EXAMPLES: Record<ConfigType, string> = {
  string: '"text"',
  integer: '"7" (pulumi config set <key> 7)',
  boolean: '"true" or "false"',
  array: "a YAML list (pulumi config set --path '<key>[0]' <value>)",
  object: "a YAML map (pulumi config set --path '<key>.<field>' <value>)",
};

/** A stack value as the Pulumi CLI holds it: a scalar as its text, a list or map as itself (JSON). */
function stored(value: unknown): unknown {
  if (value === null || typeof value === "object") return value;
  return String(value);
}

/** Whether `value` is of `type`, as Pulumi's `ValidateConfigValue` decides (project.go). */
function ofType(type: ConfigType, items: ItemsType | undefined, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      // An int, a whole float (YAML numbers decode as floats), or text strconv.Atoi parses.
      return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^[+-]?\d+$/.test(value));
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false";
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    case "array":
      return Array.isArray(value) && items !== undefined && value.every((item) => ofType(items.type, items.items, item));
  }
}

/** `array<string>` for an array of strings, as Pulumi names it (project.go `InferFullTypeName`). */
function typeName(type: ConfigType, items: ItemsType | undefined): string {
  return items === undefined ? type : `array<${typeName(items.type, items.items)}>`;
}

/** Within two edits, ignoring case (project.go `findClosestKey`). */
function close(a: string, b: string): boolean {
  return distance(a.toLowerCase(), b.toLowerCase()) <= 2;
}

/** `; did you mean <key>?` with the nearest of `keys` within two edits (the first alphabetically on a tie), else "". */
function didYouMean(key: string, keys: readonly string[]): string {
  const nearest = [...keys].sort().reduce<{ key?: string; d: number }>(
    (best, k) => {
      const d = distance(key.toLowerCase(), k.toLowerCase());
      return d < best.d ? { key: k, d } : best;
    },
    { d: 3 },
  );
  return nearest.key === undefined ? "" : `; did you mean ${nearest.key}?`;
}
