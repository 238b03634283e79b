// How a cache entry crosses keyv: keyv wraps each value as `{value, expires}` and only deserializes what a
// store returns as a string, so the envelope travels as base64 text of the project's msgpack encoding.
import type { DeserializedData } from 'keyv';

import { packr } from '../util/packr.js';
import { unpackr } from '../util/unpackr.js';

/*
 * Why text: keyv 5 hands a store's non-string result back as if it were already `{value, expires}`, so a
 * store that returned bytes would lose every entry. Why base64 rather than latin1: it is plain ASCII, which
 * any keyv store keeps intact (a SQL TEXT column rejects NUL, Redis would double every byte >= 0x80 as UTF-8),
 * and Node converts it faster than latin1. A byte store (lmdb) decodes it back and keeps raw bytes on disk.
 *
 * Why msgpack via util/packr: JSON (keyv's default) and msgpackr's defaults both mangle typed arrays; the
 * shared Packr has `moreTypes`, so Float32Array, BigInt64Array, Buffer... come back as themselves.
 */

/** keyv's envelope around one value. */
export type Envelope = DeserializedData<unknown>;

/** keyv serializer: the envelope as base64 text of msgpack. */
export function serializeEnvelope(data: Envelope): string {
  return packr.pack(data).toString('base64');
}

/**
 * keyv deserializer. An undecodable entry is reported through `onCorrupt` and read as a miss, so one bad
 * entry does not fail a whole `getMany` batch.
 */
export function makeDeserializer(onCorrupt: (reason: string) => void): <Value>(text: string) => DeserializedData<Value> | undefined {
  return <Value>(text: string): DeserializedData<Value> | undefined => {
    let data: unknown;
    try {
      data = unpackr.unpack(Buffer.from(text, 'base64'));
    } catch (err) {
      onCorrupt(`undecodable entry: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    if (typeof data !== 'object' || data === null || !('value' in data)) {
      onCorrupt('entry is not a {value, expires} envelope');
      return undefined;
    }
    return data as DeserializedData<Value>;
  };
}

/** The raw bytes a byte-oriented store keeps for an entry's text. */
export function entryBytes(text: string): Buffer {
  return Buffer.from(text, 'base64');
}

/**
 * The entry text for bytes kept by a byte-oriented store. Goes by `length`, not `byteLength`: lmdb's reusable
 * read buffer is larger than the value it holds.
 */
export function entryText(bytes: Buffer): string {
  return bytes.toString('base64', 0, bytes.length);
}
