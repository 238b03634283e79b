// The read-only half of packr.ts: `msgpackr/unpack` skips the native addon, which costs ~50 ms of start-up
// that a search cannot afford. Keys such as `__proto__` never reach Object.prototype (msgpackr renames them).
import { Unpackr } from 'msgpackr/unpack';

export const unpackr = new Unpackr({ moreTypes: true, useRecords: false, mapsAsObjects: true });
