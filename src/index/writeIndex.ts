// Writes an index atomically: a temp file in the same directory, fsynced, renamed over the old one, so a crash
// at any moment leaves either the old index or the new one.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { packr } from '../util/packr.js';
import { QuarryError, errnoCode, messageOf } from '../util/errors.js';
import { INDEX_MAGIC, type IndexHeader, type SectionTable } from './format.js';

export function writeIndexFile(path: string, header: Omit<IndexHeader, 'sections'>, sections: [string, Uint8Array][]): number {
  const table: SectionTable = {};
  let offset = 0;
  for (const [name, bytes] of sections) {
    table[name] = [offset, bytes.length];
    offset += bytes.length;
  }
  const headerBytes = packr.pack({ ...header, sections: table });
  const prefix = Buffer.alloc(12);
  prefix.write(INDEX_MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(headerBytes.length, 8);

  const tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    writeAll(fd, prefix);
    writeAll(fd, headerBytes);
    for (const [, bytes] of sections) writeAll(fd, bytes);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
    syncDir(dirname(path));
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // never created
    }
    const code = errnoCode(err);
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') {
      throw new QuarryError('no-space', `no space left to write ${path}; the old index is intact`, { cause: err });
    }
    throw new QuarryError('bad-input', `cannot write ${path}: ${messageOf(err)}`, { cause: err });
  }
  return 12 + headerBytes.length + offset;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  }
}
