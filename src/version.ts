// quarry's own version, from package.json (read once, at first use).
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function quarryVersion(): string {
  if (cached === undefined) {
    // dist/src/version.js when built, src/version.ts under vitest: the package root is one or two levels up.
    for (const rel of ['../../package.json', '../package.json']) {
      try {
        const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'quarry' && pkg.version) {
          cached = pkg.version;
          break;
        }
      } catch {
        // not here
      }
    }
    cached ??= '0.0.0';
  }
  return cached;
}
