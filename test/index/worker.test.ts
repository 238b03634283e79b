import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import runTask from '../../src/index/worker.js';
import { forgetJob } from '../../src/index/analyzeBatch.js';

import { DEFAULT_SKIP_RULES } from '../../src/index/skipRules.js';
import { BIN, readableAs, tempDir } from '../helpers.js';

/** A batch of `paths` under `root`, without cache or profile. */
const task = (root: string, paths: string[]) => ({ root, paths, rules: DEFAULT_SKIP_RULES, cacheDir: null, profile: null, job: 3001 });

describe('index worker', () => {
  it("numbers a job's terms on from its last batch, and afresh once the job is forgotten", async () => {
    const root = tempDir();
    writeFileSync(join(root, 'a.ts'), 'export const alphaThing = 1;\n');
    writeFileSync(join(root, 'b.ts'), 'export const betaThing = 2;\n');
    const job = { ...task(root, ['a.ts']), job: 4001 };
    const first = await runTask(job);
    expect(first.termBase).toBe(0);
    const second = await runTask({ ...job, paths: ['b.ts'] });
    expect(second.termBase).toBe(first.terms.length);
    forgetJob(4001);
    const again = await runTask({ ...job, paths: ['b.ts'] });
    expect(again.termBase).toBe(0);
    expect(again.terms.length).toBeGreaterThan(second.terms.length);
  });

  it("sends a file's refs and counts in arrays of their own length: counts 16-bit when they fit, 32-bit when not", async () => {
    const root = tempDir();
    writeFileSync(join(root, 'big.txt'), 'word\n'.repeat(70_000));
    writeFileSync(join(root, 'small.ts'), 'export function parseHttpResponse(word: string) { return word; }\n');
    const [big, small] = (await runTask({ ...task(root, ['big.txt', 'small.ts']), job: 4101 })).results.map((r) => {
      if (!r.ok) throw new Error(r.reason);
      return r.analysis;
    });
    expect(big!.tf).toBeInstanceOf(Uint32Array);
    expect(Math.max(...big!.tf)).toBe(70_000);
    expect(small!.tf).toBeInstanceOf(Uint16Array);
    for (const a of [big!, small!]) {
      expect(a.tf.length).toBe(a.refs.length * 4);
      expect(a.refs.byteLength).toBe(a.refs.buffer.byteLength);
      expect(a.tf.byteLength).toBe(a.tf.buffer.byteLength);
    }
    // The counts of a file that came after a larger one are its own (the scratch they are made in is reused).
    const [alone] = (await runTask({ ...task(root, ['small.ts']), job: 4102 })).results;
    expect(alone!.ok && [...alone.analysis.tf]).toEqual([...small!.tf]);
    forgetJob(4101);
    forgetJob(4102);
  });

  it('analyses every file of a batch larger than its read memory, batch after batch, each from its own bytes', async () => {
    const root = tempDir();
    // ~700 KB each: the batch outgrows the thread's first 1 MiB of read memory; a skipped file sits in between.
    const big = (name: string) => `${'// a filler line of a large source file\n'.repeat(18000)}export function ${name}() {}\n`;
    writeFileSync(join(root, 'a.js'), big('onlyInFileA'));
    writeFileSync(join(root, 'b.min.js'), `var x=${'1+'.repeat(20000)}1;\n`);
    writeFileSync(join(root, 'c.js'), big('onlyInFileC'));
    writeFileSync(join(root, 'd.js'), big('onlyInFileD'));
    const names = (r: Awaited<ReturnType<typeof runTask>>) =>
      r.results.map((f) => (f.ok ? f.analysis.symbols.map((s) => s.name).join() : f.reason));
    const first = await runTask(task(root, ['a.js', 'b.min.js', 'c.js']));
    expect(names(first)).toEqual(['onlyInFileA', 'minified', 'onlyInFileC']);
    const second = await runTask(task(root, ['d.js', 'a.js']));
    expect(names(second)).toEqual(['onlyInFileD', 'onlyInFileA']);
  });

  it('reports a file deleted between walk and read as vanished', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'here.ts'), 'export const here = 1;\n');
    const reply = await runTask(task(root, ['here.ts', 'gone.ts']));
    expect(reply.results[0]).toMatchObject({ ok: true });
    expect(reply.results[1]).toMatchObject({ ok: false, reason: 'vanished' });
  });

  it('reports a named pipe and a directory given as files as not-a-file, without blocking on the pipe', async () => {
    const root = tempDir();
    execFileSync('mkfifo', [join(root, 'pipe.js')]);
    mkdirSync(join(root, 'dir.js'));
    const reply = await runTask(task(root, ['pipe.js', 'dir.js']));
    expect(reply.results).toEqual([
      { ok: false, reason: 'not-a-file' },
      { ok: false, reason: 'not-a-file' },
    ]);
  });

  it('an unreadable file or directory is skipped and counted, not fatal (run as an unprivileged user)', async (ctx) => {
    const root = tempDir();
    chmodSync(root, 0o777);
    writeFileSync(join(root, 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(root, 'locked.ts'), 'export const b = 1;\n');
    chmodSync(join(root, 'locked.ts'), 0o000);
    mkdirSync(join(root, 'secret'));
    writeFileSync(join(root, 'secret', 'c.ts'), 'export const c = 1;\n');
    chmodSync(join(root, 'secret'), 0o000);
    // As root every file is readable, so the check runs the CLI as `nobody` when it can.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    if ('uid' in asNobody) {
      // The checkout itself must be readable by that user (it is under /work or /tmp, not under /root).
      if (!readableAs(65534, BIN)) {
        console.warn('skipped: the checkout is not readable by uid 65534, so no unprivileged run is possible here');
        ctx.skip();
      }
    }
    const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const c = spawn(process.execPath, [BIN, 'index', root, '--json', '--no-cache'], {
        ...asNobody,
        env: { ...process.env, QUARRY_PROFILE: 'off', HOME: root },
      });
      let out = '';
      let err = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.stderr.on('data', (d: Buffer) => (err += d.toString()));
      c.on('close', (code) => resolve({ code, out, err }));
    });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const data = (
      JSON.parse(r.out) as { data: { files: number; skipped: Record<string, number>; skippedFiles: { path: string; reason: string }[] } }
    ).data;
    expect(data.files).toBe(1);
    expect(data.skippedFiles).toEqual(
      expect.arrayContaining([
        { path: 'locked.ts', reason: 'unreadable' },
        { path: 'secret', reason: 'unreadable' },
      ]),
    );
  });
});
