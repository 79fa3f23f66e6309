import * as pulumi from "@pulumi/pulumi";
import { InputError } from "./errors";

/**
 * An escape hatch to any provider field of one child resource: either fields merged over the component's
 * arguments, or a function that returns the arguments to use.
 */
export type Transform<T> = Partial<T> | ((args: T) => T);

/** Applies a {@link Transform} to a child's arguments. */
export function applyTransform<T>(args: T, transform: Transform<T> | undefined): T {
  if (transform === undefined) return args;
  return typeof transform === "function" ? transform(args) : { ...args, ...transform };
}

/**
 * Base of every component in this project: a ComponentResource whose children inherit the component's
 * `dependsOn` (Pulumi does not pass a component's `dependsOn` on to its children, so without this a bucket's
 * children would not wait for the project's APIs).
 */
export abstract class PipelineComponent extends pulumi.ComponentResource {
  private readonly inheritedDependsOn: pulumi.Resource[];

  /**
   * @throws InputError naming `<Component>(<name>).opts.dependsOn`, before the component is registered, when
   *   `opts.dependsOn` is an Output or a Promise.
   */
  protected constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions = {}) {
    const dependsOn = toResourceList(`${componentField(type, name)}.opts.dependsOn`, opts.dependsOn);
    super(type, name, {}, opts);
    this.inheritedDependsOn = dependsOn;
  }

  /** Options for a child: parented to this component, waiting for what the component waits for, plus `extra`. */
  protected child<O extends pulumi.CustomResourceOptions | pulumi.ComponentResourceOptions>(extra: O = {} as O): O {
    return { ...extra, parent: this, dependsOn: [...this.inheritedDependsOn, ...toResourceList("a child's dependsOn", extra.dependsOn)] };
  }
}

function toResourceList(field: string, dependsOn: pulumi.ResourceOptions["dependsOn"]): pulumi.Resource[] {
  if (dependsOn === undefined) return [];
  if (pulumi.Resource.isInstance(dependsOn)) return [dependsOn];
  if (Array.isArray(dependsOn) && dependsOn.every((d) => pulumi.Resource.isInstance(d))) return dependsOn;
  throw new InputError(field, "is an Output or Promise", "pass resources (or an array of resources) directly");
}

/**
 * How errors name a component: its type's last segment and the name the user gave it, e.g. `Bucket(raw)` for
 * `pipelines:gcp:Bucket` named `raw`.
 */
function componentField(type: string, name: string): string {
  return `${type.split(":").pop() ?? type}(${name})`;
}
