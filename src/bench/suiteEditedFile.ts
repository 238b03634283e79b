// The file the suite's incremental-index job edits before each run, and puts back exactly as it was (content and
// mtime to the nanosecond, so that quarry's (size, mtime) check sees it unchanged) on every exit path.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addCleanup } from '../util/cleanup.js';
import { QuarryError } from '../util/errors.js';

/** The line appended by an edit; a file that ends with one was left by an interrupted run of an older tool. */
export const EDIT_MARKER = '// quarry-bench ';

export interface EditedFile {
  readonly path: string;
  /** Appends a comment with a fresh value to the original content: a new content hash every time. */
  edit(): void;
  /** Puts the original content and times back (a no-op when not edited since the last restore). */
  restore(): void;
}

/**
 * Runs `fn` with `path` editable, and restores the file when `fn` ends, fails, or the process is interrupted
 * (a cleanup that commands/main.ts runs on SIGINT/SIGTERM). The original is kept in memory and as a `cp -p` copy in
 * `backupDir`: Node's utimes takes a double of seconds, which cannot carry a nanosecond mtime; cp -p can.
 */
export async function withEditedFile<T>(path: string, backupDir: string, fn: (file: EditedFile) => Promise<T>): Promise<T> {
  const original = readFileSync(path);
  const stat = statSync(path);
  if (original.toString('latin1').trimEnd().split('\n').at(-1)?.startsWith(EDIT_MARKER))
    throw new QuarryError('bad-input', `${path} ends with a '${EDIT_MARKER.trim()}' line left by an interrupted benchmark`, {
      hint: 'remove that line (and the blank line before it) and run the suite again',
    });
  const backup = join(backupDir, 'edited-file.orig');
  const copied = spawnSync('cp', ['-p', path, backup], { stdio: 'ignore' }).status === 0;
  let edited = false;
  let n = 0;
  const file: EditedFile = {
    path,
    edit() {
      edited = true;
      writeFileSync(path, Buffer.concat([original, Buffer.from(`\n${EDIT_MARKER}${Date.now()}-${++n}\n`)]));
    },
    restore() {
      if (!edited) return;
      if (!copied || spawnSync('cp', ['-p', backup, path], { stdio: 'ignore' }).status !== 0) {
        // No cp: the content exactly, the times to the microsecond.
        writeFileSync(path, original);
        utimesSync(path, stat.atime, stat.mtime);
      }
      edited = false;
    },
  };
  const unregister = addCleanup(() => file.restore());
  try {
    return await fn(file);
  } finally {
    file.restore();
    unregister();
  }
}
