import type * as Pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { RecordedInvoke, RecordedResource, SECRET } from "./plan";
import { PulumiSdk, pulumiSdk } from "./pulumi-sdk";

export type { RecordedInvoke, RecordedResource };
export { SECRET };

/** The GCP project and region the mock's computed outputs use. */
export interface MockCloud {
  readonly project: string;
  readonly region: string;
}

/**
 * The digest of every image the offline preview "builds": no registry holds it, it is not a valid digest (so it
 * fails `IMAGE_BY_DIGEST`, config validation and `npm run promote`), and it cannot be mistaken for a real one.
 */
export const OFFLINE_DIGEST = "sha256:<offline-preview-placeholder>";

/**
 * Outputs a real deploy would compute for a resource, so the preview shows what gets wired together:
 * an account's `email`, a bucket's `url`, a repository's `registryUri`, a job's `id`; an image's `repoDigest` is
 * `<image>@{@link OFFLINE_DIGEST}`, unmistakably not a real one.
 * Every `gcp:` resource gets the provider's `project` (and `location`/`region` where it has one and none was set).
 */
export function computedOutputs(type: string, inputs: Record<string, unknown>, cloud: MockCloud): { id: string; outputs: Record<string, unknown> } {
  const str = (key: string) => String(inputs[key] ?? "");
  if (type.startsWith("pulumi:providers:")) return { id: "mock-provider-id", outputs: inputs };
  if (type === "docker:index/image:Image") {
    const imageName = str("imageName");
    return { id: imageName, outputs: { ...inputs, repoDigest: `${imageName.replace(/:[^:/]+$/, "")}@${OFFLINE_DIGEST}` } };
  }
  if (!type.startsWith("gcp:")) return { id: `${type}-id`, outputs: inputs };
  const project = (inputs.project as string | undefined) ?? cloud.project;
  const location = (inputs.location as string | undefined) ?? cloud.region;
  const base = { ...inputs, project };
  switch (type) {
    case "gcp:serviceaccount/account:Account": {
      const email = `${str("accountId")}@${project}.iam.gserviceaccount.com`;
      const name = `projects/${project}/serviceAccounts/${email}`;
      return { id: name, outputs: { ...base, email, name, member: `serviceAccount:${email}` } };
    }
    case "gcp:storage/bucket:Bucket":
      return { id: str("name"), outputs: { ...base, url: `gs://${str("name")}`, selfLink: `https://www.googleapis.com/storage/v1/b/${str("name")}` } };
    case "gcp:bigquery/dataset:Dataset":
      return { id: `projects/${project}/datasets/${str("datasetId")}`, outputs: base };
    case "gcp:artifactregistry/repository:Repository": {
      const id = `projects/${project}/locations/${location}/repositories/${str("repositoryId")}`;
      return { id, outputs: { ...base, location, name: str("repositoryId"), registryUri: `${location}-docker.pkg.dev/${project}/${str("repositoryId")}` } };
    }
    case "gcp:cloudrunv2/job:Job":
      return { id: `projects/${project}/locations/${location}/jobs/${str("name")}`, outputs: { ...base, location } };
    case "gcp:monitoring/notificationChannel:NotificationChannel": {
      const name = `projects/${project}/notificationChannels/${createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 16)}`;
      return { id: name, outputs: { ...base, name } };
    }
    case "gcp:secretmanager/secret:Secret":
      return { id: `projects/${project}/secrets/${str("secretId")}`, outputs: { ...base, name: `projects/${project}/secrets/${str("secretId")}` } };
    case "gcp:secretmanager/secretVersion:SecretVersion":
      return { id: `${str("secret")}/versions/1`, outputs: { ...base, version: "1", name: `${str("secret")}/versions/1` } };
    case "gcp:cloudscheduler/job:Job": {
      const region = (inputs.region as string | undefined) ?? cloud.region;
      return { id: `projects/${project}/locations/${region}/jobs/${str("name")}`, outputs: { ...base, region } };
    }
    case "gcp:pubsub/topic:Topic":
      return { id: `projects/${project}/topics/${str("name")}`, outputs: base };
    case "gcp:pubsub/subscription:Subscription":
      return { id: `projects/${project}/subscriptions/${str("name")}`, outputs: base };
    case "gcp:cloudrunv2/service:Service": {
      // The deterministic URL, `https://[TAG---]SERVICE_NAME-PROJECT_NUMBER.REGION.run.app` (src:
      // https://cloud.google.com/run/docs/triggering/https-request#deterministic), on the placeholder project number.
      const uri = `https://${str("name")}-${projectNumber(project)}.${location}.run.app`;
      return { id: `projects/${project}/locations/${location}/services/${str("name")}`, outputs: { ...base, location, uri, urls: [uri] } };
    }
    case "gcp:workflows/workflow:Workflow": {
      const region = (inputs.region as string | undefined) ?? cloud.region;
      return { id: `projects/${project}/locations/${region}/workflows/${str("name")}`, outputs: { ...base, region } };
    }
    default:
      return { id: `${type.split(":").pop()}-${createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 8)}`, outputs: base };
  }
}

