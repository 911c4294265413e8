/**
 * Ctrl-C and SIGTERM for a command that owns child processes: the first signal asks for an orderly stop,
 * a second one while stopping kills at once.
 */

/** The stop request of {@link stopSignals}. */
export interface StopSignals {
  /** Resolves with the first SIGINT or SIGTERM. */
  requested: Promise<NodeJS.Signals>;
  /** What a second signal does before the process exits with 130 (e.g. SIGKILL the children). */
  onRepeat(action: () => void): void;
}

/**
 * A signal this soon after the first is the same Ctrl-C delivered twice: once by the terminal to the whole
 * foreground group and once forwarded by `npm run`.
 */
const ECHO_MS = 1_000;

/** Installs SIGINT and SIGTERM handlers (which replace Node's default of exiting at once). */
export function stopSignals(): StopSignals {
  let repeat = () => {};
  let firstAt: number | undefined;
  const requested = new Promise<NodeJS.Signals>((resolve) => {
    const handler = (signal: NodeJS.Signals) => {
      if (firstAt === undefined) {
        firstAt = Date.now();
        resolve(signal);
      } else if (Date.now() - firstAt > ECHO_MS) {
        repeat();
        process.exit(130);
      }
    };
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
  });
  return {
    requested,
    onRepeat(action) {
      repeat = action;
    },
  };
}
