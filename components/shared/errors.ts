/**
 * An error in user input (stack config or component args).
 *
 * The message always names the field, what is wrong with the value, and how to fix it, so that
 * `pulumi up` and `npm run preview` fail with one readable line before any resource is declared.
 *
 * The field is always what the user wrote, never an internal child: a config key (`cloudrun-pipelines:region`),
 * or the component the user declared, by type and name, and the path of the arg in its args, with `[i]` for a
 * list item and `.key` for a record entry: `JobChain(nightly).steps[1].name`,
 * `BucketTrigger(landing-trigger).push.invoker.accountId`, `Bucket(raw).opts.dependsOn`.
 */
export class InputError extends Error {
  /**
   * @param field - the config key or argument path, e.g. `cloudrun-pipelines:stagingRetentionDays` or `CloudRunJob(extract).cpu`
   * @param problem - what is wrong, including the offending value
   * @param fix - the expected form or the action that fixes it
   */
  constructor(
    readonly field: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${field}: ${problem}; ${fix}`);
    this.name = "InputError";
  }
}
