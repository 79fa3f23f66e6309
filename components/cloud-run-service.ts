import * as gcp from "./shared/gcp";
import * as pulumi from "@pulumi/pulumi";
import { ServiceAccount } from "./service-account";
import { applyTransform, PipelineComponent, Transform } from "./shared/component";
import { InputError } from "./shared/errors";
import { childName, NAME_RULES, shortHash } from "./shared/naming";
import { EnvironmentPolicy } from "./shared/policy";
import { Duration, durationString, toSeconds } from "./shared/units";
import { declareAccess, resolveWorkload, WorkloadArgs } from "./shared/workload";

/** Most concurrent requests per instance (src: https://cloud.google.com/run/docs/about-concurrency). */
export const MAX_CONCURRENCY = 1000;
/** Longest request timeout: 60 minutes (src: https://cloud.google.com/run/docs/configuring/request-timeout). */
export const MAX_REQUEST_TIMEOUT_SECONDS = 3600;
/**
 * Role that lets a member call the service (`run.routes.invoke`): `roles/run.invoker`, on this service only. Its
 * other permission, `run.jobs.run`, does nothing on a service (src: https://cloud.google.com/iam/docs/roles-permissions/run).
 */
export const SERVICE_INVOKER_ROLE = "roles/run.invoker";

/** Which networks may reach the service (src: https://cloud.google.com/run/docs/securing/ingress); IAM applies on top of it. */
export type Ingress = "all" | "internal" | "internal-and-load-balancer";
const INGRESS: Record<Ingress, string> = {
  all: "INGRESS_TRAFFIC_ALL",
  internal: "INGRESS_TRAFFIC_INTERNAL_ONLY",
  "internal-and-load-balancer": "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
};

/**
 * A {@link CloudRunService}'s args: its name, region, scaling and callers here; its container, identity and links
 * (image, command, args, env, secretEnv, cpu and memory per instance, serviceAccount, links) in {@link WorkloadArgs}.
 * Cloud Run sets `PORT`, the port the container must listen on (src: https://cloud.google.com/run/docs/container-contract).
 */
export interface CloudRunServiceArgs extends WorkloadArgs {
  /** Physical service name: at most 63 lowercase letters, digits and hyphens (see `NAME_RULES.cloudRunService`, the same rule). Changing it replaces the service. */
  serviceName: string;
  /** Region, e.g. `europe-west1`. */
  location: pulumi.Input<string>;
  /** Requests one instance serves at once, 1 to 1,000. @default 80 (the API's default) */
  concurrency?: number;
  /** Instances kept warm; 0 costs nothing while idle, at the price of a cold start. @default 0 */
  minInstances?: number;
  /** Most instances, a cost and load guard for what the service calls. @default 10 (ours; the API's is 100) */
  maxInstances?: number;
  /** Longest time a request may take, at most 60 minutes. For a push subscription, keep it at least its ack deadline. @default "5 minutes" (the API's default) */
  requestTimeout?: Duration;
  /**
   * Networks that may reach the service. IAM is what keeps it private: only `invokers` (and triggers) may call it,
   * whatever the ingress. Pub/Sub push, Scheduler and Eventarc call the default `run.app` URL, which stays enabled.
   * @default "all"
   */
  ingress?: Ingress;
  /** IAM members who may call the service: {@link SERVICE_INVOKER_ROLE} on this service. Triggers grant their own invoker. */
  invokers?: string[];
  /**
   * Lets anyone on the internet call the service (`allUsers` as invoker). Off unless asked for explicitly: the
   * pipelines' services are called by their triggers only. The stack's guardrails reject it.
   * @default false
   */
  public?: boolean;
  /** Deletion protection of the service. */
  policy: EnvironmentPolicy;
  /** Escape hatch to any field of the `gcp.cloudrunv2.Service`. */
  transform?: { service?: Transform<gcp.cloudrunv2.ServiceArgs> };
}

/**
 * A Cloud Run v2 service: a container that answers HTTP requests, scaled from `minInstances` (0: nothing runs
 * while idle) to `maxInstances`, with its own service account, resource-level IAM from its links, and deletion
 * protection from the environment policy (the provider's default is `true`, which blocks `pulumi destroy`:
 * GoogleCloudPlatform/magic-modules#11318). Private by default: the invoker check stays on
 * (`invokerIamDisabled` unset) and only the listed invokers, and the triggers built around it, hold
 * {@link SERVICE_INVOKER_ROLE} on it (src: https://cloud.google.com/run/docs/securing/managing-access).
 *
 * @example
 * ```ts
 * import * as gcp from "@pulumi/gcp";
 * import { Bucket, CloudRunService, environmentPolicy, ProjectApis } from "./components";
 *
 * const provider = new gcp.Provider("gcp", { project: "my-project", region: "europe-west1" });
 * const apis = new ProjectApis("apis", {}, { provider });
 * const opts = { provider, dependsOn: [apis] };
 * const policy = environmentPolicy(false);
 * const input = new Bucket("input", { bucketName: "my-project-dev-input", location: "europe-west1", envName: "INPUT_BUCKET", policy }, opts);
 * const scorer = new CloudRunService("scorer", {
 *   serviceName: "dev-scorer",
 *   location: "europe-west1",
 *   image: "europe-west1-docker.pkg.dev/my-project/images/scorer@sha256:<digest>",
 *   serviceAccount: { accountId: "dev-scorer", displayName: "Scorer" },
 *   links: [input.read],
 *   policy,
 * }, opts);
 * export const url = scorer.uri;
 * ```
 */
