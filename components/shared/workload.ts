import * as gcp from "./gcp";
import * as pulumi from "@pulumi/pulumi";
import { containerEnv, Cpu, EnvEntry, resourceLimits, SecretEnv } from "./container";
import { InputError } from "./errors";
import { memberProblem } from "./formats";
import { checkServiceAccountArgs, ServiceAccountArgs } from "./identity";
import { Link, ResolvedLinks, resolveLinks } from "./links";
import { childName } from "./naming";
import { Size } from "./units";

/** Role the workload's account gets on each secret of `secretEnv` (src: https://cloud.google.com/run/docs/configuring/jobs/secrets). */
export const SECRET_ACCESSOR_ROLE = "roles/secretmanager.secretAccessor";

/**
 * The container and identity of a workload, what `CloudRunJobArgs` and `CloudRunServiceArgs` share: the image and
 * how it starts, its environment, its CPU and memory, the service account it runs as, and its links. A job runs the
 * container as tasks, a service as instances; where they differ, each field says so.
 */
export interface WorkloadArgs {
  /**
   * Image to run, by digest (`ContainerImage.repoDigest`), so that a new build updates the job, or rolls out a new
   * revision of the service.
   */
  image: pulumi.Input<string>;
  /**
   * Entrypoint, replacing the image's ENTRYPOINT. A job run's overrides cannot change it (src: `@google-cloud/run`
   * `build/protos/google/cloud/run/v2/job.proto`, `RunJobRequest.Overrides.ContainerOverride` has no command), so
   * bake the subcommand in here and keep `args` for parameters.
   * @default the image's ENTRYPOINT
   */
  command?: string[];
  /**
   * Arguments, replacing the image's CMD. A job run's `args` override replaces them all (src: the same
   * `ContainerOverride.args`).
   * @default the image's CMD
   */
  args?: string[];
  /**
   * Plain environment variables, sorted by name in the container. Names are letters, digits and underscores, not
   * starting with a digit, and not one Cloud Run sets itself (`PORT`, `K_SERVICE`, `CLOUD_RUN_TASK_INDEX`, …:
   * `isReservedEnvName`). Cloud Run takes at most 1,000 per container, counting `secretEnv` and the links'
   * (`MAX_ENV_VARS`, with its source). A job run's `env` override merges into them (src: the same
   * `ContainerOverride.env`).
   */
  env?: Record<string, pulumi.Input<string>>;
  /**
   * Environment variables read from Secret Manager when the container starts; the workload's account gets
   * {@link SECRET_ACCESSOR_ROLE} on each secret before the job or service is created. Names follow `env`'s rules,
   * differ from `env`'s, and differ from each other in more than case.
   */
  secretEnv?: Record<string, SecretEnv>;
  /** vCPUs per job task or per service instance: 1, 2, 4, 6 or 8 (see `Cpu`). @default 1 (the API's default) */
  cpu?: Cpu;
  /**
   * Memory per job task or per service instance, e.g. `"2 GiB"`. It must fit `cpu`: 1 vCPU takes 512 MiB to 4 GiB,
   * 2 vCPU 512 MiB to 8 GiB, 4 vCPU 2 to 16 GiB, 6 vCPU 4 to 24 GiB, 8 vCPU 4 to 32 GiB, 512 MiB being the second
   * generation environment's minimum (src: https://cloud.google.com/run/docs/configuring/jobs/memory-limits,
   * /services/memory-limits; checked by `resourceLimits`).
   * @default "512 MiB" (the API's default)
   */
  memory?: Size;
  /** The workload's identity: created, or an existing user-managed account. Never the Compute or App Engine default account. */
  serviceAccount: ServiceAccountArgs;
  /**
   * Access to other resources (`bucket.read`, `dataset.write`, `topic.publish`, `secret.env("API_KEY")`, …): an IAM
   * member for the workload's account on each one, and their environment variables, which no two links and no
   * `env` entry may share.
   * @default no access
   */
  links?: Link[];
}

