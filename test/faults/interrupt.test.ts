// Fault suite: Ctrl-C in the middle of index, scan, train and bench. Each exits 130, its profile lines are whole
// JSON and include the interrupted root span, the index lock is released and the old index is intact; an
// interrupted train leaves a checkpoint that `train --resume` continues from.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { signalWhenExists, tempDir } from '../helpers.js';
import { envFor, hasStack, makeTree, run, type Run } from './faults.js';

let root: string;
let indexBytes: Buffer;

beforeAll(async () => {
  root = makeTree(1500, 30);
  expect((await run(['index'], { cwd: root, env: envFor(root) })).code).toBe(0);
  indexBytes = readFileSync(join(root, '.quarry', 'index.msgpack'));
}, 300_000);

/**
 * Runs `args` with its profile in a file of its own, and sends SIGINT `afterMs` after the command opened that file
 * (its profile starts once the command's options are parsed; see signalWhenExists).
 */
async function interrupted(args: string[], afterMs: number): Promise<Run & { profile: string[] }> {
  const profile = join(tempDir(), 'profile.jsonl');
  const r = await run(args, {
    cwd: root,
    env: envFor(root, { QUARRY_PROFILE: profile }),
    limitMs: 120_000,
    onSpawn: (child) => signalWhenExists(child, profile, afterMs),
  });
  const lines = existsSync(profile) ? readFileSync(profile, 'utf8').split('\n').filter(Boolean) : [];
  return { ...r, profile: lines };
}

/** Every line whole JSON, and the root span of the interrupted command marked with the signal. */
function checkProfile(lines: string[], cmd: string): void {
  expect(lines.length).toBeGreaterThan(0);
  const spans = lines.map((l) => JSON.parse(l) as { cmd: string; parent: string | null; status: string; err?: string });
  expect(spans.some((s) => s.cmd === cmd && s.parent === null && s.status === 'error' && /SIGINT/.test(s.err ?? ''))).toBe(true);
}

describe('fault: SIGINT mid-run', () => {
  it('index: exit 130, profile whole, lock released, old index intact', { timeout: 180_000 }, async () => {
    const r = await interrupted(['index', '--force', '--no-cache', '--workers', '1'], 1000);
    expect(r.code).toBe(130);
    expect(hasStack(r.stderr)).toBe(false);
    checkProfile(r.profile, 'index');
    expect(existsSync(join(root, '.quarry', 'index.msgpack.lock'))).toBe(false);
    expect(readFileSync(join(root, '.quarry', 'index.msgpack')).equals(indexBytes)).toBe(true);
  });

  it('scan: exit 130, profile whole', { timeout: 180_000 }, async () => {
    // The scan's root span takes ~1.1 s here (2026-12-03): SIGINT 0.3 s into it lands while its files are parsed.
    const r = await interrupted(['scan', '.', '--no-cache', '--summary'], 300);
    expect(r.code).toBe(130);
    expect(hasStack(r.stderr)).toBe(false);
    checkProfile(r.profile, 'scan');
  });

  it('bench: exit 130 with the runs so far, profile whole', { timeout: 180_000 }, async () => {
    const r = await interrupted(['bench', '--runs', '200', '--', 'sleep 0.05'], 1500);
    expect(r.code).toBe(130);
    expect(hasStack(r.stderr)).toBe(false);
    expect(r.stdout + r.stderr).toMatch(/sleep 0\.05/);
    checkProfile(r.profile, 'bench');
  });

  it('train: exit 130 with a checkpoint, and --resume finishes', { timeout: 300_000 }, async () => {
    const r = await interrupted(['train', '--epochs', '120', '--checkpoint-every', '5'], 2500);
    expect(r.code).toBe(130);
    expect(hasStack(r.stderr)).toBe(false);
    checkProfile(r.profile, 'train');
    expect(existsSync(join(root, '.quarry', 'train-checkpoint.msgpack'))).toBe(true);
    const resumed = await run(['train', '--epochs', '120', '--checkpoint-every', '5', '--resume', '--json'], {
      cwd: root,
      env: envFor(root),
      limitMs: 280_000,
    });
    // 0: a model saved; 2 is reserved for bad input, which a resumable checkpoint is not.
    expect(resumed.code).toBe(0);
    expect((JSON.parse(resumed.stdout) as { ok: boolean }).ok).toBe(true);
  });
});
