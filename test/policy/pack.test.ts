import { PolicyResource } from "@pulumi/policy";
import { expect } from "chai";
import { fromPolicyResource, policies } from "../../policy/policies";
import { protectsData } from "../../cli/src/preview/rules";
import { RULES } from "../../cli/src/preview/rules";
import { planOf } from "../helpers/plan";

/** The resources of a real deploy as the policy engine hands them over, made from the offline plan. */
async function policyResources(stack: string): Promise<PolicyResource[]> {
  const run = await planOf(stack);
  const byUrn = new Map<string, PolicyResource>();
  for (const r of run.resources) {
    byUrn.set(r.urn, {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: structuredClone(r.inputs),
      opts: {
        protect: r.protect,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
      },
      dependencies: [],
      propertyDependencies: {},
    } as unknown as PolicyResource);
  }
  for (const r of run.resources) {
    const p = byUrn.get(r.urn)! as { parent?: PolicyResource; provider?: PolicyResource; dependencies: PolicyResource[] };
    p.parent = r.parent ? byUrn.get(r.parent) : undefined;
    p.provider = r.provider ? byUrn.get(r.provider.split("::").slice(0, -1).join("::")) : undefined;
    p.dependencies = r.dependencies.map((d) => byUrn.get(d)!).filter(Boolean);
  }
  return [...byUrn.values()];
}

/** Each policy's violations: the message and the URN of the resource it names. */
function validate(resources: PolicyResource[]): Record<string, { message: string; urn?: string }[]> {
  const found: Record<string, { message: string; urn?: string }[]> = {};
  for (const policy of policies()) {
    const messages: { message: string; urn?: string }[] = [];
    const args = { resources, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => undefined as never };
    (policy.validateStack as (a: typeof args, report: (m: string, urn?: string) => void) => void)(args, (message, urn) => messages.push({ message, urn }));
    if (messages.length) found[policy.name] = messages;
  }
  return found;
}

describe("policy pack (pulumi preview --policy-pack policy)", () => {
  it("one mandatory policy per rule, with the rule's reason, but the rule that needs secret markers", () => {
    expect(policies().map((p) => [p.name, p.enforcementLevel, p.description])).to.deep.equal(
      RULES.filter((r) => r.id !== "no-plaintext-secrets").map((r) => [r.id, "mandatory", r.why]),
    );
  });

  for (const stack of ["dev", "prod"]) {
    it(`the ${stack} stack passes every policy; its data-protection label tells the pack its policy`, async () => {
      const resources = await policyResources(stack);
      expect(protectsData(resources.map(fromPolicyResource))).to.equal(stack === "prod");
      expect(validate(resources)).to.deep.equal({});
    });
  }

  it("reports the violations the rules find, on the resource they name: an unprotected bucket in prod, a public member", async () => {
    const resources = await policyResources("prod");
    const bucket = resources.find((r) => r.name === "raw-bucket")!;
    (bucket.opts as { protect: boolean }).protect = false;
    const grant = resources.find((r) => r.type === "gcp:storage/bucketIAMMember:BucketIAMMember")!;
    grant.props.member = "allUsers";
    expect(validate(resources)).to.deep.equal({
      "no-public-access": [{ message: `gcp:storage/bucketIAMMember:BucketIAMMember ${grant.name} grants access to a public member`, urn: grant.urn }],
      "data-protected": [{ message: "gcp:storage/bucket:Bucket raw-bucket is not protected", urn: bucket.urn }],
    });
  });
});
