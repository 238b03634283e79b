// Specification of the profiler: the span line shape, async and worker spans, and a sink that stays
// whole under SIGINT, concurrent writers and rotation. Real files, threads and processes; no mocks.
// Child and worker helpers import the built module, so run `npx tsc -p tsconfig.json` first.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initProfiler, isSpanLine, profiler, resolveProfileSink, rotatedFiles, type SpanLine } from '../../src/profile/profiler.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const built = join(here, '../../dist/src/profile/profiler.js');
let tmp = '';

beforeAll(() => {
  if (!existsSync(built)) throw new Error(`${built} is missing: build with \`npx tsc -p tsconfig.json\` first`);
  tmp = mkdtempSync(join(tmpdir(), 'quarry-profile-'));
});
afterAll(() => {
  initProfiler({ cmd: 'none', sink: null }); // close whatever a failed test left open
  rmSync(tmp, { recursive: true, force: true });
});

/** A fresh directory per test, so files from one never satisfy another. */
function dir(name: string): string {
  const d = join(tmp, name);
  rmSync(d, { recursive: true, force: true });
  return d;
}

/** Parses every line of a file, failing on any line that is not a span line. */
function readLines(file: string): SpanLine[] {
  const text = readFileSync(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((raw) => {
      const line: unknown = JSON.parse(raw);
      expect(isSpanLine(line), raw.slice(0, 200)).toBe(true);
      return line as SpanLine;
    });
}

function byName(lines: SpanLine[], name: string): SpanLine {
  const line = lines.find((l) => l.name === name);
  if (line === undefined) throw new Error(`no span named ${name}`);
  return line;
}

function node(script: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const childEnv = { ...process.env, ...env };
  if (!('QUARRY_PROFILE' in env)) delete childEnv.QUARRY_PROFILE;
  return spawn(process.execPath, [join(here, script), ...args], { env: childEnv, stdio: ['pipe', 'pipe', 'inherit'] });
}

function waitForLine(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.split('\n').includes(text)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before printing ${text}`)));
  });
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('profiler when off', () => {
  it('is a no-op before initProfiler', () => {
    const p = profiler();
    expect(p.enabled).toBe(false);
    expect(p.span('x', () => 42)).toBe(42);
  });

  it('with a null sink returns one shared no-op span and creates no file', () => {
    const d = dir('off');
    const p = initProfiler({ cmd: 'search', sink: null });
    expect(p.enabled).toBe(false);
    expect(p.start('a')).toBe(p.start('b'));
    expect(p.span('c', (s) => s)).toBe(p.root());
    expect(p.workerContext()).toBeNull();
    p.close();
    expect(existsSync(d)).toBe(false);
  });
});

describe('span lines', () => {
  it('have exactly the documented keys, link parents to children and carry t0 on the root', () => {
    const sink = join(dir('shape'), 'nested', 'profile.jsonl'); // parent directory is created
    const before = Date.now() * 1000;
    const p = initProfiler({ cmd: 'index', sink });
    expect(p.enabled).toBe(true);
    expect(p.run).toMatch(/^[0-9a-f]{16}$/);
    p.span('walk', (walk) => {
      walk.set('files', 3);
      walk.add('bytes', 10);
      walk.add('bytes', 5);
      p.span('read', (read) => read.set('cached', true), { kind: 'text' }, walk);
    });
    const manual = p.start('write', { n: 1 });
    manual.end();
    manual.end(new Error('ignored: end is idempotent'));
    const failing = () =>
      p.span('parse', () => {
        throw new Error('bad syntax');
      });
    expect(failing).toThrow('bad syntax');
    p.start('load').end('not an Error');
    p.close();
    const lines = readLines(sink);
    const keys = ['v', 'run', 'cmd', 'span', 'parent', 'name', 'start_us', 'dur_us', 'status', 'rss', 'attrs'];
    for (const line of lines) {
      const expected = [...keys];
      if (line.status === 'error') expected.push('err');
      if (line.parent === null) expected.push('t0');
      expect(Object.keys(line).sort()).toEqual(expected.sort());
      expect(line.v).toBe(1);
      expect(line.run).toBe(p.run);
      expect(line.cmd).toBe('index');
      expect(line.dur_us).toBeGreaterThanOrEqual(0);
      expect(line.start_us).toBeGreaterThanOrEqual(0);
      expect(line.rss).toBeGreaterThan(0);
    }
    expect(lines.map((l) => l.name).sort()).toEqual(['index', 'load', 'parse', 'read', 'walk', 'write']);
    expect(new Set(lines.map((l) => l.span)).size).toBe(lines.length);

    const root = byName(lines, 'index');
    expect(root.parent).toBeNull();
    expect(root.start_us).toBe(0);
    expect(root.t0).toBeGreaterThanOrEqual(before);
    expect(root.t0).toBeLessThanOrEqual(Date.now() * 1000);
    const walk = byName(lines, 'walk');
    expect(walk.parent).toBe(root.span);
    expect(walk.attrs).toEqual({ files: 3, bytes: 15 });
    const read = byName(lines, 'read');
    expect(read.parent).toBe(walk.span);
    expect(read.attrs).toEqual({ kind: 'text', cached: true });
    expect(read.start_us).toBeGreaterThanOrEqual(walk.start_us);
    expect(read.start_us + read.dur_us).toBeLessThanOrEqual(walk.start_us + walk.dur_us);
    expect(byName(lines, 'write')).toMatchObject({ status: 'ok', attrs: { n: 1 } });
    expect(byName(lines, 'parse')).toMatchObject({ status: 'error', err: 'bad syntax', attrs: {} });
    expect(byName(lines, 'load')).toMatchObject({ status: 'error', err: 'not an Error' });
    for (const line of lines) expect(line.start_us + line.dur_us).toBeLessThanOrEqual(root.dur_us);
  });

  it('are buffered until flushSync and written whole', () => {
    const sink = join(dir('flush'), 'profile.jsonl');
    const p = initProfiler({ cmd: 'scan', sink });
    p.span('one', () => undefined);
    expect(readFileSync(sink, 'utf8')).toBe('');
    p.flushSync();
    expect(readLines(sink).map((l) => l.name)).toEqual(['one']);
    p.close('error', 'interrupted');
    expect(byName(readLines(sink), 'scan')).toMatchObject({ status: 'error', err: 'interrupted' });
    expect(p.enabled).toBe(false);
  });

  it('keep attributes JSON-safe', () => {
    const sink = join(dir('attrs'), 'profile.jsonl');
    const p = initProfiler({ cmd: 'scan', sink });
    p.span('odd', (s) => {
      s.set('nan', Number.NaN);
      s.set('__proto__', 1);
      s.set('long', 'y'.repeat(100_000));
    });
    p.close();
    const odd = byName(readLines(sink), 'odd');
    expect(odd.attrs.nan).toBe('NaN');
    expect(Object.keys(odd.attrs)).toContain('__proto__');
    expect(String(odd.attrs.long).length).toBeLessThan(2000);
  });
});

describe('async spans', () => {
  it('end when the promise settles, and record a rejection before rethrowing it', async () => {
    const sink = join(dir('async'), 'profile.jsonl');
    const p = initProfiler({ cmd: 'search', sink });
    const value = await p.span('query', async (s) => {
      await sleep(30);
      s.set('hits', 2);
      return 'done';
    });
    expect(value).toBe('done');
    await expect(
      p.span('rank', async () => {
        await sleep(5);
        throw new Error('model unreadable');
      }),
    ).rejects.toThrow('model unreadable');
    p.close();
    const lines = readLines(sink);
    const query = byName(lines, 'query');
    expect(query).toMatchObject({ status: 'ok', attrs: { hits: 2 } });
    expect(query.dur_us).toBeGreaterThanOrEqual(25_000);
    const rank = byName(lines, 'rank');
    expect(rank).toMatchObject({ status: 'error', err: 'model unreadable' });
    expect(rank.start_us).toBeGreaterThanOrEqual(query.start_us + query.dur_us);
  });
});

describe('worker threads', () => {
  it('record spans under the main run with distinct ids on the same clock', async () => {
    const sink = join(dir('worker'), 'profile.jsonl');
    const p = initProfiler({ cmd: 'index', sink });
    const dispatch = p.start('dispatch');
    const ctx = p.workerContext(dispatch);
    expect(JSON.parse(JSON.stringify(ctx))).toEqual(ctx); // plain data
    const workers = [0, 1].map(() => new Worker(new URL('./worker-spans.mjs', import.meta.url), { workerData: ctx }));
    const threadIds = workers.map((w) => w.threadId);
    const batches = await Promise.all(
      workers.map(
        (w) =>
          new Promise<SpanLine[]>((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
          }),
      ),
    );
    await Promise.all(workers.map((w) => w.terminate()));
    for (const batch of batches) p.ingest(batch);
    dispatch.end();
    p.close();

    const lines = readLines(sink);
    expect(lines).toHaveLength(2 + 2 * 4);
    expect(new Set(lines.map((l) => l.span)).size).toBe(lines.length);
    const root = byName(lines, 'index');
    const dispatched = byName(lines, 'dispatch');
    for (const tid of threadIds) {
      const mine = lines.filter((l) => l.span.startsWith(`${tid}:`));
      expect(mine.map((l) => l.name).sort()).toEqual(['fails', 'parse', 'task', 'tokenize']);
      const task = mine.find((l) => l.name === 'task');
      expect(task?.parent).toBe(dispatched.span);
      expect(mine.find((l) => l.name === 'parse')).toMatchObject({ parent: task?.span, attrs: { files: 3 } });
      expect(mine.find((l) => l.name === 'tokenize')).toMatchObject({ parent: task?.span, attrs: { terms: 3 } });
      expect(mine.find((l) => l.name === 'fails')).toMatchObject({ parent: dispatched.span, status: 'error', err: 'worker boom' });
      expect(task?.dur_us).toBeGreaterThanOrEqual(4_000);
    }
    for (const line of lines) {
      expect(line.run).toBe(p.run);
      expect(line.start_us).toBeGreaterThanOrEqual(0);
      expect(line.start_us + line.dur_us).toBeLessThanOrEqual(root.dur_us);
      if (line.parent === dispatched.span) {
        expect(line.start_us).toBeGreaterThanOrEqual(dispatched.start_us);
        expect(line.start_us + line.dur_us).toBeLessThanOrEqual(dispatched.start_us + dispatched.dur_us);
      }
    }
  });
});

describe('sink', () => {
  it('keeps every line whole when the process is interrupted with SIGINT', async () => {
    const sink = join(dir('sigint'), 'profile.jsonl');
    const child = node('child-spans.mjs', [sink]);
    const exited = exitCode(child);
    await waitForLine(child, 'ready');
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const lines = readLines(sink);
    expect(lines.length).toBeGreaterThan(0);
    expect(new Set(lines.map((l) => l.run)).size).toBe(1);
    // The exit hook ends the unclosed root, so the run keeps its t0.
    expect(lines.at(-1)).toMatchObject({ name: 'child-spans', parent: null, status: 'error' });
    expect(lines.some((l) => l.name === 'loop')).toBe(false);
  });

  it('keeps lines whole and separate when two processes append to one file at once', async () => {
    const sink = join(dir('append'), 'profile.jsonl');
    const count = 20_000;
    const children = ['a', 'b'].map((tag) => node('child-append.mjs', [sink, String(count), tag]));
    const exits = children.map(exitCode);
    await Promise.all(children.map((c) => waitForLine(c, 'ready')));
    for (const c of children) c.stdin?.end('go\n');
    expect(await Promise.all(exits)).toEqual([0, 0]);

    const lines = readLines(sink);
    expect(lines).toHaveLength(2 * (count + 1));
    // The runs really overlapped: their chunks alternate in the file.
    const switches = lines.filter((l, i) => i > 0 && l.cmd !== lines[i - 1]?.cmd).length;
    expect(switches).toBeGreaterThan(1);
    for (const tag of ['a', 'b']) {
      const mine = lines.filter((l) => l.cmd === `append-${tag}`);
      const spans = mine.filter((l) => l.name === 'append');
      expect(spans).toHaveLength(count);
      expect(spans.every((l) => l.attrs.pad === tag.repeat(200))).toBe(true);
      expect(new Set(spans.map((l) => l.attrs.i)).size).toBe(count);
      expect(new Set(mine.map((l) => l.run)).size).toBe(1);
    }
  });

  it('is off with QUARRY_PROFILE=off, and a run then creates no file', async () => {
    expect(resolveProfileSink({ env: 'off', defaultPath: '/x/profile.jsonl' })).toBeNull();
    expect(resolveProfileSink({ flag: 'f.jsonl', env: 'off', defaultPath: null })).toBe('f.jsonl');
    expect(resolveProfileSink({ env: 'e.jsonl', defaultPath: '/x/profile.jsonl' })).toBe('e.jsonl');
    expect(resolveProfileSink({ env: '', defaultPath: '/x/profile.jsonl' })).toBe('/x/profile.jsonl');
    expect(resolveProfileSink({ defaultPath: null })).toBeNull();

    const d = dir('env-off');
    const child = node('child-append.mjs', [join(d, 'profile.jsonl'), '100', 'c'], { QUARRY_PROFILE: 'off' });
    const exited = exitCode(child);
    await waitForLine(child, 'ready');
    child.stdin?.end('go\n');
    expect(await exited).toBe(0);
    expect(existsSync(d)).toBe(false);
  });

  it('rotates at maxBytes, keeping at most `keep` files, listed oldest first', () => {
    const d = dir('rotate');
    const sink = join(d, 'profile.jsonl');
    const p = initProfiler({ cmd: 'index', sink, maxBytes: 16 * 1024, keep: 2, bufferBytes: 4096 });
    for (let i = 0; i < 2000; i++) p.span('step', (s) => s.set('i', i), { pad: 'z'.repeat(100) });
    p.close();

    expect(readdirSync(d).sort()).toEqual(['profile.1.jsonl', 'profile.2.jsonl', 'profile.jsonl']);
    const files = rotatedFiles(sink);
    expect(files).toEqual([join(d, 'profile.2.jsonl'), join(d, 'profile.1.jsonl'), sink]);
    let last = -1;
    for (const file of files) {
      const lines = readLines(file);
      expect(readFileSync(file).length).toBeLessThanOrEqual(16 * 1024);
      for (const line of lines.filter((l) => l.name === 'step')) {
        expect(Number(line.attrs.i)).toBeGreaterThan(last); // older files hold older spans
        last = Number(line.attrs.i);
      }
    }
    expect(last).toBe(1999);
    expect(readLines(sink).at(-1)?.name).toBe('index');
  });

  it('turns itself off with one warning when the sink cannot be opened', () => {
    const d = dir('unwritable');
    const file = join(d, 'file.txt');
    mkdirSync(d, { recursive: true });
    writeFileSync(file, '');
    for (const sink of [d /* a directory */, join(file, 'profile.jsonl') /* under a regular file */]) {
      const p = initProfiler({ cmd: 'scan', sink });
      expect(p.enabled).toBe(false);
      expect(profiler().warnings).toHaveLength(1);
      expect(profiler().warnings[0]).toMatch(/profiling disabled: cannot write/);
      expect(p.span('work', () => 7)).toBe(7);
      expect(() => p.close()).not.toThrow();
    }
    expect(readdirSync(d)).toEqual(['file.txt']);
  });

  it.runIf(process.platform === 'linux')('turns itself off with one warning when a write fails (ENOSPC)', () => {
    const p = initProfiler({ cmd: 'scan', sink: '/dev/full', bufferBytes: 4096 });
    expect(p.enabled).toBe(true);
    for (let i = 0; i < 200; i++) p.span('step', (s) => s.set('pad', 'q'.repeat(100)));
    expect(p.enabled).toBe(false);
    expect(p.warnings).toHaveLength(1);
    expect(p.warnings[0]).toMatch(/ENOSPC/);
    expect(p.span('after', () => 'still runs')).toBe('still runs');
    expect(() => p.close()).not.toThrow();
  });
});
