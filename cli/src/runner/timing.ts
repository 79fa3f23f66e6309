/** How the runner waits: the poll delays, the clock and the sleep (tests and the benchmark use fast or fake ones). */
export interface Timing {
  /**
   * Poll delays in ms: the first, the factor, the most, and the delay once the expected end has passed (it then
   * grows again by the factor). @default 2000, 1.5, 15000, 1000 (gcloud's 1 s ceiling: runner-anchors.md §1)
   */
  readonly pollMs: { readonly first: number; readonly factor: number; readonly max: number; readonly near?: number };
  /** Wait before retrying a read; RESOURCE_EXHAUSTED waits 4 times as long. @default 1000 */
  readonly retryMs: number;
  sleep(ms: number): Promise<void>;
  /** The clock, ms since the epoch. @default Date.now */
  now?: () => number;
  /**
   * The timeout of one WaitOperation, in ms: the longest the progress shown and a Ctrl-C check wait. The server
   * caps it at its own RPC timeout and may answer earlier (https://cloud.google.com/run/docs/reference/rest/v2/projects.locations.operations/wait).
   * @default 30000
   */
  waitOperationMs?: number;
}

export const DEFAULT_TIMING: Timing = {
  pollMs: { first: 2000, factor: 1.5, max: 15000, near: 1000 },
  retryMs: 1000,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  now: () => Date.now(),
  waitOperationMs: 30_000,
};
