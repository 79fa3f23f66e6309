import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { RecordedResource } from "../tools/plan";
import { RULES } from "../tools/rules";

/** The label that tells a rule whether the stack protects its data (set on every resource by the gcp provider). */
export const DATA_PROTECTION_LABEL = "data-protection";

/** A resource of a real preview or update, in the shape the rules read (the same as the offline preview's). */
export function fromPolicyResource(r: PolicyResource): RecordedResource {
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    custom: !r.type.startsWith("pipelines:") && r.type !== "pulumi:pulumi:Stack",
    parent: r.parent?.urn,
    inputs: r.props,
    outputs: r.props,
    protect: r.opts.protect,
    dependencies: r.dependencies.map((d) => d.urn),
    provider: r.provider ? `${r.provider.urn}::policy` : undefined,
  };
}

/** Whether the stack protects its data, from its gcp provider's default labels (protected when unknown). */
export function protectsData(resources: readonly RecordedResource[]): boolean {
  const provider = resources.find((r) => r.type === "pulumi:providers:gcp");
  const raw = provider?.inputs.defaultLabels;
  const labels = (typeof raw === "string" ? JSON.parse(raw) : (raw ?? {})) as Record<string, string>;
  return labels[DATA_PROTECTION_LABEL] !== "destroyable";
}

/**
 * One mandatory stack policy per rule: the same predicates the tests and `npm run preview` run, but for rules that
 * need Pulumi's secret markers, which policies do not get (pulumi/pulumi-policy#241).
 */
export function policies(): StackValidationPolicy[] {
  return RULES.filter((rule) => !rule.needsSecretMarkers).map((rule) => ({
    name: rule.id,
    description: rule.why,
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
      const resources = args.resources.map(fromPolicyResource);
      const stack = resources.find((r) => r.type === "pulumi:providers:gcp");
      for (const message of rule.check(resources, { stack: stack?.name ?? "", protectData: protectsData(resources) })) reportViolation(message);
    },
  }));
}
