/**
 * An error in user input (stack config or component args).
 *
 * The message always names the field, what is wrong with the value, and how to fix it, so that
 * `pulumi up` and `npm run preview` fail with one readable line before any resource is declared.
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