/** The zeros a placeholder project number starts with: no real project number does, so none can be mistaken for one. */
export const PLACEHOLDER_PROJECT_NUMBER_PREFIX = "000000";

/**
 * The project number the mock gives a project id: {@link PLACEHOLDER_PROJECT_NUMBER_PREFIX} and six digits of the id's
 * hash, e.g. `000000425917`, unmistakably a placeholder (a real one is an integer Google assigns, int64 in Resource
 * Manager's `Project.projectNumber`, so never written with leading zeros: https://cloud.google.com/resource-manager/reference/rest/v1/projects),
 * yet all digits, as the forms that hold a number are parsed (`service-<number>@…` agents, `projects/<number>/…`,
 * `<service>-<number>.<region>.run.app`), and distinct per project id, so two stacks' plans differ where a deploy's
 * would.
 * @example
 * projectNumber("my-pipelines-dev"); // "000000" followed by six digits
 */
export function projectNumber(projectId: string): string {
  const digits = parseInt(createHash("sha256").update(projectId).digest("hex").slice(0, 8), 16) % 1e6;
  return `${PLACEHOLDER_PROJECT_NUMBER_PREFIX}${String(digits).padStart(6, "0")}`;
}

/**
 * Answers the invokes the program makes; any other invoke is an error, so a new data source cannot slip
 * into the program without a realistic mock answer.
 */
export function mockCall(token: string, cloud: MockCloud, inputs: Record<string, unknown> = {}): Record<string, unknown> {
  switch (token) {
    case "gcp:organizations/getClientConfig:getClientConfig":
      return {
        id: "client-config",
        project: cloud.project,
        region: cloud.region,
        zone: `${cloud.region}-b`,
        accessToken: "mock-access-token",
        defaultLabels: {},
      };
    case "gcp:organizations/getProject:getProject": {
      const projectId = (inputs.projectId as string | undefined) ?? cloud.project;
      return { id: `projects/${projectId}`, projectId, number: projectNumber(projectId), name: projectId };
    }
    case "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": {
      const project = (inputs.project as string | undefined) ?? cloud.project;
      const emailAddress = `service-${projectNumber(project)}@gs-project-accounts.iam.gserviceaccount.com`;
      return { id: emailAddress, project, emailAddress, member: `serviceAccount:${emailAddress}` };
    }
    default:
      throw new Error(`no mock answer for the invoke ${token}: add one to cli/src/preview/mock-runtime.ts`);
  }
}

/** The resources registered (and the data sources called) so far, in order, with lookups by type and name. */
export class ResourceRecorder {
  readonly resources: RecordedResource[] = [];
  readonly invokes: RecordedInvoke[] = [];

  /** Every resource of `type`. */
  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The one resource of `type` named `name`. @throws Error when there is none, listing the names of that type. */
  get(type: string, name: string): RecordedResource {
    const found = this.resources.find((r) => r.type === type && r.name === name);
    if (!found) {
      throw new Error(
        `no ${type} named "${name}"; registered: ${
          this.ofType(type)
            .map((r) => r.name)
            .join(", ") || "none"
        }`,
      );
    }
    return found;
  }

  /** Forgets every recorded resource and invoke (between tests). */
  clear(): void {
    this.resources.length = 0;
    this.invokes.length = 0;
  }
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getDependenciesList(): string[];
  getProvider(): string;
  getObject(): unknown;
}
interface MockMonitorLike {
  resources: Map<string, { state: Record<string, unknown> }>;
  registerResource(req: RegisterRequest, callback: (err: Error | null, resp?: { getUrn(): string }) => void): void;
}

/**
 * Installs Pulumi's mock runtime (`pulumi.runtime.setMocks`, not a preview: every output is known) with
 * realistic computed outputs, and records every registration with what the engine would receive.
 * Call it, and set config, before the program or component module is loaded.
 * @param project - the project name (a program's `Pulumi.yaml` `name`): the namespace of `new pulumi.Config()`
 *   and the stack's URNs. Component tests, which run no program, take this project's.
 * @param sdk - the `@pulumi/pulumi` the program loads ({@link pulumiSdk} of its folder); default: the CLI's own.
 */
