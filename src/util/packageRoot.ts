// The directory of quarry's own package.json: where bin/quarry.js is and what ../shared is relative to.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let cached: string | null | undefined;

/** quarry's package directory, or null when it cannot be found (read once, at first use). */
export function packageRoot(): string | null {
  if (cached === undefined) {
    cached = null;
    // dist/src/util/ when built, src/util/ under vitest: the package root is three or two levels up.
    for (const rel of ['../../../', '../../']) {
      const dir = new URL(rel, import.meta.url);
      try {
        const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string };
        if (pkg.name === 'quarry') {
          cached = fileURLToPath(dir).replace(/\/$/, '');
          break;
        }
      } catch {
        // not here
      }
    }
  }
  return cached;
}
