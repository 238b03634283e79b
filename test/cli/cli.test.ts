import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, REPO, fixture, gitInit, gitStatus, quarry, signalWhenExists, tempDir } from '../helpers.js';

const env = (root: string) => ({ QUARRY_CACHE_DIR: join(root, '..', `${root.split('/').pop()}-cache`) });

describe('quarry CLI (end to end)', () => {
  it('--help lists the built commands with examples, and loads neither babel, ora nor the cache store', async () => {
    const trace = join(tempDir(), 'imports.txt');
    writeFileSync(trace, '');
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const c = spawn(process.execPath, ['--import', join(REPO, 'test/cli/trace-imports.mjs'), BIN, '--help'], {
        env: { ...process.env, TRACE_IMPORTS_FILE: trace },
      });
      let out = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.on('close', (code) => resolve({ code, out }));
    });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/index \[options\] \[path\]/);
    expect(r.out).toMatch(/search \[options\] <query\.\.\.>/);
    expect(r.out).toMatch(/Examples:/);
    const loaded = readFileSync(trace, 'utf8');
    expect(loaded).toMatch(/dist\/commands\/main\.bundle\.js/);
    for (const heavy of ['@babel/parser', '/ora/', 'lmdb', 'tinypool', 'cli-table3']) expect(loaded).not.toContain(heavy);
  });

  it('search loads the index reader and the commands, not babel, ora, the cache store, the pool or the native msgpack addon', async () => {
    const root = fixture('index/basic');
    await quarry(['index'], { cwd: root, env: env(root) });
    const trace = join(tempDir(), 'imports.txt');
    writeFileSync(trace, '');
    const code = await new Promise<number | null>((resolve) => {
      const c = spawn(process.execPath, ['--import', join(REPO, 'test/cli/trace-imports.mjs'), BIN, 'search', 'loadConfig'], {
        cwd: root,
        env: { ...process.env, ...env(root), TRACE_IMPORTS_FILE: trace },
      });
      c.on('close', resolve);
    });
    expect(code).toBe(0);
    const loaded = readFileSync(trace, 'utf8');
    expect(loaded).toContain('/src/index/reader.js');
    for (const heavy of ['@babel/parser', '/ora/', 'lmdb', 'tinypool', 'cli-table3', 'msgpackr-extract', 'picomatch'])
      expect(loaded).not.toContain(heavy);
  });

  it('each command has --help with an example', async () => {
    for (const cmd of ['index', 'search']) {
      const r = await quarry([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Examples:\n {2}quarry /);
    }
  });

  it('--version prints the package version', async () => {
    const r = await quarry(['--version']);
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('unknown flags and commands exit 2 with a one-line message, no stack', async () => {
    for (const args of [['search', '--bogus', 'x'], ['frobnicate'], ['index', '--workers', 'many']]) {
      const r = await quarry(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^quarry: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('indexes and searches like a user would: path:line:text, exit 0; no hit exit 1', async () => {
    const root = fixture('index/basic');
    const idx = await quarry(['index'], { cwd: root, env: env(root) });
    expect(idx.code).toBe(0);
    expect(idx.stdout).toMatch(/indexed 6 files/);
    const hit = await quarry(['search', 'loadConfig'], { cwd: join(root, 'src'), env: env(root) });
    expect(hit.code).toBe(0);
    expect(hit.stdout).toContain('src/config.ts:14:export function loadConfig(): Config {');
    const cut = await quarry(['search', 'config', '--limit', '1'], { cwd: root, env: env(root) });
    expect(cut.stderr).toMatch(/^quarry: 1 of \d+ matching files shown; --limit 0 shows all\n$/);
    const cutJson = await quarry(['search', 'config', '--limit', '1', '--json'], { cwd: root, env: env(root) });
    expect(cutJson.stderr).toBe('');
    const miss = await quarry(['search', 'nothingMatchesThis'], { cwd: root, env: env(root) });
    expect(miss.code).toBe(1);
    expect(miss.stdout).toBe('');
  });

  it('--json prints one envelope; errors are envelopes too', async () => {
    const root = fixture('index/basic');
    const idx = await quarry(['index', '--json'], { cwd: root, env: env(root) });
    const doc = JSON.parse(idx.stdout) as {
      schemaVersion: number;
      command: string;
      ok: boolean;
      data: { files: number };
      warnings: string[];
    };
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'index', ok: true, warnings: [] });
    expect(doc.data.files).toBe(6);
    const s = await quarry(['search', 'fetchUser', '--json'], { cwd: root, env: env(root) });
    const sd = JSON.parse(s.stdout) as { data: { hits: { path: string; lines: { line: number }[] }[] } };
    expect(sd.data.hits.map((h) => h.path)).toEqual(['src/http/client.ts', 'docs/guide.md']);
    const bad = await quarry(['search', '/[a-/', '--json'], { cwd: root, env: env(root) });
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({
      ok: false,
      command: 'search',
      error: { code: 'usage', message: expect.stringMatching(/invalid regex/) },
    });
  });

  it('--jsonl streams one object per file', async () => {
    const root = fixture('index/basic');
    await quarry(['index'], { cwd: root, env: env(root) });
    const r = await quarry(['search', 'config', '--jsonl'], { cwd: root, env: env(root) });
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { path: string });
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((l) => typeof l.path === 'string')).toBe(true);
  });

  it('search without an index says to run quarry index, exit 2', async () => {
    const root = tempDir();
    const r = await quarry(['search', 'x1'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no index found in .*; *\n?.*quarry index|run `quarry index`/);
  });

  for (const [what, query, message] of [
    ['an empty query', '', /empty query/],
    ['unbalanced quotes', '"open', /unbalanced quote/],
    ['an invalid regex', '/(/', /invalid regex/],
  ] as const) {
    it(`${what} exits 2 naming the problem`, async () => {
      const root = fixture('index/basic');
      await quarry(['index'], { cwd: root, env: env(root) });
      const r = await quarry(['search', query], { cwd: root, env: env(root) });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('a truncated index exits 2 with the unreadable message; QUARRY_DEBUG=1 adds the stack', async () => {
    const root = fixture('index/basic');
    await quarry(['index'], { cwd: root, env: env(root) });
    const p = join(root, '.quarry', 'index.msgpack');
    writeFileSync(p, readFileSync(p).subarray(0, 100));
    const r = await quarry(['search', 'config'], { cwd: root, env: env(root) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/index .* is unreadable \(truncated.*\); run `quarry index`/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const debug = await quarry(['search', 'config'], { cwd: root, env: { ...env(root), QUARRY_DEBUG: '1' } });
    expect(debug.code).toBe(2);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('index of a missing path or a file exits 2 naming it', async () => {
    const root = tempDir();
    const r = await quarry(['index', join(root, 'missing')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no such directory: .*missing/);
    writeFileSync(join(root, 'a.ts'), '');
    const f = await quarry(['index', join(root, 'a.ts')]);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/a\.ts is a file, not a directory/);
  });

  it('a missing path is not created by the default profile (whose folder lives under the root): index and scan exit 2', async () => {
    const root = tempDir();
    const missing = join(root, 'typo');
    // The default profile, <root>/.quarry/profile.jsonl, as a user has it (the other tests turn it off).
    for (const command of ['index', 'scan']) {
      const r = await quarry([command, missing], { env: { QUARRY_PROFILE: undefined, QUARRY_CACHE_DIR: join(root, 'cache') } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no such (file or )?directory: .*typo/);
      expect(existsSync(missing)).toBe(false);
    }
  });

  it('a closed pipe ends quietly with exit 0', async () => {
    const root = fixture('index/basic');
    for (let i = 0; i < 400; i++) writeFileSync(join(root, `gen${i}.ts`), `export const shared${i} = 'needle';\n`.repeat(50));
    await quarry(['index'], { cwd: root, env: env(root) });
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, [BIN, 'search', 'needle', '--limit', '0'], {
        cwd: root,
        env: { ...process.env, ...env(root), QUARRY_PROFILE: 'off' },
      });
      let stderr = '';
      c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      c.stdout.once('data', () => c.stdout.destroy());
      c.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('colour follows NO_COLOR and FORCE_COLOR', async () => {
    const root = fixture('index/basic');
    await quarry(['index'], { cwd: root, env: env(root) });
    const plain = await quarry(['search', 'loadConfig'], { cwd: root, env: { ...env(root), NO_COLOR: '1' } });
    expect(plain.stdout).not.toContain('\u001b[');
    const forced = await quarry(['search', 'loadConfig'], { cwd: root, env: { ...env(root), NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\u001b[');
  });

  it('writes profile spans as JSON lines to .quarry/profile.jsonl, and none with QUARRY_PROFILE=off', async () => {
    const root = fixture('index/basic');
    await quarry(['index'], { cwd: root, env: { ...env(root), QUARRY_PROFILE: undefined } });
    await quarry(['search', 'config'], { cwd: root, env: { ...env(root), QUARRY_PROFILE: undefined } });
    const lines = readFileSync(join(root, '.quarry', 'profile.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { cmd: string; name: string });
    expect(lines.some((l) => l.cmd === 'index' && l.name === 'walk')).toBe(true);
    expect(lines.some((l) => l.cmd === 'index' && l.name === 'tokenize-parse')).toBe(true);
    expect(lines.some((l) => l.cmd === 'search' && l.name === 'rank')).toBe(true);
    const other = fixture('index/basic');
    await quarry(['index'], { cwd: other, env: { ...env(other), QUARRY_PROFILE: 'off' } });
    expect(existsSync(join(other, '.quarry', 'profile.jsonl'))).toBe(false);
  });

  it('--max-filesize takes sizes as ripgrep does (512K, 2M); a size it cannot read exits 2 naming it', async () => {
    const root = fixture('index/basic');
    writeFileSync(join(root, 'big.ts'), `export const big = '${'x'.repeat(3000)}';\n`);
    const r = await quarry(['index', '--max-filesize', '2K', '--json'], { cwd: root, env: env(root) });
    expect(r.code, r.stderr).toBe(0);
    const data = (JSON.parse(r.stdout) as { data: { skippedFiles: { path: string; reason: string }[] } }).data;
    expect(data.skippedFiles).toContainEqual(expect.objectContaining({ path: 'big.ts', reason: 'too-large' }));
    const bad = await quarry(['index', '--max-filesize', '2MB'], { cwd: root, env: env(root) });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^quarry: --max-filesize takes a size in bytes, with K, M or G .*got "2MB"/);
  });

  it('a scan in a git repository, whose default profile makes the .quarry folder, leaves `git status` clean', async () => {
    const root = fixture('index/basic');
    gitInit(root);
    const r = await quarry(['scan', '--summary'], { cwd: root, env: { ...env(root), QUARRY_PROFILE: undefined } });
    expect(r.code).toBe(0);
    expect(existsSync(join(root, '.quarry', 'profile.jsonl'))).toBe(true);
    expect(existsSync(join(root, '.quarry', 'index.msgpack'))).toBe(false);
    expect(gitStatus(root)).toBe('');
  });

  it('a second writer waits for the lock, then exits 2 naming the holder; a dead holder is taken over', async () => {
    const root = fixture('index/basic');
    mkdirSync(join(root, '.quarry'));
    const holder = spawn('sleep', ['30']);
    try {
      writeFileSync(
        join(root, '.quarry', 'index.msgpack.lock'),
        JSON.stringify({ pid: holder.pid, startedAt: '2026-01-01T00:00:00.000Z' }),
      );
      const busy = await quarry(['index', '--json'], { cwd: root, env: env(root) });
      expect(busy.code).toBe(2);
      expect(JSON.parse(busy.stdout)).toMatchObject({
        ok: false,
        error: { code: 'locked', message: expect.stringContaining(`pid ${holder.pid}`) },
      });
    } finally {
      holder.kill();
    }
    await new Promise((r) => holder.once('close', r));
    const after = await quarry(['index'], { cwd: root, env: env(root) });
    expect(after.code).toBe(0);
    expect(existsSync(join(root, '.quarry', 'index.msgpack.lock'))).toBe(false);
  });

  it('SIGINT during index exits 130, flushes the profile, releases the lock and keeps the old index', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'src'));
    for (let i = 0; i < 3000; i++)
      writeFileSync(
        join(root, 'src', `m${i}.ts`),
        `/** Doc ${i}. */\nexport function handler${i}(x: number) { return x * ${i}; }\n`.repeat(40),
      );
    const e = { ...process.env, ...env(root), QUARRY_PROFILE: undefined, NO_COLOR: '1' };
    const first = await quarry(['index', '--workers', '1'], { cwd: root, env: env(root) });
    expect(first.code).toBe(0);
    const before = readFileSync(join(root, '.quarry', 'index.msgpack'));
    writeFileSync(join(root, 'src', 'm0.ts'), 'export const changed = 1;\n');
    const r = await new Promise<{ code: number | null }>((resolve) => {
      const c = spawn(process.execPath, [BIN, 'index', '--force', '--no-cache', '--workers', '1'], { cwd: root, env: e });
      // Once the run holds the writer lock (its profile has started by then).
      signalWhenExists(c, join(root, '.quarry', 'index.msgpack.lock'), 300);
      c.on('close', (code) => resolve({ code }));
    });
    expect(r.code).toBe(130);
    expect(existsSync(join(root, '.quarry', 'index.msgpack.lock'))).toBe(false);
    expect(readFileSync(join(root, '.quarry', 'index.msgpack')).equals(before)).toBe(true);
    const lines = readFileSync(join(root, '.quarry', 'profile.jsonl'), 'utf8')
      .trim()
      .split('\n');
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    expect(lines.some((l) => (JSON.parse(l) as { status: string; err?: string }).err?.includes('SIGINT'))).toBe(true);
    const after = await quarry(['search', 'handler5'], { cwd: root, env: env(root) });
    expect(after.code).toBe(0);
    expect(readdirSync(join(root, '.quarry')).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});
