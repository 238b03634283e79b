// Worker-thread entry of the scan pool: a task is one batch of JS/TS files the cache could not answer (scanBatch.ts).
import { workerEntry } from '../util/workerEntry.js';
import { scanBatch } from './scanBatch.js';

export default workerEntry(scanBatch);
