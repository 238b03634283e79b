import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runIndex } from '../../src/index/indexer.js';
import { initProfiler } from '../../src/profile/profiler.js';
import { IndexReader, indexPathOf } from '../../src/index/reader.js';
import { SELF_IGNORE } from '../../src/index/indexPath.js';
import { QuarryError } from '../../src/util/errors.js';
import { fixture, gitInit, gitStatus, tempDir } from '../helpers.js';

const opts = (root: string) => ({ root, cacheDir: join(root, '..', `${root.split('/').pop()}-cache`), workers: 2 });

function addIgnored(root: string): void {
  mkdirSync(join(root, 'ignored'));
  writeFileSync(join(root, 'ignored', 'skip.ts'), 'export const ignoredSymbol = 1;\n');
  writeFileSync(join(root, 'debug.log'), 'debug output mentions loadConfig\n');
}

/**
 * Every section of the index as hex, keyed by name; the dictionary and the symbol table (whose block boundaries
 * depend on the update history) as their lists of terms with postings, and of records with docs, instead.
 */
function sectionsOf(root: string): Record<string, unknown> {
  const r = new IndexReader(indexPathOf(root));
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(r.header.sections))
    if (!/^(sym|dict|postings$)/.test(name)) out[name] = r.file.bytes(name).toString('hex');
  out.terms = r.allTerms().map((t) => [t.term, t.df, t.postings.toString('hex')]);
  const docs = r.symbolDocs();
  out.symbols = r.allSymbols().map((s) => ({ ...s, record: undefined, doc: docs[s.record] }));
  r.close();
  return out;
}

