// Where a worker thread's module is: shared by the pool and by the one-off threads that do not need the pool.

/**
 * The URL of a worker module given relative to its caller (`'./worker.js'`, `import.meta.url`). Under vitest the
 * caller runs as a .ts source, but a thread needs the compiled module: then the copy in dist/ is used.
 */
export function workerModuleUrl(relative: string, callerUrl: string): URL {
  const url = new URL(relative, callerUrl);
  if (!callerUrl.endsWith('.ts')) return url;
  const at = url.href.lastIndexOf('/src/');
  return new URL(`${url.href.slice(0, at)}/dist${url.href.slice(at)}`);
}
