// The build bundles @keyv/redis and node-redis into one file (dist/vendor/keyv-redis.js, `npm run build`): a command
// run from the build loads that file, not the ~420 CommonJS modules of @redis/client one by one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

import { REPO } from '../helpers.js';
import { freePort } from './redisServer.js';

it('the built shared tier connects through the bundled client, loading no @redis/client module', async () => {
  expect(existsSync(join(REPO, 'dist', 'vendor', 'keyv-redis.js'))).toBe(true);
  const port = await freePort();
  const redisStore = pathToFileURL(join(REPO, 'dist', 'src', 'cache', 'redisStore.js')).href;
  // Nothing listens on the port: the first attempt is refused, which shows the client was built and used.
  const script = `
    import { createRequire } from 'node:module';
    const { RedisTier } = await import(${JSON.stringify(redisStore)});
    const reasons = [];
    const tier = new RedisTier({ url: 'redis://127.0.0.1:${port}/0', ttlMs: 1000, local: false, timeoutMs: 300 }, (r) => reasons.push(r));
    const values = await tier.getMany(['k']);
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('@redis'));
    await tier.disconnect();
    console.log(JSON.stringify({ values, errors: tier.stats.errors, reasons: reasons.length, loaded }));
    process.exit(0);
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  expect(run.stderr).toBe('');
  const out = JSON.parse(run.stdout) as { values: unknown[]; errors: number; reasons: number; loaded: string[] };
  expect(out.values).toEqual([null]);
  expect(out.errors).toBeGreaterThanOrEqual(1);
  expect(out.reasons).toBeGreaterThanOrEqual(1);
  expect(out.loaded).toEqual([]);
});
