// Whole-file writes that a crash cannot tear: a temp file beside the target, fsynced, renamed over it
// (as index/writeIndex.ts does for the index). The async form never blocks the training loop.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';

let serial = 0;

function tempName(path: string): string {
  return `${path}.tmp-${process.pid}-${(serial++).toString(36)}`;
}

export function writeFileAtomicSync(path: string, bytes: Uint8Array): void {
  const tmp = tempName(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // never created
    }
    throw err;
  }
}

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
}
