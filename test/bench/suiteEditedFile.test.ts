// The incremental job's edited file: every edit changes the content, and the file comes back byte for byte with
// its mtime to the nanosecond, after success, after an error, and through the interrupt cleanups.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EDIT_MARKER, withEditedFile } from '../../src/bench/suiteEditedFile.js';
import { runCleanups } from '../../src/util/cleanup.js';
import { QuarryError } from '../../src/util/errors.js';
import { tempDir } from '../helpers.js';

/** A file with the mtime writing it gave, nanoseconds and all (what cp -p keeps and Node's utimes could not). */
function sourceFile(): { path: string; content: string; mtimeNs: bigint; backupDir: string } {
  const dir = tempDir();
  const path = join(dir, 'debounce.js');
  const content = 'function debounce(fn) {\n  return fn;\n}\n';
  writeFileSync(path, content);
  return { path, content, mtimeNs: statSync(path, { bigint: true }).mtimeNs, backupDir: tempDir() };
}

describe('withEditedFile', () => {
  it('edits with fresh content each time and restores content and mtime after success', async () => {
    const f = sourceFile();
    const seen = new Set<string>();
    await withEditedFile(f.path, f.backupDir, async (file) => {
      for (let i = 0; i < 3; i++) {
        file.edit();
        const now = readFileSync(f.path, 'utf8');
        expect(now.startsWith(f.content)).toBe(true);
        expect(now).toContain(EDIT_MARKER);
        seen.add(now);
      }
    });
    expect(seen.size).toBe(3);
    expect(readFileSync(f.path, 'utf8')).toBe(f.content);
    expect(statSync(f.path, { bigint: true }).mtimeNs).toBe(f.mtimeNs);
  });

  it('restores content and mtime when the work fails, and passes the error on', async () => {
    const f = sourceFile();
    await expect(
      withEditedFile(f.path, f.backupDir, async (file) => {
        file.edit();
        throw new Error('the benchmark failed');
      }),
    ).rejects.toThrow('the benchmark failed');
    expect(readFileSync(f.path, 'utf8')).toBe(f.content);
    expect(statSync(f.path, { bigint: true }).mtimeNs).toBe(f.mtimeNs);
  });

  it('restores through the cleanups main.ts runs on SIGINT', async () => {
    const f = sourceFile();
    let release: () => void = () => {};
    const running = withEditedFile(f.path, f.backupDir, (file) => {
      file.edit();
      return new Promise<void>((r) => (release = r));
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(readFileSync(f.path, 'utf8')).not.toBe(f.content);
    runCleanups();
    expect(readFileSync(f.path, 'utf8')).toBe(f.content);
    expect(statSync(f.path, { bigint: true }).mtimeNs).toBe(f.mtimeNs);
    release();
    await running;
  });

  it('refuses a file that ends with an edit left by an interrupted run', async () => {
    const f = sourceFile();
    writeFileSync(f.path, `${f.content}\n${EDIT_MARKER}123\n`);
    const err = await withEditedFile(f.path, f.backupDir, async () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuarryError);
    expect((err as QuarryError).message).toContain(f.path);
  });
});
