// A separate quarry process using the BUILT cache (dist/), so the tests exercise real multi-process lmdb.
// Usage: node cacheChild.mjs <mode> <dir> [prefix start count batch goAt]; prints one JSON line with the outcome.
import { isDeepStrictEqual } from 'node:util';

import { openCache } from '../../dist/src/cache/cache.js';
import { hashFor, valueFor } from './childValues.mjs';

const NS = 'child';
const VERSION = 1;
const [mode, dir, prefix = 'p', startArg = '0', countArg = '0', batchArg = '100', goAtArg] = process.argv.slice(2);
const start = Number(startArg);
const count = Number(countArg);
const batch = Number(batchArg);
const warnings = [];
const cache = await openCache({ dir, onWarning: (message) => warnings.push(message) });

/** Hashes and values of [from, to). */
function range(from, to) {
  return Array.from({ length: to - from }, (_, k) => ({ hash: hashFor(prefix, from + k), value: valueFor(prefix, from + k) }));
}

const out = { mode, warnings };
if (mode === 'write') {
  // Concurrent writers start together at `goAt` (epoch ms), whenever each process finished starting up.
  if (goAtArg !== undefined) await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(goAtArg) - Date.now())));
  out.startedAt = Date.now();
  for (let i = start; i < start + count; i += batch) {
    await cache.setMany(NS, VERSION, range(i, Math.min(i + batch, start + count)));
    // Yield so the other writer's transactions interleave with ours.
    await new Promise((resolve) => setImmediate(resolve));
  }
  out.finishedAt = Date.now();
  out.written = count;
} else if (mode === 'read') {
  let found = 0;
  let correct = 0;
  for (let i = start; i < start + count; i += batch) {
    const entries = range(i, Math.min(i + batch, start + count));
    const got = await cache.getMany(
      NS,
      VERSION,
      entries.map((e) => e.hash),
    );
    for (const [k, value] of got.entries()) {
      if (value === undefined) continue;
      found++;
      if (isDeepStrictEqual(value, entries[k].value)) correct++;
    }
  }
  Object.assign(out, { found, correct });
} else if (mode === 'open') {
  // Opens (possibly a damaged store), then proves the cache works: write, read back, reopen, read again.
  const value = valueFor(prefix, 1);
  await cache.set(NS, VERSION, 'probe', value);
  out.sameInstance = isDeepStrictEqual(await cache.get(NS, VERSION, 'probe'), value);
  await cache.close();
  const again = await openCache({ dir, onWarning: (message) => warnings.push(`(reopen) ${message}`) });
  out.reopened = isDeepStrictEqual(await again.get(NS, VERSION, 'probe'), value);
  out.stats = again.stats();
  await again.close();
} else if (mode === 'write-forever') {
  // Writes batches until killed; reports after the first batch is committed so the parent can kill mid-stream.
  await cache.setMany(NS, VERSION, range(0, batch));
  process.stdout.write(`${JSON.stringify({ mode, committed: batch })}\n`);
  for (let i = batch; ; i += batch) await cache.setMany(NS, VERSION, range(i, i + batch));
} else {
  throw new Error(`unknown mode ${mode}`);
}
out.stats ??= cache.stats();
await cache.close();
process.stdout.write(`${JSON.stringify(out)}\n`);
