// Worker-thread entry of the index pool: a task is one batch of files (see analyzeBatch.ts).
import { workerEntry } from '../util/workerEntry.js';
import { analyzeBatch } from './analyzeBatch.js';

export default workerEntry(analyzeBatch);
