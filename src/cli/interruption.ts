type StopSignal = "SIGINT" | "SIGTERM";

/**
 * Ctrl-C or a SIGTERM that came before a command finished what it was starting. Its exit code is
 * the one a shell reports for a process the signal ended (128 + the signal's number), so a service
 * manager or script sees a stop, not a run that completed.
 */
export class Interrupted extends Error {
  readonly exitCode: number;

  constructor(readonly signal: StopSignal) {
    super(`interrupted by ${signal}`);
    this.exitCode = signal === "SIGINT" ? 130 : 143;
  }
}

export interface Interruption {
  /** The signal, once one came; undefined until then. */
  readonly signal: StopSignal | undefined;
  /** Resolves with the first SIGINT or SIGTERM. */
  readonly signalled: Promise<StopSignal>;
  /** What `work` resolves to, or Interrupted as soon as a signal comes; work still under way is the caller's to stop. */
  race<T>(work: Promise<T>): Promise<T>;
  /** Stops listening: the signals have Node's default action again. */
  dispose(): void;
}

/**
 * SIGINT and SIGTERM, listened for from the moment a command starts anything it must undo. Only the
 * first is taken: after it the default action is back, so a second Ctrl-C stops a clean-up that
 * hangs.
 */
export function listenForInterruption(): Interruption {
  let received: StopSignal | undefined;
  let resolveSignalled: (signal: StopSignal) => void = () => {};
  const signalled = new Promise<StopSignal>((resolve) => (resolveSignalled = resolve));
  const onInterrupt = () => on("SIGINT");
  const onTerminate = () => on("SIGTERM");
  const dispose = () => {
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onTerminate);
  };
  function on(signal: StopSignal): void {
    dispose();
    received = signal;
    resolveSignalled(signal);
  }
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onTerminate);
  const interrupted = signalled.then((signal) => Promise.reject(new Interrupted(signal)));
  // Rejected for every interruption, awaited only by a race under way: not an unhandled rejection.
  interrupted.catch(() => {});
  return {
    get signal() {
      return received;
    },
    signalled,
    race: (work) => Promise.race([work, interrupted]),
    dispose,
  };
}
