import { RecordedInvoke, RecordedResource } from "./plan";
import { destroyBlocker } from "./rules";

/** What the preview records of a stack: every registered resource and every data source call. */
export interface Plan {
  readonly resources: readonly RecordedResource[];
  readonly invokes: readonly RecordedInvoke[];
}

/** One step of `pulumi up`: a custom resource to create, or a data source to call. */
export type Step =
  | { readonly kind: "resource"; readonly id: string; readonly label: string; readonly resource: RecordedResource }
  | { readonly kind: "invoke"; readonly id: string; readonly label: string; readonly invoke: RecordedInvoke };

/**
 * The engine's view of a plan: which step waits for which, the waves `pulumi up` creates in, and the reverse waves
 * `pulumi destroy` deletes in.
 *
 * A step starts once everything it depends on is done (https://www.pulumi.com/docs/iac/concepts/resources/options/dependson/:
 * explicit `dependsOn` and the resources whose outputs its inputs use). What it depends on:
 * - the URNs the SDK sends with its registration (explicit and implicit; the SDK already expands a component into its
 *   children: `getAllTransitivelyReferencedResourceURNs` in @pulumi/pulumi `runtime/dependsOn.js`, called from
 *   `runtime/resource.js`, 3.276). A component URN that is left is expanded here into its custom descendants;
 * - its parent when the parent is a custom resource: the SDK waits for the parent's URN ("Wait for the parent to
 *   complete", runtime/resource.js), which the engine returns once the parent's step is done. A component parent has no step, so
 *   children of a component wait for nothing through it [inference from the SDK source: a component's registration
 *   is answered at once];
 * - its provider (the SDK registers the provider first: `ProviderResource.register`, same file);
 * - for a data source, its provider and the resources its arguments come from (`invokeAsync` in `runtime/invoke.js`).
 * Wave n holds the steps whose longest chain of dependencies has n - 1 steps: the engine runs independent steps in
 * parallel (`--parallel`, https://www.pulumi.com/docs/iac/cli/commands/pulumi_destroy/), so a wave is what can run
 * together once the waves before it are done.
 * "Before" in the rules means an ancestor in this graph, not merely an earlier wave: only an ancestor is sure to be done.
 * Destroy runs in reverse: a resource is deleted once everything that depends on it is deleted
 * (https://www.pulumi.com/docs/iac/concepts/resources/options/dependson/: the order holds for "creation, update, and deletion").
 *
 * @example
 * const graph = new DeployGraph({ resources: [], invokes: [] });
 * graph.waves.length; // 0
 */
export class DeployGraph {
  /** Every step, in the order the program registered or called it. */
  readonly steps: readonly Step[];
  /** The create waves, each in registration order. */
  readonly waves: readonly (readonly Step[])[];
  /** The delete waves of the resources (`pulumi destroy`), each in registration order. */
  readonly destroyWaves: readonly (readonly RecordedResource[])[];
  private readonly direct = new Map<string, Set<string>>();
  private readonly closure = new Map<string, Set<string>>();

