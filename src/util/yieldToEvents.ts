// Long work on the main thread hands control back to the event loop between pieces, so that a SIGINT handler (and
// the spinner) get to run: Ctrl-C then stops a command within one piece, not at its end.

/** Resolves after the event loop has had a turn (signals, timers, I/O callbacks). */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
