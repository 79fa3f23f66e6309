import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { findingText, protectsData, RecordedResource, RULES } from "cloudrun-pipelines/rules";

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
      for (const finding of rule.check(resources, { protectData: protectsData(resources) })) reportViolation(findingText(finding), finding.resource.urn);
    },
  }));
}
