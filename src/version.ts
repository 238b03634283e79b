// quarry's own version, from package.json (read once, at first use).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './util/packageRoot.js';

let cached: string | undefined;

export function quarryVersion(): string {
  if (cached === undefined) {
    const root = packageRoot();
    try {
      if (root !== null) cached = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version;
    } catch {
      // unreadable: below
    }
    cached ??= '0.0.0';
  }
  return cached;
}
