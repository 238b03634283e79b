// Worker thread that encodes the dictionary and postings of a cold build while the main thread encodes the symbol
// table (see IndexAssembler.finish): one message in, one out.
import { parentPort } from 'node:worker_threads';
import { encodeFreshDictionary, type FreshPostingsData } from './builder.js';

parentPort?.once('message', (plain: FreshPostingsData) => {
  const out = encodeFreshDictionary(plain);
  // The encoded bytes move to the main thread rather than being copied, when each owns its whole buffer (a small
  // Buffer can be a slice of Node's shared pool, which must not be moved).
  const own = [out.blocks, out.postings].filter((b) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength);
  parentPort?.postMessage(
    out,
    own.map((b) => b.buffer as ArrayBuffer),
  );
});
