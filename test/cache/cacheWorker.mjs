// A worker_threads worker with its own cache on the same dir as the main thread (built module, as in production).
import { parentPort, workerData } from 'node:worker_threads';
import { isDeepStrictEqual } from 'node:util';

import { openCache } from '../../dist/src/cache/cache.js';
import { hashFor, valueFor } from './childValues.mjs';

const { dir, ns, prefix, count, batch } = workerData;
const warnings = [];
const cache = await openCache({ dir, l1Bytes: 0, onWarning: (message) => warnings.push(message) });

async function write() {
  for (let i = 0; i < count; i += batch) {
    const entries = [];
    for (let k = i; k < Math.min(i + batch, count); k++) entries.push({ hash: hashFor(prefix, k), value: valueFor(prefix, k) });
    await cache.setMany(ns, 1, entries);
  }
}

async function verify(otherPrefix, otherCount) {
  const hashes = Array.from({ length: otherCount }, (_, k) => hashFor(otherPrefix, k));
  const got = await cache.getMany(ns, 1, hashes);
  return got.filter((value, k) => isDeepStrictEqual(value, valueFor(otherPrefix, k))).length;
}

parentPort.on('message', async (message) => {
  if (message.type === 'read') {
    const correct = await verify(message.prefix, message.count);
    await cache.close();
    parentPort.postMessage({ type: 'read', correct, warnings, stats: cache.stats() });
    parentPort.close();
  }
});
await write();
parentPort.postMessage({ type: 'written', count });
