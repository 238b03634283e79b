// Worker thread that encodes the dictionary and postings of a cold build while the main thread encodes the symbol
// table (see IndexAssembler.finish): one message in, one out.
import { parentPort } from 'node:worker_threads';
import { encodeFreshDictionary, type FreshPostingsData } from './builder.js';

parentPort?.once('message', (plain: FreshPostingsData) => {
  parentPort?.postMessage(encodeFreshDictionary(plain));
});
