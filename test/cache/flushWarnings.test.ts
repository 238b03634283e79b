// A cache failure that only the final flush meets — the last batch's writes are still in flight when the pool's
// threads are told to flush — is reported like any other: once on stderr and in --json warnings. Here the writes fail
// because Redis refuses them (maxmemory reached, reads still answered), so no batch reply can carry the failure:
// every batch's lookups succeed, and its writes are answered only after it replied. Runs the BUILT CLI.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { quarry, tempDir } from '../helpers.js';
import { startRedis } from './redisServer.js';

const started = await startRedis();
if (started.server === null)
  console.warn(`\n*** SKIPPING the flush-warning (Redis) tests: redis-server cannot be started: ${started.reason}\n`);
const redis = started.server;
afterAll(async () => redis?.dispose());

/** `files` small modules in one directory. */
function tree(files: number): string {
  const root = tempDir('quarry-flushwarn-');
  mkdirSync(join(root, 'src'));
  for (let i = 0; i < files; i++)
    writeFileSync(
      join(root, 'src', `m${i}.ts`),
      `/** Step ${i}. */\nexport function step${i}(x: number): number {\n  return x + ${i};\n}\n`,
    );
  return root;
}

interface Doc {
  ok: boolean;
  warnings: string[];
}

describe.skipIf(redis === null)('cache warnings raised during the final flush', () => {
  beforeAll(() => {
    // Every write is refused (OOM), every read answered: the first failure is a write's.
    redis!.cli(['config', 'set', 'maxmemory', '1']);
  });

  // 20 files: one batch, for one pool thread (--workers 1); 3 files are analysed on the main thread.
  for (const [cmd, files, args] of [
    ['index', 20, ['--workers', '1']],
    ['scan', 20, ['--workers', '1']],
    // Three batches (index tasks hold up to 128 files) on two threads: told once all the same.
    ['index', 300, ['--workers', '2']],
    ['index', 3, []],
    ['scan', 3, []],
  ] as const) {
    it(`${cmd} of ${files} files${args.length > 0 ? ` on ${args[1]} pool thread(s)` : ' on the main thread'}: one warning, on stderr and in --json`, async () => {
      const root = tree(files);
      const env = { QUARRY_CACHE_DIR: `${root}-cache`, QUARRY_CACHE_URL: undefined };
      const json = await quarry([cmd, root, '--json', '--cache-url', redis!.url, ...args], { env, limitMs: 60_000 });
      expect(json.code).toBe(0);
      const doc = JSON.parse(json.stdout) as Doc;
      const shared = doc.warnings.filter((w) => w.startsWith('shared cache '));
      expect(shared).toHaveLength(1);
      expect(shared[0]).toMatch(/OOM/);
      // The same on a fresh tree (an indexed one would be up to date: nothing written), without --json.
      const again = tree(files);
      const text = await quarry([cmd, again, '--cache-url', redis!.url, ...args], {
        env: { ...env, QUARRY_CACHE_DIR: `${again}-cache` },
        limitMs: 60_000,
      });
      expect(text.code).toBe(0);
      expect(text.stderr.split('\n').filter((l) => l.startsWith('quarry: warning: shared cache '))).toHaveLength(1);
    });
  }
});
