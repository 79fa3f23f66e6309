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
 * A function that replaces a stack's own names (its project id, its stack name as a word in resource names)
 * by placeholders, so that `dev-etl-extract` and `prod-etl-extract` compare equal.
 */
export function normalizer(project: string, stack: string): (text: string) => string {
  const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const projectPattern = new RegExp(escaped(project), "g");
  const stackPattern = new RegExp(`(^|[-_/@: ])${escaped(stack)}(?=[-_/@.: ]|$)`, "g");
  // Service agents are named after the project's number, e.g. service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com.
  return (text) =>
    text
      .replace(projectPattern, "<project>")
      .replace(stackPattern, "$1<stack>")
      .replace(/service-\d+@/g, "service-<project number>@");
}

function normalize(value: unknown, n: (s: string) => string): unknown {
  if (typeof value === "string") return n(value);
  if (Array.isArray(value)) return value.map((v) => normalize(v, n));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v, n)]));
  return value;
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

/**
 * Compares two stacks' plans: resources only in one, inputs that differ (leaf by leaf, with `protect` as an input
 * too), and IAM grants only in one. The image digests and tags are compared like any input: a promoted prod
 * runs dev's digest, copied into its own repository.
 */
export function diffPlans(a: ProgramRun, b: ProgramRun): PlanDiff {
  const na = normalizer(projectOf(a), a.stack);
  const nb = normalizer(projectOf(b), b.stack);
  const key = (r: RecordedResource) => `${r.type} ${r.name}`;
  const custom = (run: ProgramRun) => new Map(run.resources.filter((r) => r.custom).map((r) => [key(r), r]));
  const [ra, rb] = [custom(a), custom(b)];
  const changed: InputChange[] = [];
  for (const [k, x] of ra) {
    const y = rb.get(k);
    if (!y) continue;
    const [la, lb] = [leaves(normalize({ ...x.inputs, protect: x.protect }, na)), leaves(normalize({ ...y.inputs, protect: y.protect }, nb))];
    for (const path of [...new Set([...la.keys(), ...lb.keys()])].sort()) {
      if (JSON.stringify(la.get(path)) !== JSON.stringify(lb.get(path))) changed.push({ resource: k, path, a: la.get(path), b: lb.get(path) });
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
    `Plan of ${d.b} against ${d.a} (project ids and stack names set aside as <project> and <stack>):`,
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
