import { RecordedResource } from "./mock-runtime";
import { iamRows } from "./render";
import { ProgramRun } from "./run-program";

/** One input that differs between two stacks' plans. */
export interface InputChange {
  readonly resource: string;
  readonly path: string;
  readonly a: unknown;
  readonly b: unknown;
}

/** What differs between two stacks' plans, once each stack's own names are set aside. */
export interface PlanDiff {
  readonly a: string;
  readonly b: string;
  /** Resources (`type name`) only one stack declares. */
  readonly onlyInA: string[];
  readonly onlyInB: string[];
  readonly changed: InputChange[];
  /** IAM grants (`member role resource`) only one stack has. */
  readonly iamOnlyInA: string[];
  readonly iamOnlyInB: string[];
}

/**
 * A function that replaces a stack's own names (its project id, its project number, its stack name as a word in
 * resource names) by placeholders, so that `dev-etl-extract` and `prod-etl-extract` compare equal. The project number
 * is replaced where it is given and wherever Google's names can only hold one: a service agent
 * (`service-<number>@…`, the form components/push-subscription.ts builds), the Compute Engine default account
 * (`<number>-compute@developer.gserviceaccount.com`, tools/default-accounts.ts), `projects/<digits>/…` (a project id
 * starts with a letter: config.ts `gcp:project`), and a Cloud Run service's deterministic URL
 * (`https://<service>-<number>.<region>.run.app`, https://cloud.google.com/run/docs/triggering/https-request#deterministic).
 */
export function normalizer(project: string, stack: string, projectNumber?: string): (text: string) => string {
  const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const projectPattern = new RegExp(escaped(project), "g");
  const numberPattern = projectNumber ? new RegExp(`(?<!\\d)${escaped(projectNumber)}(?!\\d)`, "g") : undefined;
  const stackPattern = new RegExp(`(^|[-_/@: (])${escaped(stack)}(?=[-_/@.: )]|$)`, "g");
  const number = "<project number>";
  return (text) => {
    const named = text.replace(projectPattern, "<project>").replace(stackPattern, "$1<stack>");
    return (numberPattern ? named.replace(numberPattern, number) : named)
      .replace(/\bservice-\d+@/g, `service-${number}@`)
      .replace(/\b\d+-compute@developer\.gserviceaccount\.com\b/g, `${number}-compute@developer.gserviceaccount.com`)
      .replace(/\bprojects\/\d+(?=\/|$)/g, `projects/${number}`)
      .replace(/-\d+(\.[a-z0-9-]+\.run\.app)\b/g, `-${number}$1`);
  };
}

/**
 * A value with the stack's own names set aside; a string holding a JSON object or array (a provider's inputs reach it
 * JSON-encoded, e.g. the gcp provider's `defaultLabels`) is compared as the value it encodes.
 */
function normalize(value: unknown, n: (s: string) => string): unknown {
  if (typeof value === "string") {
    const decoded = /^[[{]/.test(value) ? parseJson(value) : undefined;
    return decoded === undefined ? n(value) : normalize(decoded, n);
  }
  if (Array.isArray(value)) return value.map((v) => normalize(v, n));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v, n)]));
  return value;
}

function parseJson(text: string): object | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Two leaf values are the same input when equal, or when one is `[]` and the other absent (`undefined`). */
function sameInput(a: unknown, b: unknown): boolean {
  const absent = (v: unknown) => v === undefined || (Array.isArray(v) && v.length === 0);
  return (absent(a) && absent(b)) || JSON.stringify(a) === JSON.stringify(b);
}

function leaves(value: unknown, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value !== null && typeof value === "object" && !(Array.isArray(value) && value.every((v) => typeof v !== "object"))) {
    for (const [k, v] of Object.entries(value)) for (const [p, leaf] of leaves(v, prefix ? `${prefix}.${k}` : k)) out.set(p, leaf);
  } else {
    out.set(prefix, value);
  }
  return out;
}