export async function installMockRuntime(
  cloud: MockCloud,
  stack: string,
  recorder = new ResourceRecorder(),
  project = "cloudrun-pipelines",
  sdk: PulumiSdk = pulumiSdk(),
): Promise<ResourceRecorder> {
  const { pulumi, rpc } = sdk;
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const { id, outputs } = computedOutputs(args.type, args.inputs as Record<string, unknown>, cloud);
        return { id, state: outputs };
      },
      call: (args) => mockCall(args.token, cloud, args.inputs as Record<string, unknown>),
    },
    project,
    stack,
    false,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorLike;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    register(req, (err, resp) => {
      if (!err && resp) {
        const urn = resp.getUrn();
        recorder.resources.push({
          urn,
          type: req.getType(),
          name: req.getName(),
          custom: req.getCustom(),
          parent: req.getParent() || undefined,
          inputs: hideSecrets(rpc, rpc.deserializeProperties(req.getObject())) as Record<string, unknown>,
          outputs: hideSecrets(rpc, monitor.resources.get(urn)?.state ?? {}) as Record<string, unknown>,
          protect: req.getProtect() ?? false,
          retainOnDelete: req.getRetainondelete() ?? false,
          dependencies: req.getDependenciesList(),
          provider: req.getProvider() || undefined,
        });
      }
      callback(err, resp);
    });
  };
  recordInvokes(sdk, recorder);
  return recorder;
}

type InvokeFunction = (token: string, props: unknown, opts?: unknown, packageRef?: unknown) => Pulumi.Output<unknown>;
/** An Output's value and resources (internal to @pulumi/pulumi 3.x, checked with 3.276: `OutputImpl.promise`, `allResources`). */
interface OutputInternals<T> {
  promise(): Promise<T>;
  allResources?(): Promise<Set<Pulumi.Resource>>;
}
const valueOf = <T>(output: Pulumi.Output<T>) => (output as unknown as OutputInternals<T>).promise();
/** Where each copy of the SDK whose invokes are wrapped records them now. */
const invokeRecorders = new Map<PulumiSdk, ResourceRecorder>();

/**
 * Records every output-form invoke (`getProjectOutput(...)` and the like) with the URNs its result depends on.
 * The SDK runs such an invoke once the resources its arguments come from are done, and passes them on as the
 * result's dependencies (`invokeAsync` in @pulumi/pulumi `runtime/invoke.js`, 3.276). `pulumi.runtime`'s
 * functions are plain properties the providers' SDKs call at call time, so wrapping them once is enough.
 */
function recordInvokes(sdk: PulumiSdk, recorder: ResourceRecorder): void {
  const wrapped = invokeRecorders.has(sdk);
  invokeRecorders.set(sdk, recorder);
  if (wrapped) return;
  const { pulumi, settings } = sdk;
  const runtime = pulumi.runtime as unknown as Record<"invokeOutput" | "invokeSingleOutput", InvokeFunction>;
  for (const name of ["invokeOutput", "invokeSingleOutput"] as const) {
    const original = runtime[name];
    runtime[name] = (token, props, opts, packageRef) => {
      const result = original(token, props, opts, packageRef);
      const target = invokeRecorders.get(sdk);
      const done = settings.rpcKeepAlive();
      (async () => {
        // Its provider too: the SDK registers it before the call (`getProvider(tok, opts)` in `runtime/invoke.js`).
        const options = (opts ?? {}) as Pulumi.InvokeOptions;
        const provider = options.provider ?? options.parent?.getProvider(token);
        const dependencies = [...((await (result as unknown as OutputInternals<unknown>).allResources?.()) ?? []), ...(provider ? [provider] : [])];
        const args = pulumi.output(props as Pulumi.Input<Record<string, unknown>>);
        target?.invokes.push({
          token,
          inputs: (await pulumi.isSecret(args)) ? { [SECRET]: SECRET } : ((await valueOf(args)) ?? {}),
          outputs: (await pulumi.isSecret(result)) ? { [SECRET]: SECRET } : (((await valueOf(result)) ?? {}) as Record<string, unknown>),
          dependencies: await Promise.all(dependencies.map((d) => valueOf(d.urn))),
        });
      })()
        // The program itself reports a failed invoke; the recording only leaves it out.
        .catch(() => undefined)
        .finally(done);
      return result;
    };
  }
}

/**
 * Waits until every resource registration the program started has been answered.
 * @param sdk - the program's `@pulumi/pulumi`, as given to {@link installMockRuntime}; default: the CLI's own.
 */
export function settled(sdk: PulumiSdk = pulumiSdk()): Promise<void> {
  return sdk.settings.waitForRPCs();
}

function hideSecrets(rpc: PulumiSdk["rpc"], value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => hideSecrets(rpc, v));
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[rpc.specialSigKey] === rpc.specialSecretSig) return SECRET;
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, hideSecrets(rpc, v)]));
  }
  return value;
}
