import * as gcp from "./shared/gcp";
import * as pulumi from "@pulumi/pulumi";
import { PipelineComponent } from "./shared/component";
import { checkServiceAccountArgs, ServiceAccountArgs } from "./shared/identity";
import { childName } from "./shared/naming";

/**
 * The identity of one workload or trigger: created here, or an existing user-managed account passed in. Either
 * way the outputs are the same (`email`, `member`). Never the Compute Engine or App Engine default account.
 *
 * The deployer needs `iam.serviceAccounts.actAs` (`roles/iam.serviceAccountUser`) on the account to deploy a job,
 * service, schedule or push subscription that runs as it (src: https://cloud.google.com/run/docs/securing/service-identity).
 *
 * Service accounts are eventually consistent: a role granted right after creation can fail with "Service account …
 * does not exist" (src: `@pulumi/gcp` `serviceaccount/account.d.ts`; https://cloud.google.com/iam/docs/overview#consistency).
 * The provider's create already waits: it polls the new account until 3 reads in a row find it, then sleeps 10 s
 * (src: hashicorp/terraform-provider-google `google/services/resourcemanager/resource_google_service_account.go`;
 * GoogleCloudPlatform/magic-modules#10813, #14447; shared by the beta provider pulumi-gcp is built from). No IAM
 * member type the components use retries that error: their read-modify-write retries a 409 conflict, and on "does not
 * exist" only when re-reading the policy fails and its etag changed (src: hashicorp/terraform-provider-google-beta
 * `google-beta/tpgiamresource/iam.go`, `iamPolicyReadModifyWrite`; type by type in cli/src/preview/iam-retries.ts).
 * So every grant must start after the create has returned: `email` and `member` are outputs of the account
 * resource, never a string built from the account id, and anything bound to them depends on the account. If Google
 * is slower still, the grant fails and a second `pulumi up` completes it: Google's advice is to wait "60 seconds or
 * more" and retry with backoff (https://cloud.google.com/iam/docs/service-accounts-create), and a rerun is that
 * retry; no fixed wait would be sure (README, "If the first `pulumi up` fails on a grant").
 * @example
 * ```ts
 * import { ServiceAccount } from "./components";
 *
 * const ci = new ServiceAccount("ci", { accountId: "dev-pipelines-ci", displayName: "CI (dev)", description: "Runs jobs from CI." });
 * export const member = ci.member; // serviceAccount:dev-pipelines-ci@<project>.iam.gserviceaccount.com
 * ```
 */
export class ServiceAccount extends PipelineComponent {
  /** `<id>@<project>.iam.gserviceaccount.com`. */
  public readonly email: pulumi.Output<string>;
  /** `serviceAccount:<email>`, the IAM member string. */
  public readonly member: pulumi.Output<string>;

  constructor(name: string, args: ServiceAccountArgs, opts?: pulumi.ComponentResourceOptions) {
    checkServiceAccountArgs(`ServiceAccount(${name})`, args);
    super("pipelines:gcp:ServiceAccount", name, opts);
    if ("email" in args) {
      this.email = pulumi.output(args.email);
    } else {
      const account = new gcp.serviceaccount.Account(
        childName(name, "account"),
        { accountId: args.accountId, displayName: args.displayName, description: args.description },
        this.child(),
      );
      this.email = account.email;
    }
    this.member = pulumi.interpolate`serviceAccount:${this.email}`;
    this.registerOutputs({ email: this.email, member: this.member });
  }
}
