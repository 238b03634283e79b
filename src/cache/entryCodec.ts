// How a cache entry crosses keyv. keyv wraps each value as `{value, expires}`; a store gets that envelope either as
// base64 text of the project's msgpack encoding (any keyv store: the Redis tier) or as it is (the local lmdb store,
// with keyv's serialization off). Either way the bytes a byte store keeps are the msgpack of the envelope.
import type { DeserializedData } from 'keyv';

import { messageOf } from '../util/errors.js';
import { packr } from '../util/packr.js';
import { unpackr } from '../util/unpackr.js';

/*
 * Why text for other stores: keyv 5 hands a store's non-string result back as if it were already `{value, expires}`,
 * so a store that returned bytes would lose every entry. Why base64 rather than latin1: it is plain ASCII, which any
 * keyv store keeps intact (a SQL TEXT column rejects NUL, Redis would double every byte >= 0x80 as UTF-8), and Node
 * converts it faster than latin1.
 *
 * Why the envelope itself for lmdb: the text costs a base64 encoding and decoding of every entry written or read,
 * which the store undid at once to keep bytes. keyv documents turning serialization off (`serialize` and
 * `deserialize` undefined): the store then gets and returns the envelope object.
 *
 * Why msgpack via util/packr: JSON (keyv's default) and msgpackr's defaults both mangle typed arrays; the shared
 * Packr has `moreTypes`, so Float32Array, BigInt64Array, Buffer... come back as themselves.
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
  return <Value>(text: string): DeserializedData<Value> | undefined =>
    decodeEnvelope(Buffer.from(text, 'base64'), onCorrupt, false) as DeserializedData<Value> | undefined;
}

/**
 * The envelope kept as `bytes`, or undefined (reported through `onCorrupt`) when they do not decode to one. With
 * `copy`, a value that is bytes is copied out of `bytes`, which may then be reused (lmdb's read buffer is, by the next
 * read); without, it is a view of them.
 */
export function decodeEnvelope(bytes: Uint8Array, onCorrupt: (reason: string) => void, copy: boolean): Envelope | undefined {
  let data: unknown;
  try {
    data = unpackr.unpack(bytes);
  } catch (err) {
    onCorrupt(`undecodable entry: ${messageOf(err)}`);
    return undefined;
  }
  if (typeof data !== 'object' || data === null || !('value' in data)) {
    onCorrupt('entry is not a {value, expires} envelope');
    return undefined;
  }
  const { value, expires } = data as Envelope;
  return { value: copy && value instanceof Uint8Array ? Buffer.from(value) : value, expires };
}

/**
 * The bytes a byte store keeps for an envelope, in a buffer of their own: lmdb reads a value's memory when it
 * commits, after msgpackr has reused its buffer for the next entry.
 */
export function encodeEnvelope(data: Envelope): Buffer {
  return Buffer.from(packr.pack(data));
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