  /** @throws Error naming the steps when the dependencies form a cycle (the engine cannot register such a program). */
  constructor(readonly plan: Plan) {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const children = new Map<string, RecordedResource[]>();
    for (const r of plan.resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    const customOf = (urn: string): string[] => {
      const r = byUrn.get(urn);
      if (!r) return [];
      if (r.custom) return [urn];
      return (children.get(urn) ?? []).flatMap((c) => customOf(c.urn));
    };
    const steps: Step[] = [];
    for (const r of plan.resources) {
      if (!r.custom) continue;
      const provider = r.provider?.split("::").slice(0, -1).join("::");
      const deps = [...r.dependencies, ...(r.parent && byUrn.get(r.parent)?.custom ? [r.parent] : []), ...(provider ? [provider] : [])];
      this.direct.set(r.urn, new Set(deps.flatMap(customOf).filter((d) => d !== r.urn)));
      steps.push({ kind: "resource", id: r.urn, label: `${r.type} ${r.name}`, resource: r });
    }
    plan.invokes.forEach((invoke, i) => {
      const id = `invoke:${i}:${invoke.token}`;
      this.direct.set(id, new Set(invoke.dependencies.flatMap(customOf)));
      steps.push({ kind: "invoke", id, label: `data source ${invoke.token}`, invoke });
    });
    this.steps = steps;
    const wave = new Map<string, number>();
    const visiting = new Set<string>();
    const waveOf = (id: string): number => {
      const known = wave.get(id);
      if (known !== undefined) return known;
      if (visiting.has(id)) throw new Error(`the plan's dependencies form a cycle through ${id}`);
      visiting.add(id);
      const n = 1 + Math.max(0, ...[...(this.direct.get(id) ?? [])].map(waveOf));
      visiting.delete(id);
      wave.set(id, n);
      return n;
    };
    this.waves = group(steps, (s) => waveOf(s.id));
    const dependents = new Map<string, string[]>();
    for (const [id, deps] of this.direct) for (const d of deps) dependents.set(d, [...(dependents.get(d) ?? []), id]);
    const deleteWave = new Map<string, number>();
    const deleteWaveOf = (urn: string): number => {
      const known = deleteWave.get(urn);
      if (known !== undefined) return known;
      const n = 1 + Math.max(0, ...(dependents.get(urn) ?? []).filter((d) => byUrn.has(d)).map(deleteWaveOf));
      deleteWave.set(urn, n);
      return n;
    };
    this.destroyWaves = group(
      steps.flatMap((s) => (s.kind === "resource" ? [s.resource] : [])),
      (r) => deleteWaveOf(r.urn),
    );
  }

  /** The ids of every step `id` waits for, directly or not. */
  ancestors(id: string): ReadonlySet<string> {
    const known = this.closure.get(id);
    if (known) return known;
    const all = new Set<string>();
    for (const d of this.direct.get(id) ?? []) {
      all.add(d);
      for (const a of this.ancestors(d)) all.add(a);
    }
    this.closure.set(id, all);
    return all;
  }

  /** The steps `step` waits for, directly or not, in plan order. */
  upstream(step: Step): Step[] {
    const ids = this.ancestors(step.id);
    return this.steps.filter((s) => ids.has(s.id));
  }
}

function group<T>(items: readonly T[], key: (item: T) => number): T[][] {
  const groups: T[][] = [];
  for (const item of items) (groups[key(item) - 1] ??= []).push(item);
  return groups;
}

/** What `pulumi destroy` of a stack does, walked in reverse waves. */
export interface DestroyOutcome {
  /**
   * Resources whose delete fails, each with the guard in state that stops it (see `destroyBlocker` in cli/src/preview/rules.ts),
   * and whether the plan asks for that guard (`protect`, or the guarding input set explicitly) rather than leaving it
   * to a provider default.
   */
  readonly blocked: readonly { readonly resource: RecordedResource; readonly reason: string; readonly byDesign: boolean }[];
  /** Resources never deleted because something that depends on them was not: the engine deletes dependents first. */
  readonly stranded: readonly RecordedResource[];
  /**
   * Resources dropped from state but left in the cloud: Pulumi's `retainOnDelete`, or the provider's `deletionPolicy:
   * "ABANDON"` ("remove the resource from Terraform management without updating or deleting the resource in the API",
   * `node_modules/@pulumi/gcp/pubsub/topic.d.ts`; every @pulumi/gcp 9 resource has it).
   */
  readonly retained: readonly RecordedResource[];
}

/**
 * Walks `pulumi destroy` over the graph: which deletes fail, what they strand, what is retained.
 * @example
 * walkDestroy(new DeployGraph({ resources: [], invokes: [] })).blocked.length; // 0
 */
export function walkDestroy(graph: DeployGraph): DestroyOutcome {
  const resources = graph.steps.flatMap((s) => (s.kind === "resource" ? [s.resource] : []));
  const blocked = resources.flatMap((resource) => {
    const reason = destroyBlocker(resource);
    const { deletionProtection, forceDestroy, deleteContentsOnDestroy, deletionPolicy } = resource.inputs;
    const byDesign =
      resource.protect || deletionProtection === true || forceDestroy === false || deleteContentsOnDestroy === false || deletionPolicy === "PREVENT";
    return reason ? [{ resource, reason, byDesign }] : [];
  });
  const strandedIds = new Set(blocked.flatMap((b) => [...graph.ancestors(b.resource.urn)]));
  for (const b of blocked) strandedIds.delete(b.resource.urn);
  return {
    blocked,
    stranded: resources.filter((r) => strandedIds.has(r.urn)),
    retained: resources.filter(
      (r) => (r.retainOnDelete === true || r.inputs.deletionPolicy === "ABANDON") && !strandedIds.has(r.urn) && !blocked.some((b) => b.resource === r),
    ),
  };
}
