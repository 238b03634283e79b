// Worker thread that encodes the dictionary and postings of a cold build while the main thread encodes the symbol
// table (see IndexAssembler.finish). Started with the build: terms come while files are analysed, the postings at
// the end; one message out.
import { parentPort } from 'node:worker_threads';
import { FreshDictionaryEncoder, type PostingsMessage } from './builder.js';

const encoder = new FreshDictionaryEncoder();
parentPort?.on('message', (msg: PostingsMessage) => {
  const out = encoder.take(msg);
  if (out === null) return;
  // The encoded bytes move to the main thread, each section as one buffer, rather than being copied. A cold build's
  // postings are one view of the buffer their writer made (its own): that buffer moves as it is, instead of being
  // copied into a new one first (~0.1 s on the corpus). The blocks, views of msgpackr's buffers, are joined into one
  // that moves when it owns its whole buffer (a small Buffer can be a slice of Node's shared pool, which must not).
  const blocks = Buffer.concat(out.blocks);
  const postings = out.postings.length === 1 ? out.postings[0]! : Buffer.concat(out.postings);
  const movable = [blocks, postings].filter((b) => b === out.postings[0] || (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength));
  parentPort?.postMessage(
    { ...out, blocks: [blocks], postings: [postings] },
    movable.map((b) => b.buffer as ArrayBuffer),
  );
});