export class CloudRunService extends PipelineComponent {
  /** Full resource name, `projects/<project>/locations/<region>/services/<name>`. */
  public readonly id: pulumi.Output<string>;
  /** The service's short name. */
  public readonly name: pulumi.Output<string>;
  /** Its region. */
  public readonly location: pulumi.Output<string>;
  /** Its project. */
  public readonly project: pulumi.Output<string>;
  /** Its default URL, `https://<name>-<hash>-<region>.a.run.app`: what push subscriptions call and the OIDC audience they use. */
  public readonly uri: pulumi.Output<string>;
  /** Email of the account the service runs as. */
  public readonly serviceAccountEmail: pulumi.Output<string>;

  constructor(name: string, args: CloudRunServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    const { timeoutSeconds, concurrency, minInstances, maxInstances, ingress, workload } = checkCloudRunServiceArgs(`CloudRunService(${name})`, args);
    super("pipelines:gcp:CloudRunService", name, opts);

    const account = new ServiceAccount(childName(name, "sa"), args.serviceAccount, this.child());
    const access = declareAccess(name, account.member, workload, this.child());
    const service = new gcp.cloudrunv2.Service(
      childName(name, "service"),
      applyTransform<gcp.cloudrunv2.ServiceArgs>(
        {
          name: args.serviceName,
          location: args.location,
          ingress: INGRESS[ingress],
          deletionProtection: args.policy.deletionProtection,
          template: {
            serviceAccount: account.email,
            timeout: durationString(timeoutSeconds),
            maxInstanceRequestConcurrency: concurrency,
            scaling: { minInstanceCount: minInstances, maxInstanceCount: maxInstances },
            containers: [workload.container],
          },
        },
        args.transform?.service,
      ),
      // A revision that reads a secret fails to start until the accessor role is in place, and a first request
      // must not fail on missing access (hashicorp/terraform-provider-google#13786).
      this.child({ dependsOn: access }),
    );

    const invokers = [...new Set(args.invokers ?? []), ...(args.public === true ? ["allUsers"] : [])];
    for (const member of invokers) {
      new gcp.cloudrunv2.ServiceIamMember(
        childName(name, "invoker", member === "allUsers" ? "public" : shortHash(member)),
        { name: service.name, location: service.location, project: service.project, role: SERVICE_INVOKER_ROLE, member },
        this.child(),
      );
    }

    this.name = service.name;
    this.location = service.location;
    this.project = service.project;
    this.uri = service.uri;
    this.id = pulumi.interpolate`projects/${service.project}/locations/${service.location}/services/${service.name}`;
    this.serviceAccountEmail = account.email;
    this.registerOutputs({ id: this.id, name: this.name, uri: this.uri, serviceAccountEmail: this.serviceAccountEmail });
  }
}

/**
 * Checks a {@link CloudRunService}'s args and derives its container settings; components that declare a service
 * call it before declaring anything.
 * @param field - the args' path in the user's program, e.g. `CloudRunService(scorer)` or `StreamProcessor(stream).service`
 * @throws InputError naming `<field>.<arg>`.
 */
export function checkCloudRunServiceArgs(field: string, args: CloudRunServiceArgs) {
  const { concurrency = 80, minInstances = 0, maxInstances = 10, requestTimeout = "5 minutes", ingress = "all" } = args;
  validate(field, args, { concurrency, minInstances, maxInstances, ingress });
  const timeoutSeconds = toSeconds(requestTimeout, `${field}.requestTimeout`);
  if (timeoutSeconds > MAX_REQUEST_TIMEOUT_SECONDS) {
    throw new InputError(
      `${field}.requestTimeout`,
      `"${requestTimeout}" is longer than 60 minutes`,
      "use at most 60 minutes, Cloud Run's limit; run longer work as a job",
    );
  }
  const workload = resolveWorkload(field, args, { invokers: args.invokers });
  return { timeoutSeconds, concurrency, minInstances, maxInstances, ingress, workload };
}

function validate(field: string, args: CloudRunServiceArgs, s: { concurrency: number; minInstances: number; maxInstances: number; ingress: Ingress }): void {
  if (!NAME_RULES.cloudRunService.pattern.test(args.serviceName)) {
    throw new InputError(
      `${field}.serviceName`,
      `"${args.serviceName}" is not a valid service name`,
      "use at most 63 lowercase letters, digits and hyphens, starting with a letter",
    );
  }
  if (!Number.isInteger(s.concurrency) || s.concurrency < 1 || s.concurrency > MAX_CONCURRENCY) {
    throw new InputError(`${field}.concurrency`, `${s.concurrency} is out of range`, `use a whole number from 1 to ${MAX_CONCURRENCY}`);
  }
  if (!Number.isInteger(s.minInstances) || s.minInstances < 0) {
    throw new InputError(`${field}.minInstances`, `${s.minInstances} is not a whole number of instances`, "use 0 (nothing runs while idle) or more");
  }
  if (!Number.isInteger(s.maxInstances) || s.maxInstances < 1 || s.maxInstances < s.minInstances) {
    throw new InputError(
      `${field}.maxInstances`,
      `${s.maxInstances} is out of range`,
      `use a whole number of at least 1 and at least minInstances (${s.minInstances})`,
    );
  }
  if (!(s.ingress in INGRESS)) {
    throw new InputError(`${field}.ingress`, `"${s.ingress}" is not an ingress setting`, `use one of ${Object.keys(INGRESS).join(", ")}`);
  }
}
