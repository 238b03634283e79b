// Work to undo if the process is interrupted (a lock to release, a temp file to remove): src/ registers it,
// commands/main.ts runs it from its SIGINT/SIGTERM handler before exiting.

const cleanups = new Set<() => void>();

/** Registers `fn`; returns a function that unregisters it (call it once the work is done normally). */
export function addCleanup(fn: () => void): () => void {
  cleanups.add(fn);
  return () => {
    cleanups.delete(fn);
  };
}

/** Runs every registered cleanup once, newest first; errors are swallowed (we are exiting anyway). */
export function runCleanups(): void {
  for (const fn of [...cleanups].reverse()) {
    cleanups.delete(fn);
    try {
      fn();
    } catch {
      // best effort
    }
  }
}
