// A sanity check of an LMDB data file before lmdb-js maps it: lmdb-js 3.x kills the process (SIGSEGV or
// SIGBUS) on a damaged file instead of returning MDB_INVALID, so a broken cache would crash every command.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/*
 * Layout of lmdb-js 3's LMDB (data format 2, mdb.master3), little-endian. Pages 0 and 1 are the two meta
 * pages; LMDB uses the one with the higher txnid. Offsets are from the start of a page:
 *   page header: 0x00 pgno u64, 0x08 txnid u64, 0x12 flags u16 (P_BRANCH 1, P_LEAF 2, P_META 8, P_LEAF2 0x20)
 *   meta:        0x18 magic u32, 0x1c version u32, 0x30 FREE_DBI.md_pad u32 (= page size),
 *                0x58 FREE_DBI.md_root u64, 0x88 MAIN_DBI.md_root u64, 0x90 last_pg u64, 0x98 txnid u64
 * This catches garbage written over the file, truncation and garbage over the tree roots; damage deeper in
 * the tree can still crash a read, which only a checksumming store could prevent.
 */
const MAGIC = 0xbeefc0de;
const DATA_VERSION = 2;
const P_BRANCH = 0x01;
const P_LEAF = 0x02;
const P_META = 0x08;
const P_LEAF2 = 0x20;
const P_INVALID = 0xffff_ffff_ffff_ffffn;
const MIN_PAGE = 512;
const MAX_PAGE = 65536;

/** Why the LMDB data file at `path` looks damaged, or `undefined` if it looks sound (or is empty: lmdb initializes it). */
export function lmdbDataFileDamage(path: string): string | undefined {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return undefined;
    const head = readAt(fd, 0, Math.min(size, 2 * MAX_PAGE));
    if (head.length < 0xa0 || head.readUInt32LE(0x18) !== MAGIC) return 'not an LMDB file';
    const pageSize = head.readUInt32LE(0x30);
    if (pageSize < MIN_PAGE || pageSize > MAX_PAGE || (pageSize & (pageSize - 1)) !== 0) return `implausible page size ${pageSize}`;
    if (size < 2 * pageSize) return 'truncated data file';

    const metas = [0, 1].map((pgno) => head.subarray(pgno * pageSize, (pgno + 1) * pageSize));
    for (const [pgno, meta] of metas.entries()) {
      if (meta.readBigUInt64LE(0) !== BigInt(pgno) || (meta.readUInt16LE(0x12) & P_META) === 0) return `meta page ${pgno} is damaged`;
      if (meta.readUInt32LE(0x18) !== MAGIC) return `meta page ${pgno} is damaged`;
      const version = meta.readUInt32LE(0x1c);
      if (version !== DATA_VERSION) return `unsupported LMDB data version ${version}`;
    }
    const [m0, m1] = metas as [Buffer, Buffer];
    const newest = m1.readBigUInt64LE(0x98) > m0.readBigUInt64LE(0x98) ? m1 : m0;
    const pages = BigInt(Math.floor(size / pageSize));
    const lastPage = newest.readBigUInt64LE(0x90);
    if (lastPage >= pages) return 'truncated data file';
    for (const rootOffset of [0x58, 0x88]) {
      const root = newest.readBigUInt64LE(rootOffset);
      if (root === P_INVALID) continue;
      if (root < 2n || root > lastPage) return 'tree root out of range';
      const page = readAt(fd, Number(root) * pageSize, 0x18);
      const flags = page.length === 0x18 ? page.readUInt16LE(0x12) : 0;
      if (page.length < 0x18 || page.readBigUInt64LE(0) !== root || (flags & (P_BRANCH | P_LEAF | P_LEAF2)) === 0)
        return `tree root page ${root} is damaged`;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Up to `length` bytes at `position` (fewer at the end of the file). */
function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}
