/** Exit codes of the CLI's commands (documented in each command's `--help` and the README). */
export const EXIT = { succeeded: 0, failed: 1, badInput: 2, apiError: 3, interrupted: 130 } as const;

/** Bad input: a flag, the outputs file or a job name. Exit 2, before any API call. */
export class BadInput extends Error {}

/** The Cloud Run Admin API refused or failed (permission, not found, no execution created). Exit 3. */
export class ApiError extends Error {}
