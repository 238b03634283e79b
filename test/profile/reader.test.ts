// Specification of reading span files: one pass, torn and foreign lines skipped and counted by reason,
// the default profile with its rotated files found oldest first.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultProfileFiles, readSpans } from '../../src/profile/reader.js';
import type { SpanLine } from '../../src/profile/spanLine.js';
import { QuarryError } from '../../src/util/errors.js';
import { REPO, tempDir } from '../helpers.js';

const fx = (p: string) => join(REPO, 'fixtures', 'profile', p);

describe('readSpans', () => {
  it('reads every span line of a clean file, in order', async () => {
    const names: string[] = [];
    const stats = await readSpans([fx('basic/profile.jsonl')], (s) => names.push(s.name));
    expect(names).toEqual(['load', 'rank', 'rank', 'query', 'search', 'load', 'load', 'index']);
    expect(stats).toMatchObject({ lines: 8, spans: 8, skipped: { torn: 0, notJson: 0, notSpan: 0 } });
  });

  it('skips torn lines, non-JSON lines and JSON that is not a span, counting each reason; blank lines are not counted', async () => {
    const spans: SpanLine[] = [];
    const stats = await readSpans([fx('garbage/profile.jsonl')], (s) => spans.push(s));
    expect(spans.map((s) => s.name)).toEqual(['load', 'rank', 'search']);
    expect(stats.skipped).toEqual({ torn: 2, notJson: 1, notSpan: 2 });
    expect(stats.lines).toBe(8);
  });

  it('reads a last line without a newline when it is whole', async () => {
    const f = join(tempDir(), 'p.jsonl');
    const line = JSON.stringify({
      v: 1,
      run: 'r',
      cmd: 'c',
      span: '0:1',
      parent: null,
      name: 'x',
      start_us: 0,
      dur_us: 5,
      status: 'ok',
      rss: 1,
      attrs: {},
    });
    writeFileSync(f, `${line}\n${line}`);
    const stats = await readSpans([f], () => {});
    expect(stats.spans).toBe(2);
  });

  it('reads lines split across stream chunks whole', async () => {
    const f = join(tempDir(), 'big.jsonl');
    const line = (i: number) =>
      JSON.stringify({
        v: 1,
        run: 'r',
        cmd: 'c',
        span: `0:${i}`,
        parent: null,
        name: 'x'.repeat(1 + (i % 50)),
        start_us: i,
        dur_us: i,
        status: 'ok',
        rss: 1,
        attrs: {},
      });
    const n = 30_000; // several MiB: many 1 MiB chunks, lines straddling their edges
    writeFileSync(f, `${Array.from({ length: n }, (_, i) => line(i)).join('\n')}\n`);
    let sum = 0;
    const stats = await readSpans([f], (s) => (sum += s.dur_us));
    expect(stats.spans).toBe(n);
    expect(stats.skipped).toEqual({ torn: 0, notJson: 0, notSpan: 0 });
    expect(sum).toBe((n * (n - 1)) / 2);
  });

  it('fails with exit code 2 naming a missing file', async () => {
    const missing = join(tempDir(), 'nope.jsonl');
    const err = await readSpans([missing], () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuarryError);
    expect((err as QuarryError).exitCode).toBe(2);
    expect((err as QuarryError).message).toContain(missing);
  });
});

describe('defaultProfileFiles', () => {
  it('is .quarry/profile.jsonl under the root with its rotated files, oldest first', () => {
    const root = tempDir();
    mkdirSync(join(root, '.quarry'));
    for (const n of ['profile.jsonl', 'profile.1.jsonl', 'profile.2.jsonl', 'profile.x.jsonl']) writeFileSync(join(root, '.quarry', n), '');
    expect(defaultProfileFiles(root)).toEqual(['profile.2.jsonl', 'profile.1.jsonl', 'profile.jsonl'].map((n) => join(root, '.quarry', n)));
    expect(defaultProfileFiles(tempDir())).toEqual([]);
  });
});
