// Writes an index atomically (util/atomicWrite.ts: temp file, fsync, rename), so a crash at any moment leaves either
// the old index or the new one.
import { writeFileAtomicSync } from '../util/atomicWrite.js';
import { packr } from '../util/packr.js';
import { QuarryError, errnoCode, messageOf } from '../util/errors.js';
import { INDEX_MAGIC, type IndexHeader, type SectionTable } from './format.js';

/** Writes the header and `sections` (each one buffer, or chunks written one after another); returns the file size. */
export function writeIndexFile(
  path: string,
  header: Omit<IndexHeader, 'sections'>,
  sections: [string, Uint8Array | readonly Uint8Array[]][],
): number {
  const table: SectionTable = {};
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, bytes] of sections) {
    const parts = bytes instanceof Uint8Array ? [bytes] : bytes;
    let length = 0;
    for (const part of parts) {
      chunks.push(part);
      length += part.length;
    }
    table[name] = [offset, length];
    offset += length;
  }
  const headerBytes = packr.pack({ ...header, sections: table });
  const prefix = Buffer.alloc(12);
  prefix.write(INDEX_MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(headerBytes.length, 8);

  try {
    writeFileAtomicSync(path, [prefix, headerBytes, ...chunks]);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') {
      throw new QuarryError('no-space', `no space left to write ${path}; the old index is intact`, { cause: err });
    }
    throw new QuarryError('bad-input', `cannot write ${path}: ${messageOf(err)}`, { cause: err });
  }
  return 12 + headerBytes.length + offset;
}