describe('quarry index', () => {
  it('indexes a tree outside git, honouring .gitignore and skipping hidden files', async () => {
    const root = fixture('index/basic');
    addIgnored(root);
    mkdirSync(join(root, '.hidden'));
    writeFileSync(join(root, '.hidden', 'x.ts'), 'export const hiddenThing = 1;');
    const s = await runIndex(opts(root));
    expect(s.walk).toBe('fs');
    const r = new IndexReader(indexPathOf(root));
    const paths = r.allPaths();
    r.close();
    expect(paths).toEqual([
      'docs/guide.md',
      'src/config.ts',
      'src/http/client.ts',
      'src/http/parse.ts',
      'src/util/broken.ts',
      'src/util/strings.js',
    ]);
    expect(s.files).toBe(6);
  });

  it('inside a git work tree lists tracked and untracked-not-ignored files', async () => {
    const root = fixture('index/basic');
    gitInit(root);
    addIgnored(root);
    writeFileSync(join(root, 'src', 'untracked.ts'), 'export function brandNewFunction() {}\n');
    const s = await runIndex(opts(root));
    expect(s.walk).toBe('git');
    const r = new IndexReader(indexPathOf(root));
    expect(r.allPaths()).toContain('src/untracked.ts');
    expect(r.allPaths()).not.toContain('ignored/skip.ts');
    expect(r.allPaths()).not.toContain('debug.log');
    r.close();
  });

  it('a directory deep in a work tree, or in a linked worktree (a .git file), is listed by git', async () => {
    const root = fixture('index/basic');
    gitInit(root);
    writeFileSync(join(root, 'src', 'http', 'untracked.ts'), 'export const fresh = 1;\n');
    const deep = await runIndex(opts(join(root, 'src', 'http')));
    expect(deep.walk).toBe('git');
    expect(deep.files).toBe(3);
    const linked = join(tempDir(), 'linked');
    execFileSync('git', ['-C', root, 'worktree', 'add', '-q', '--detach', linked], { stdio: 'ignore' });
    expect(statSync(join(linked, '.git')).isFile()).toBe(true);
    const s = await runIndex(opts(linked));
    expect(s.walk).toBe('git');
    const r = new IndexReader(indexPathOf(linked));
    expect(r.allPaths()).toContain('src/config.ts');
    expect(r.allPaths()).not.toContain('src/http/untracked.ts');
    r.close();
  });

  it('a directory that the enclosing work tree ignores is walked, not taken as empty', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'vendor', 'lib'), { recursive: true });
    writeFileSync(join(root, '.gitignore'), 'vendor/\n');
    writeFileSync(join(root, 'vendor', 'lib', 'a.js'), 'export function vendoredThing() {}\n');
    gitInit(root);
    const s = await runIndex(opts(join(root, 'vendor')));
    expect(s.walk).toBe('fs');
    expect(s.files).toBe(1);
  });

  it('leaves a git work tree clean: the .quarry folder it makes ignores itself', async () => {
    const root = fixture('index/basic');
    gitInit(root);
    const status = () => gitStatus(root);
    expect(status()).toBe('');
    await runIndex(opts(root));
    expect(existsSync(indexPathOf(root))).toBe(true);
    expect(readFileSync(join(root, '.quarry', '.gitignore'), 'utf8')).toBe(SELF_IGNORE);
    expect(status()).toBe('');
    // A second run, and an update after an edit, add nothing git sees but the edit.
    writeFileSync(join(root, 'src', 'config.ts'), `${readFileSync(join(root, 'src', 'config.ts'), 'utf8')}// edited\n`);
    await runIndex(opts(root));
    expect(status()).toBe(' M src/config.ts\n');
  });

  it('keeps the choice of a .quarry folder that was there: no .gitignore added, an existing one untouched', async () => {
    const bare = fixture('index/basic');
    mkdirSync(join(bare, '.quarry'));
    await runIndex(opts(bare));
    expect(readdirSync(join(bare, '.quarry'))).not.toContain('.gitignore');
    const own = fixture('index/basic');
    mkdirSync(join(own, '.quarry'));
    writeFileSync(join(own, '.quarry', '.gitignore'), 'profile.jsonl\n');
    await runIndex(opts(own));
    expect(readFileSync(join(own, '.quarry', '.gitignore'), 'utf8')).toBe('profile.jsonl\n');
  });

  it('extracts symbols with kind, line and exported flag', async () => {
    const root = fixture('index/basic');
    await runIndex(opts(root));
    const r = new IndexReader(indexPathOf(root));
    const byName = (n: string) =>
      r.lookupSymbols(n).map((s) => ({ path: r.pathOf(s.file), kind: s.kind, line: s.line, exported: s.exported }));
    expect(byName('loadConfig')).toEqual([{ path: 'src/config.ts', kind: 'function', line: 14, exported: true }]);
    expect(byName('HttpClient')).toEqual([{ path: 'src/http/client.ts', kind: 'class', line: 10, exported: true }]);
    expect(byName('Config')).toEqual([{ path: 'src/config.ts', kind: 'interface', line: 1, exported: true }]);
    expect(byName('LogLevel')[0]?.kind).toBe('enum');
    expect(byName('Loader')[0]?.kind).toBe('type');
    expect(byName('get')).toEqual([{ path: 'src/http/client.ts', kind: 'method', line: 14, exported: false }]);
    expect(byName('capitalize')).toEqual([{ path: 'src/util/strings.js', kind: 'function', line: 4, exported: false }]);
    expect(byName('MAX_RESPONSE_BYTES')[0]).toMatchObject({ kind: 'variable', exported: true });
    const docs = r.symbolDocs();
    const parse = r.lookupSymbols('parseHTTPResponse')[0]!;
    expect(docs[parse.record]).toBe('Parses the body of an HTTP response into JSON.');
    r.close();
  });

  it('still indexes the tokens of a file babel cannot parse, and counts it', async () => {
    const root = fixture('index/basic');
    const s = await runIndex(opts(root));
    expect(s.parseErrors).toBe(1);
    const r = new IndexReader(indexPathOf(root));
    expect(r.lookupTerm('uniquebrokentoken')?.df).toBe(1);
    r.close();
  });

  it('skips binary, invalid UTF-8, huge (50 MB, and a 5 MB single line) and minified files, counting each reason', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'ok.ts'), 'export const fine = 1;\n');
    writeFileSync(join(root, 'nul.js'), Buffer.from('const a = 1;\0\0binary'));
    writeFileSync(join(root, 'latin1.js'), Buffer.from([0x63, 0x6f, 0x6e, 0x73, 0x74, 0x20, 0xe9, 0xff, 0x0a]));
    writeFileSync(join(root, 'huge.js'), Buffer.alloc(50 * 1024 * 1024, 'a\n'));
    writeFileSync(join(root, 'bundle.min.js'), `var a=${'x+'.repeat(400_000)}1;`);
    writeFileSync(join(root, 'huge-line.js'), `var a=${'x+'.repeat(2_500_000)}1;`);
    // Readable code with one long line (an inlined data URL, say) is still source.
    writeFileSync(join(root, 'one-long-line.ts'), `${'export const ok = 1;\n'.repeat(2000)}export const data = '${'A'.repeat(10_000)}';\n`);
    const s = await runIndex(opts(root));
    expect(s.files).toBe(2);
    expect(s.changes.added).toBe(2);
    expect(s.skipped).toEqual({ binary: 1, 'invalid-utf8': 1, 'too-large': 2, minified: 1 });
    expect(s.skippedFiles.map((f) => f.path).sort()).toEqual(['bundle.min.js', 'huge-line.js', 'huge.js', 'latin1.js', 'nul.js']);
  });

  it('does not follow symlinks (a loop is harmless) and reports them', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'a.ts'), 'export const a = 1;\n');
    mkdirSync(join(root, 'dir'));
    symlinkSync('..', join(root, 'dir', 'loop'));
    symlinkSync(join(root, 'a.ts'), join(root, 'link.ts'));
    const s = await runIndex(opts(root));
    expect(s.files).toBe(1);
    expect(s.skipped.symlink).toBe(2);
  });

  it('skips a named pipe as not a file, without waiting for a writer', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'a.js'), 'export const a = 1;\n');
    execFileSync('mkfifo', [join(root, 'pipe.js')]);
    const s = await runIndex(opts(root));
    expect(s.files).toBe(1);
    expect(s.skipped['not-a-file']).toBe(1);
  });

  it('indexes an empty tree', async () => {
    const root = tempDir();
    const s = await runIndex(opts(root));
    expect(s.files).toBe(0);
    expect(existsSync(indexPathOf(root))).toBe(true);
  });

  it('rejects a missing path and a file with bad-input errors naming them', async () => {
    const root = tempDir();
    await expect(runIndex(opts(join(root, 'nope')))).rejects.toThrow(/no such directory: .*nope/);
    writeFileSync(join(root, 'f.ts'), '');
    await expect(runIndex(opts(join(root, 'f.ts')))).rejects.toThrow(/f\.ts is a file, not a directory/);
    await expect(runIndex(opts(join(root, 'f.ts')))).rejects.toBeInstanceOf(QuarryError);
  });

  it('re-indexes incrementally: nothing changed leaves the index alone; changes are re-read', async () => {
    const root = fixture('index/basic');
    const o = opts(root);
    await runIndex(o);
    const again = await runIndex(o);
    expect(again.upToDate).toBe(true);
    expect(again.changes).toEqual({ added: 0, modified: 0, removed: 0, unchanged: 6 });

    writeFileSync(join(root, 'src', 'config.ts'), 'export function loadSettings() { return 1; }\n');
    utimesSync(join(root, 'src', 'config.ts'), new Date(), new Date(Date.now() + 5000));
    unlinkSync(join(root, 'docs', 'guide.md'));
    writeFileSync(join(root, 'src', 'added.ts'), 'export const addedConstant = 2;\n');
    const s = await runIndex(o);
    expect(s.upToDate).toBe(false);
    expect(s.changes).toEqual({ added: 1, modified: 1, removed: 1, unchanged: 4 });
    // Unchanged files are merged from the old index, not read or fetched from the cache again.
    expect(s.cache.hits + s.cache.misses).toBe(2);
    const r = new IndexReader(indexPathOf(root));
    expect(r.lookupSymbols('loadConfig')).toEqual([]);
    expect(r.lookupSymbols('loadSettings')).toHaveLength(1);
    expect(r.lookupSymbols('addedConstant')).toHaveLength(1);
    expect(r.allPaths()).not.toContain('docs/guide.md');
    r.close();
  });

  it('an incremental update gives byte-identical sections to a full rebuild, over random edits', async () => {
    const root = tempDir();
    const cacheDir = join(root, '..', `${root.split('/').pop()}-cache`);
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const words = ['alpha', 'betaGamma', 'delta_epsilon', 'zetaEta', 'theta', 'iotaKappa', 'lambda', 'HTTPServer'];
    const body = () =>
      Array.from(
        { length: 1 + rand(12) },
        () => `/** ${words[rand(8)]} doc. */\nexport function ${words[rand(8)]}${rand(90)}() { return ${words[rand(8)]}; }\n`,
      ).join('');
    for (let i = 0; i < 60; i++) writeFileSync(join(root, `f${String(i).padStart(2, '0')}.ts`), body());
    await runIndex({ root, cacheDir, workers: 2 });
    for (let round = 0; round < 6; round++) {
      for (let k = 0; k < 5; k++) {
        const name = join(root, `f${String(rand(70)).padStart(2, '0')}.ts`);
        if (rand(4) === 0 && existsSync(name)) unlinkSync(name);
        else {
          writeFileSync(name, body());
          utimesSync(name, new Date(), new Date(Date.now() + 1000 * (round + 1)));
        }
      }
      const inc = await runIndex({ root, cacheDir, workers: 2 });
      expect(inc.upToDate).toBe(false);
      expect(inc.symbols).toBeGreaterThan(200);
      const incremental = sectionsOf(root);
      await runIndex({ root, cacheDir: null, workers: 2, force: true });
      expect(sectionsOf(root)).toEqual(incremental);
    }
  });

  it('an update gives the sections of a rebuild: one file edited in place, a file before all, the last removed', async () => {
    const root = tempDir();
    const cacheDir = join(root, '..', `${root.split('/').pop()}-cache`);
    const file = (i: number, extra = '') =>
      `/** Helper ${i}. */\nexport function helper${i}(value) { return value + ${i}; }\nconst shared = 'common words here';${extra}\n`;
    for (let i = 10; i < 40; i++) writeFileSync(join(root, `m${i}.js`), file(i));
    await runIndex({ root, cacheDir, workers: 2 });
    const later = (name: string) => utimesSync(join(root, name), new Date(), new Date(Date.now() + 10_000));
    const steps: [string, () => void, { added: number; modified: number; removed: number }][] = [
      // Same files, same ids: the postings of untouched files are copied as they are.
      [
        'edited in place',
        () => (writeFileSync(join(root, 'm20.js'), file(20, '\nexport const brandNewName = shared;')), later('m20.js')),
        { added: 0, modified: 1, removed: 0 },
      ],
      // Every file after it moves up one id.
      ['added before all', () => writeFileSync(join(root, 'a00.js'), file(0)), { added: 1, modified: 0, removed: 0 }],
      ['last removed', () => unlinkSync(join(root, 'm39.js')), { added: 0, modified: 0, removed: 1 }],
      // Its terms and symbols all go: none is left without a posting.
      ['emptied', () => (writeFileSync(join(root, 'm15.js'), ''), later('m15.js')), { added: 0, modified: 1, removed: 0 }],
    ];
    for (const [label, change, changes] of steps) {
      change();
      const inc = await runIndex({ root, cacheDir, workers: 2 });
      expect({ label, changes: inc.changes }).toMatchObject({ label, changes });
      const incremental = sectionsOf(root);
      await runIndex({ root, cacheDir: null, workers: 2, force: true });
      expect({ label, sections: sectionsOf(root) }).toEqual({ label, sections: incremental });
    }
    const r = new IndexReader(indexPathOf(root));
    expect(r.lookupSymbols('brandNewName')).toHaveLength(1);
    expect(r.lookupTerm('helper39')).toBeNull();
    r.close();
  });

  it('an in-place edit merges with the cached analysis of the old version, touching only its blocks', async () => {
    const root = tempDir();
    const cacheDir = join(root, '..', `${root.split('/').pop()}-cache`);
    for (let i = 0; i < 400; i++) writeFileSync(join(root, `f${i}.js`), `export function unique${i}() { return 'word${i}'; }\n`);
    await runIndex({ root, cacheDir, workers: 2 });
    writeFileSync(join(root, 'f7.js'), 'export function renamedSeven() { return 7; }\n');
    utimesSync(join(root, 'f7.js'), new Date(), new Date(Date.now() + 10_000));
    const sink = join(root, '..', `${root.split('/').pop()}-profile.jsonl`);
    const p = initProfiler({ cmd: 'index', sink });
    await runIndex({ root, cacheDir, workers: 2 });
    p.close();
    const spans = readFileSync(sink, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; attrs: Record<string, unknown> });
    for (const name of ['merge-postings', 'merge-symbols']) {
      expect(spans.find((s) => s.name === name)?.attrs).toEqual({ dropped_known: true });
    }
    const incremental = sectionsOf(root);
    await runIndex({ root, cacheDir: null, workers: 2, force: true });
    expect(sectionsOf(root)).toEqual(incremental);
    const r = new IndexReader(indexPathOf(root));
    expect(r.lookupSymbols('unique7')).toEqual([]);
    expect(r.lookupSymbols('renamedSeven')).toHaveLength(1);
    expect(r.lookupTerm('word7')).toBeNull();
    r.close();
  });

  it('an update over damaged postings warns once and rebuilds from the files', async () => {
    const root = fixture('index/basic');
    const o = opts(root);
    await runIndex(o);
    const path = indexPathOf(root);
    const r = new IndexReader(path);
    const [offset, length] = r.header.sections.postings!;
    const dataStart = readFileSync(path).readUInt32LE(8) + 12;
    r.close();
    // Every byte a continuation byte: each term's postings run past their end.
    const bytes = readFileSync(path);
    bytes.fill(0xff, dataStart + offset, dataStart + offset + length);
    writeFileSync(path, bytes);
    writeFileSync(join(root, 'src', 'config.ts'), 'export function loadSettings() { return 1; }\n');
    utimesSync(join(root, 'src', 'config.ts'), new Date(), new Date(Date.now() + 5000));
    const warnings: string[] = [];
    const s = await runIndex({ ...o, onWarning: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/rebuilding it from the files/);
    expect(s.files).toBe(6);
    const damaged = sectionsOf(root);
    await runIndex({ ...o, cacheDir: null, force: true });
    expect(sectionsOf(root)).toEqual(damaged);
  });

  it('a renamed file is served from the cache by its content hash', async () => {
    const root = fixture('index/basic');
    const o = opts(root);
    await runIndex(o);
    rmSync(indexPathOf(root));
    const s = await runIndex(o);
    expect(s.cache.hits).toBe(6);
    expect(s.cache.misses).toBe(0);
  });

  it('files with the same bytes in two languages keep their own analysis when served from the cache', async () => {
    const root = tempDir();
    const code = 'export const twin = 1;\n';
    writeFileSync(join(root, 'a.js'), code);
    writeFileSync(join(root, 'b.ts'), code);
    const o = { ...opts(root), cacheDir: tempDir() };
    await runIndex(o);
    rmSync(indexPathOf(root));
    const again = await runIndex(o);
    expect(again.cache).toEqual({ hits: 2, misses: 0 });
    const r = new IndexReader(indexPathOf(root));
    try {
      const langs = Object.fromEntries(r.allPaths().map((p, i) => [p, r.languageOf(i)]));
      expect(langs).toEqual({ 'a.js': 'js', 'b.ts': 'ts' });
    } finally {
      r.close();
    }
  });

  it('writes atomically: no temp file is left behind', async () => {
    const root = fixture('index/basic');
    await runIndex(opts(root));
    expect(readdirSync(join(root, '.quarry')).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});
