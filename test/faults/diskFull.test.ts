// Fault suite: the disk fills up while the index is written. quarry exits 2 with "no space", the old index is
// intact (same bytes), no temp file is left, and the next run, with room again, succeeds. The tree lives on a small
// tmpfs mounted for the test (needs root; skipped with a message where mounting is not allowed).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { envFor, hasStack, run } from './faults.js';

const mount = tempDir('quarry-fault-tmpfs-');
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mount], { stdio: 'ignore' });
  mounted = true;
} catch {
  // not root, or no mount in this container
}

afterAll(() => {
  if (mounted) execFileSync('umount', [mount]);
});

describe('fault: disk full', () => {
  it.skipIf(!mounted)('index on a full disk exits 2 with "no space" and keeps the old index', { timeout: 120_000 }, async () => {
    const root = join(mount, 'tree');
    mkdirSync(join(root, 'src'), { recursive: true });
    for (let i = 0; i < 60; i++)
      writeFileSync(
        join(root, 'src', `m${i}.ts`),
        `/** Module ${i}. */\nexport function handler${i}(x: number) { return x + ${i}; }\n`.repeat(20),
      );
    // The profile is on (its default file is on the full disk too): a failed profile write must not matter either.
    const env = envFor(tempDir(), { QUARRY_PROFILE: undefined });
    const first = await run(['index'], { cwd: root, env });
    expect(first.code).toBe(0);
    const before = readFileSync(join(root, '.quarry', 'index.msgpack'));
    // Fill the rest of the disk, then change the tree so that the index must be rewritten.
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${join(mount, 'filler')}`, 'bs=64k'], { stdio: 'ignore' });
    } catch {
      // dd stops with "No space left on device": that is the point
    }
    writeFileSync(join(root, 'src', 'm0.ts'), 'export const changed = 1;\n');
    const full = await run(['index', '--force'], { cwd: root, env, limitMs: 60_000 });
    expect(full.code).toBe(2);
    expect(full.stderr).toMatch(/no space/i);
    expect(hasStack(full.stderr)).toBe(false);
    expect(readFileSync(join(root, '.quarry', 'index.msgpack')).equals(before)).toBe(true);
    expect(readdirSync(join(root, '.quarry')).filter((n) => n.includes('.tmp-') || n.endsWith('.lock'))).toEqual([]);
    const search = await run(['search', 'handler5', '--files'], { cwd: root, env });
    expect(search.code).toBe(0);
    rmSync(join(mount, 'filler'));
    const again = await run(['index'], { cwd: root, env });
    expect(again.code).toBe(0);
    expect(existsSync(join(root, '.quarry', 'index.msgpack'))).toBe(true);
  });

  it.runIf(!mounted)('is skipped: a tmpfs cannot be mounted here (not root, or no mount permission)', () => {
    console.warn('fault suite: disk-full scenario skipped: cannot mount a tmpfs here');
    expect(mounted).toBe(false);
  });
});
