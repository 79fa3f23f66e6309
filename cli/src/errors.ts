/**
 * The one table of exit codes of every command (README, "Command-line convention"; docs/cli.md): 0 done, 1 the work
 * failed (a job, a guardrail, no answer in time), 2 bad input or bad config, 3 the cloud or the environment
 * (credentials, an API, the emulator), 130 on SIGINT and 143 on SIGTERM (128 + the signal's number, as shells report
 * a process a signal ended: SIGINT is 2, SIGTERM 15; src: https://www.gnu.org/software/bash/manual/html_node/Exit-Status.html).
 */
export const EXIT = { done: 0, failed: 1, badInput: 2, environment: 3, sigint: 130, sigterm: 143 } as const;

/** Bad input: a flag, the outputs file or a job name. Exit 2, before any API call. */
export class BadInput extends Error {}

/** The Cloud Run Admin API refused or failed (permission, not found, no execution created). Exit 3. */
export class ApiError extends Error {}
