/** Where a run writes and how it is interrupted. */
export interface RunIo {
  /** Progress and messages (stderr). */
  err: (text: string) => void;
  isTTY: boolean;
  /** Registers the Ctrl-C (SIGINT/SIGTERM) handler; returns its removal. */
  onInterrupt(handler: () => void): () => void;
}

/** Ctrl-C while waiting: whether it came, a promise that resolves when it does, and the handler's removal. */
export function watchInterrupt(io: RunIo): { readonly interrupted: boolean; woken: Promise<void>; remove(): void } {
  let wake = () => undefined as void;
  const state = { interrupted: false, woken: new Promise<void>((resolve) => (wake = resolve)), remove: () => undefined as void };
  state.remove = io.onInterrupt(() => {
    state.interrupted = true;
    wake();
  });
  return state;
}
