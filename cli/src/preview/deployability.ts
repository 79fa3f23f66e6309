import { placeholderCommand } from "../contract/placeholders";
import { OFFLINE_DIGEST } from "./mock-runtime";
import { ProgramRun } from "./run-program";

/** Why a plan cannot be deployed as it stands, and the command or step that fixes it. */
export interface DeployBlocker {
  readonly what: string;
  readonly fix: string;
  /** The resources whose inputs hold the placeholder. */
  readonly resources: readonly string[];
}

/** Every string inside a value, with its dotted path. */
function strings(value: unknown, path = ""): { path: string; text: string }[] {
  if (typeof value === "string") return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}.${i}`));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
  return [];
}

/**
 * The placeholders in a plan that a real deploy cannot use. The offline preview marks two kinds of made-up values
 * (./mock-runtime.ts, the program):
 * - `<promote: COMMAND>` (`promotePlaceholder` of the CLI's contract, e.g. `<promote: npm run promote -- --from dev
 *   --to prod>` from this repository's config.ts): a stack that builds no images has no promoted digest yet; the
 *   real engine refuses such a stack, so the plan is not deployable until the command runs;
 * - `<image>@sha256:<offline-preview-placeholder>` ({@link OFFLINE_DIGEST}): the digest of an image the offline run
 *   "built". A deploy computes the real one, as long as the same plan builds that image; anywhere else it names
 *   nothing any registry holds.
 * @example
 * deployBlockers({ stack: "dev", config: {}, resources: [], invokes: [], outputs: {} }); // []
 */
export function deployBlockers(run: ProgramRun): DeployBlocker[] {
  const label = (r: { type: string; name: string }) => `${r.type} ${r.name}`;
  const commands = run.resources.flatMap((r) => (r.custom ? strings(r.inputs).flatMap((s) => placeholderCommand(s.text) ?? []) : []));
  const unpromoted = run.resources.filter((r) => r.custom && strings(r.inputs).some((s) => placeholderCommand(s.text) !== undefined));
  const images = strings(run.outputs).filter((s) => placeholderCommand(s.text) !== undefined);
  const built = new Set(run.resources.flatMap((r) => (r.type === "docker:index/image:Image" ? [String(r.inputs.imageName).replace(/:[^:/]+$/, "")] : [])));
  const unbuilt = run.resources.filter(
    (r) =>
      r.custom &&
      r.type !== "docker:index/image:Image" &&
      strings(r.inputs).some((s) => s.text.endsWith(`@${OFFLINE_DIGEST}`) && !built.has(s.text.slice(0, -`@${OFFLINE_DIGEST}`.length))),
  );
  const blockers: DeployBlocker[] = [];
  if (unpromoted.length > 0) {
    const names = images.map((s) => s.path.split(".").pop()).join(", ");
    blockers.push({
      what: images.length > 0 ? `${images.length} images not promoted (${names})` : `${unpromoted.length} resources run an image not promoted`,
      fix: commands[0],
      resources: unpromoted.map(label),
    });
  }
  if (unbuilt.length > 0) {
    blockers.push({
      what: `${unbuilt.length} resources run the offline preview's placeholder digest (${OFFLINE_DIGEST}) of an image this plan does not build`,
      fix: "set the image to a digest a registry holds (promote writes them from a deployed stack)",
      resources: unbuilt.map(label),
    });
  }
  return blockers;
}

/**
 * The preview's closing line: `Verdict: deployable`, or `Verdict: not deployable …` with each reason: the guardrail
 * violations and rehearsal problems (the preview fails on those anyway), then each blocker with its fix (`--strict`
 * makes the preview exit 1 on those too).
 * @example
 * verdictText([], { violations: 0, problems: 0 });
 * // "Verdict: deployable (offline checks only: docs/verified-by-sources.md lists what no deploy has exercised)\n"
 */
export function verdictText(blockers: readonly DeployBlocker[], found: { readonly violations: number; readonly problems: number }): string {
  const reasons = [
    ...(found.violations > 0 ? [`${found.violations} guardrail violations (above)`] : []),
    ...(found.problems > 0 ? [`${found.problems} rehearsal problems (above)`] : []),
    ...blockers.map((b) => `${b.what}: ${b.fix}`),
  ];
  if (reasons.length === 0) return "Verdict: deployable (offline checks only: docs/verified-by-sources.md lists what no deploy has exercised)\n";
  return `Verdict: not deployable${found.violations + found.problems === 0 ? " yet" : ""}: ${reasons.join("; ")}\n`;
}
