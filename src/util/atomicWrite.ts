// Whole-file writes that a crash cannot tear: a temp file beside the target (`<path>.tmp-<pid>-<n>`, which
// index/tempFiles.ts recognises when its writer died), fsynced, renamed over the target, and the directory fsynced
// so the rename itself survives a power cut. A reader sees the old file or the new one, never a mix. Used for the
// index, train's checkpoints and model, and bench baselines.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync, writevSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

let serial = 0;

function tempName(path: string): string {
  return `${path}.tmp-${process.pid}-${(serial++).toString(36)}`;
}

/** Writes `data` (bytes, text, or chunks written in order) to `path` atomically. Throws the fs error as it came. */
export function writeFileAtomicSync(path: string, data: Uint8Array | string | readonly Uint8Array[]): void {
  const chunks = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
  const tmp = tempName(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    writeAll(fd, chunks);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already renamed
    }
    throw err;
  }
  syncDir(dirname(path));
}

/** Most buffers one writev takes (Linux's IOV_MAX). */
const IOV_MAX = 1024;

/** Writes `chunks` in order, many per system call (an index update's sections are thousands of chunks). */
function writeAll(fd: number, chunks: readonly Uint8Array[]): void {
  for (let i = 0; i < chunks.length;) {
    const batch = chunks.slice(i, i + IOV_MAX);
    let written = writevSync(fd, batch);
    i += batch.length;
    // A short write: finish the batch chunk by chunk from where it stopped.
    for (const bytes of batch) {
      if (written >= bytes.length) {
        written -= bytes.length;
        continue;
      }
      let done = written;
      written = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    }
  }
}

/** writeFileAtomicSync without blocking the event loop (train's background checkpoints). */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = tempName(path);
  const fh = await open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
  } catch (err) {
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  }
  syncDir(dirname(path));
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