/** What a job or service is declared from, derived from its {@link WorkloadArgs} by {@link resolveWorkload}. */
export interface ResolvedWorkload {
  /** The container as Cloud Run v2 takes it in a job's task template or a service's revision template. */
  readonly container: {
    image: pulumi.Input<string>;
    commands?: string[];
    args?: string[];
    envs: EnvEntry[];
    resources: { limits: { cpu: string; memory: string } };
  };
  /** The links, merged. */
  readonly links: ResolvedLinks;
  /** Every variable read from Secret Manager: `secretEnv` and the links'. */
  readonly secretEnv: Record<string, SecretEnv>;
}

/**
 * Checks a workload's {@link WorkloadArgs} and the IAM members its component grants access to (e.g.
 * `{ runners }`), and derives its container, links and secret variables; called before anything is declared.
 * @param field - the args' path in the user's program, e.g. `CloudRunJob(load)` or `StreamProcessor(stream).service`
 * @throws InputError naming `<field>.<arg>` (see {@link checkWorkloadArgs}, `checkServiceAccountArgs`,
 *   `resolveLinks`, `containerEnv` and `resourceLimits`).
 */
export function resolveWorkload(field: string, args: WorkloadArgs, members: Record<string, readonly string[] | undefined>): ResolvedWorkload {
  const { cpu = 1, memory = "512 MiB" } = args;
  checkWorkloadArgs(field, args.secretEnv, members);
  checkServiceAccountArgs(`${field}.serviceAccount`, args.serviceAccount);
  const links = resolveLinks(field, args.links ?? [], { ...args.env, ...args.secretEnv });
  const secretEnv = { ...args.secretEnv, ...links.secretEnv };
  const envs = containerEnv(field, { ...args.env, ...links.env }, secretEnv);
  const limits = resourceLimits(field, cpu, memory);
  const container = {
    image: args.image,
    ...(args.command && { commands: args.command }),
    ...(args.args && { args: args.args }),
    envs,
    resources: { limits },
  };
  return { container, links, secretEnv };
}

/**
 * Declares the access of a workload (job or service) running as `member`: one IAM member per link grant, and one
 * `roles/secretmanager.secretAccessor` grant per secret it reads (one per secret, named after the first variable
 * that reads it: two variables of one secret must not make two members of one binding, or deleting either would
 * remove the access of both). Returns what the workload must wait for: its grants and its links' dependencies.
 */
export function declareAccess(
  name: string,
  member: pulumi.Input<string>,
  { links, secretEnv }: Pick<ResolvedWorkload, "links" | "secretEnv">,
  opts: pulumi.CustomResourceOptions,
): pulumi.Resource[] {
  const grants = links.grants.map((grant) => grant.bind(childName(name, grant.key), member, opts));
  const secrets = new Map<pulumi.Input<string>, string>();
  for (const [envName, ref] of Object.entries(secretEnv)) if (!secrets.has(ref.secret)) secrets.set(ref.secret, envName);
  const secretGrants = [...secrets].map(
    ([secret, envName]) =>
      new gcp.secretmanager.SecretIamMember(childName(name, "secret", envName.toLowerCase()), { secretId: secret, role: SECRET_ACCESSOR_ROLE, member }, opts),
  );
  return [...grants, ...secretGrants, ...links.dependsOn];
}

/**
 * Checks what a workload's args share: secret variable names that differ only in case, and IAM members.
 * @throws InputError naming `field`.
 */
export function checkWorkloadArgs(
  field: string,
  secretEnv: Record<string, SecretEnv> | undefined,
  members: Record<string, readonly string[] | undefined>,
): void {
  const lowered = Object.keys(secretEnv ?? {}).map((n) => n.toLowerCase());
  const clash = lowered.find((n, i) => lowered.indexOf(n) !== i);
  if (clash !== undefined) {
    throw new InputError(
      `${field}.secretEnv`,
      `two variables differ only in case (${clash})`,
      "give each secret variable a name that differs in more than case",
    );
  }
  for (const [key, list] of Object.entries(members)) {
    for (const member of list ?? []) {
      const problem = memberProblem(member);
      if (problem !== undefined) throw new InputError(`${field}.${key}`, `"${member}" is not an IAM member this stack grants access to`, problem);
    }
  }
}
