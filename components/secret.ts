import * as gcp from "./shared/gcp";
import * as pulumi from "@pulumi/pulumi";
import { PipelineComponent } from "./shared/component";
import { InputError } from "./shared/errors";
import { checkEnvName, Link } from "./shared/links";
import { childName } from "./shared/naming";

export interface SecretArgs {
  /** Secret id: letters, digits, `-` and `_`, at most 255 (src: https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets/create). */
  secretId: string;
  /** The value, from a Pulumi config secret (`pulumi config set --secret`): it stays encrypted in state and never shows in a plan. */
  value: pulumi.Output<string>;
}

/**
 * A Secret Manager secret holding one value from Pulumi config, exposed to workloads only through
 * {@link Secret.env}: the workload reads it as an environment variable pinned to this version (a new value rolls
 * the workload with the next deploy) and grants its own account `roles/secretmanager.secretAccessor` on this secret
 * only, before it is created.
 * @example
 * ```ts
 * import * as pulumi from "@pulumi/pulumi";
 * import { CloudRunJob, environmentPolicy, Secret } from "./components";
 *
 * const token = new Secret("source-token", { secretId: "dev-source-token", value: new pulumi.Config().requireSecret("sourceToken") });
 * new CloudRunJob("extract", {
 *   jobName: "dev-etl-extract",
 *   location: "europe-west1",
 *   image: "europe-west1-docker.pkg.dev/my-project/images/etl@sha256:<digest>",
 *   serviceAccount: { accountId: "dev-etl-extract", displayName: "ETL extract" },
 *   links: [token.env("SOURCE_TOKEN")],
 *   policy: environmentPolicy(false),
 * });
 * ```
 */
export class Secret extends PipelineComponent {
  /** `projects/<project>/secrets/<id>`. */
  public readonly id: pulumi.Output<string>;
  private readonly version: gcp.secretmanager.SecretVersion;
  private readonly componentName: string;

  constructor(name: string, args: SecretArgs, opts?: pulumi.ComponentResourceOptions) {
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(args.secretId)) {
      throw new InputError(`Secret(${name}).secretId`, `"${args.secretId}" is not a valid secret id`, "use letters, digits, '-' and '_', at most 255");
    }
    super("pipelines:gcp:Secret", name, opts);
    this.componentName = name;
    const secret = new gcp.secretmanager.Secret(childName(name, "secret"), { secretId: args.secretId, replication: { auto: {} } }, this.child());
    this.version = new gcp.secretmanager.SecretVersion(childName(name, "version"), { secret: secret.id, secretData: pulumi.secret(args.value) }, this.child());
    this.id = secret.id;
    this.registerOutputs({ id: this.id });
  }

  /**
   * The secret as the environment variable `envName` of a workload, pinned to the current version, e.g.
   * `links: [apiKey.env("API_KEY")]`. A method, where other links are getters (`bucket.read`): a bucket or topic
   * names its variable once (`envName` in its args), but one secret is often read under different names by
   * different workloads, so the name is given where the link is made.
   * @param envName - upper case letters, digits and underscores, e.g. `API_KEY`
   * @throws InputError naming `Secret(<name>).env` for any other name.
   */
  public env(envName: string): Link {
    checkEnvName(`Secret(${this.componentName}).env`, envName, "API_KEY");
    return { env: {}, grants: [], secretEnv: { [envName]: { secret: this.id, version: this.version.version } }, dependsOn: [this.version] };
  }
}