/** The project id a plan's gcp provider uses. */
function projectOf(run: ProgramRun): string {
  return String(run.resources.find((r) => r.type === "pulumi:providers:gcp")?.inputs.project ?? "");
}

/** The project number the plan read (`gcp.organizations.getProject`), when it read one. */
function projectNumberOf(run: ProgramRun): string | undefined {
  const number = run.invokes.find((i) => i.token === "gcp:organizations/getProject:getProject")?.outputs.number;
  return typeof number === "string" && /^\d+$/.test(number) ? number : undefined;
}

/**
 * Compares two stacks' plans: resources only in one, inputs that differ (leaf by leaf, with `protect` as an input
 * too), and IAM grants only in one. What differs only by the stacks' own names ({@link normalizer}) is the same, and so
 * are `[]` and an absent input, which both declare no items (that the provider treats every such pair alike is
 * UNVERIFIED; a reviewer reads the plans, not the provider). The image digests and tags are
 * compared like any input: a promoted prod runs dev's digest, copied into its own repository.
 */
export function diffPlans(a: ProgramRun, b: ProgramRun): PlanDiff {
  const na = normalizer(projectOf(a), a.stack, projectNumberOf(a));
  const nb = normalizer(projectOf(b), b.stack, projectNumberOf(b));
  const key = (r: RecordedResource) => `${r.type} ${r.name}`;
  const custom = (run: ProgramRun) => new Map(run.resources.filter((r) => r.custom).map((r) => [key(r), r]));
  const [ra, rb] = [custom(a), custom(b)];
  const changed: InputChange[] = [];
  for (const [k, x] of ra) {
    const y = rb.get(k);
    if (!y) continue;
    const [la, lb] = [leaves(normalize({ ...x.inputs, protect: x.protect }, na)), leaves(normalize({ ...y.inputs, protect: y.protect }, nb))];
    for (const path of [...new Set([...la.keys(), ...lb.keys()])].sort()) {
      if (!sameInput(la.get(path), lb.get(path))) changed.push({ resource: k, path, a: la.get(path), b: lb.get(path) });
    }
  }
  const grants = (run: ProgramRun, n: (s: string) => string) => new Set(iamRows(run.resources).map((r) => n(`${r.member} ${r.role} ${r.resource}`)));
  const [ga, gb] = [grants(a, na), grants(b, nb)];
  return {
    a: a.stack,
    b: b.stack,
    onlyInA: [...ra.keys()].filter((k) => !rb.has(k)).sort(),
    onlyInB: [...rb.keys()].filter((k) => !ra.has(k)).sort(),
    changed,
    iamOnlyInA: [...ga].filter((g) => !gb.has(g)).sort(),
    iamOnlyInB: [...gb].filter((g) => !ga.has(g)).sort(),
  };
}

/** The diff as text for a reviewer. */
export function renderDiff(d: PlanDiff): string {
  const list = (title: string, items: string[]) => [`${title} (${items.length}):`, ...items.map((i) => `  ${i}`)];
  const byResource = new Map<string, InputChange[]>();
  for (const c of d.changed) byResource.set(c.resource, [...(byResource.get(c.resource) ?? []), c]);
  return [
    `Plan of ${d.b} against ${d.a} (project ids, project numbers and stack names set aside as <project>, <project number> and <stack>; [] the same as absent):`,
    ...list(`only in ${d.a}`, d.onlyInA),
    ...list(`only in ${d.b}`, d.onlyInB),
    `inputs that differ (${d.changed.length}):`,
    ...[...byResource].flatMap(([resource, changes]) => [
      `  ${resource}`,
      ...changes.map((c) => `    ${c.path}: ${JSON.stringify(c.a)} -> ${JSON.stringify(c.b)}`),
    ]),
    ...list(`IAM only in ${d.a}`, d.iamOnlyInA),
    ...list(`IAM only in ${d.b}`, d.iamOnlyInB),
    "",
  ].join("\n");
}
