// runScan as a library call, on the fixture trees of fixtures/scan/ (copied to temp dirs) and on trees built here.
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runIndex } from '../../src/index/indexer.js';
import { ruleLevels, type Level } from '../../src/scan/config.js';
import type { Cycle } from '../../src/scan/cycles.js';
import { runScan, type ScanOptions, type ScanReport } from '../../src/scan/scan.js';
import { LAST_SCAN_NAMESPACE, LAST_SCAN_VERSION, lastScanKey } from '../../src/scan/lastScan.js';
import { reportPath } from '../../src/scan/lastReport.js';
import { SCAN_REPORTS } from '../../src/cache/cacheFiles.js';
import { indexPathOf } from '../../src/index/indexPath.js';
import { threadCache } from '../../src/cache/threadCache.js';
import { QuarryError } from '../../src/util/errors.js';
import { REPO, fixture, tempDir } from '../helpers.js';

/** runScan with the levels the root's config gives, and no cache unless asked for. */
function scan(root: string, opts: Partial<ScanOptions> = {}): Promise<ScanReport> {
  return runScan({ root, levels: ruleLevels(root, []).levels, cacheDir: null, ...opts });
}

/** Each scanned file's findings as `line:column level rule-id`, by path. */
function findingsByFile(report: ScanReport): Record<string, string[]> {
  return Object.fromEntries(report.files.map((f) => [f.path, f.findings.map((x) => `${x.line}:${x.column} ${x.severity} ${x.ruleId}`)]));
}

/** The error `fn` rejects with. */
async function rejection(fn: () => Promise<unknown>): Promise<QuarryError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof QuarryError) return err;
    throw err;
  }
  throw new Error('expected a QuarryError');
}

const zero = { files: 0, code: 0, comment: 0, blank: 0, functions: 0, classes: 0, maxComplexity: 0 };

/** A report without what differs between a cold and a warm (or reused) run: duration, cache counts, `cached` flags. */
const comparable = (r: ScanReport) => ({
  ...r,
  durationMs: 0,
  cache: null,
  workers: null,
  fromIndex: null,
  fromLastScan: null,
  reused: null,
  files: r.files.map((f) => ({ ...f, cached: null })),
});

describe('runScan on fixtures/scan/mixed (one file per language)', () => {
  it('scans .js, .jsx, .ts, .tsx, .d.ts, .mjs and .cjs files and leaves .json and .md alone', async () => {
    const r = await scan(fixture('scan/mixed'));
    expect(r.files.map((f) => [f.path, f.lang])).toEqual([
      ['src/App.tsx', 'tsx'],
      ['src/Button.jsx', 'jsx'],
      ['src/esm.mjs', 'js'],
      ['src/legacy.cjs', 'js'],
      ['src/store.ts', 'ts'],
      ['src/types.d.ts', 'dts'],
      ['src/util.js', 'js'],
    ]);
    expect(r.otherFiles).toBe(2);
    expect(r.skipped).toEqual({});
    expect(r.parseErrors).toBe(0);
    expect(r.findings).toEqual({ error: 0, warning: 0, note: 0 });
  });

  it('totals lines, functions, classes and the highest complexity per language and overall', async () => {
    const r = await scan(fixture('scan/mixed'));
    expect(r.totals).toEqual({
      js: { files: 3, code: 23, comment: 6, blank: 5, functions: 4, classes: 0, maxComplexity: 4 },
      jsx: { files: 1, code: 3, comment: 1, blank: 0, functions: 1, classes: 0, maxComplexity: 2 },
      ts: { files: 1, code: 14, comment: 2, blank: 3, functions: 2, classes: 1, maxComplexity: 4 },
      tsx: { files: 1, code: 13, comment: 1, blank: 2, functions: 2, classes: 0, maxComplexity: 2 },
      dts: { files: 1, code: 5, comment: 1, blank: 1, functions: 1, classes: 0, maxComplexity: 1 },
      all: { files: 7, code: 58, comment: 11, blank: 11, functions: 10, classes: 1, maxComplexity: 4 },
    });
  });

  it('gives each file its line counts and its functions with kind, span and complexity', async () => {
    const r = await scan(fixture('scan/mixed'));
    const byPath = new Map(r.files.map((f) => [f.path, f]));
    expect(byPath.get('src/util.js')!.lines).toEqual({ code: 6, comment: 2, blank: 2 });
    expect(byPath.get('src/legacy.cjs')!.lines).toEqual({ code: 6, comment: 3, blank: 2 });
    const rows = (path: string) => byPath.get(path)!.functions.map((f) => [f.name, f.kind, f.line, f.endLine, f.complexity]);
    expect(rows('src/store.ts')).toEqual([
      ['Store', 'class', 4, 19, 1],
      ['constructor', 'constructor', 7, 7, 1],
      ['add', 'method', 10, 18, 4],
    ]);
    expect(rows('src/esm.mjs')).toEqual([['kind', 'function', 4, 13, 4]]);
    expect(rows('src/App.tsx')).toEqual([
      ['App', 'function', 7, 16, 2],
      ['<anonymous>', 'arrow', 10, 12, 1],
    ]);
    expect(rows('src/types.d.ts')).toEqual([['load', 'function', 7, 7, 1]]);
    expect(byPath.get('src/types.d.ts')!.exports).toEqual(['Item', 'load']);
  });

  it('resolves .js written for a .ts source, .jsx imports and builtins', async () => {
    const r = await scan(fixture('scan/mixed'));
    const imports = Object.fromEntries(r.files.map((f) => [f.path, f.imports]));
    expect(imports['src/App.tsx']).toEqual([
      { specifier: './Button.jsx', kind: 'file', target: 'src/Button.jsx' },
      { specifier: './store.js', kind: 'file', target: 'src/store.ts' },
    ]);
    expect(imports['src/legacy.cjs']).toEqual([{ specifier: 'node:path', kind: 'builtin', target: 'path' }]);
    expect(r.unresolvedImports).toBe(0);
    expect(r.cycles).toEqual([]);
  });
});

describe('runScan on fixtures/scan/parse-errors', () => {
  it('reports a syntax error babel recovers from as a parse-error finding, and scans the rest of the file', async () => {
    const r = await scan(fixture('scan/parse-errors'));
    const file = r.files.find((f) => f.path === 'recovered.ts')!;
    expect(file.parseError).toMatchObject({ line: 2, column: 19 });
    expect(file.findings).toEqual([
      expect.objectContaining({
        ruleId: 'parse-error',
        severity: 'error',
        line: 2,
        column: 19,
        message: 'Missing initializer in const declaration.',
      }),
    ]);
    expect(file.functions.map((f) => f.name)).toEqual(['twice']);
    expect(file.exports).toEqual(['limit', 'twice']);
    expect(file.lines).toEqual({ code: 4, comment: 1, blank: 1 });
  });

  it('reports a file babel cannot parse at all, and still counts its lines', async () => {
    const r = await scan(fixture('scan/parse-errors'));
    const file = r.files.find((f) => f.path === 'hopeless.js')!;
    expect(file.findings).toHaveLength(1);
    expect(file.findings[0]).toMatchObject({ ruleId: 'parse-error', severity: 'error', line: 3, column: 10 });
    expect(file.functions).toEqual([]);
    expect(file.lines).toEqual({ code: 3, comment: 2, blank: 1 });
  });

  it('gives the position once, 1-based, not again inside the message in babel’s 0-based columns', async () => {
    const r = await scan(fixture('scan/parse-errors'));
    for (const f of r.files) for (const x of f.findings) expect(x.message).not.toMatch(/\(\d+:\d+\)/);
  });

  it('counts the files with parse errors next to the good one', async () => {
    const r = await scan(fixture('scan/parse-errors'));
    expect(r.parseErrors).toBe(2);
    expect(r.findings).toEqual({ error: 2, warning: 0, note: 0 });
    expect(r.files.find((f) => f.path === 'good.ts')!.findings).toEqual([]);
    expect(r.totals.all).toEqual({ files: 3, code: 10, comment: 4, blank: 2, functions: 2, classes: 0, maxComplexity: 2 });
  });

  it('still counts parse errors when the parse-error rule is off, but reports no finding for them', async () => {
    const root = fixture('scan/parse-errors');
    const r = await scan(root, { levels: ruleLevels(root, ['parse-error=off']).levels });
    expect(r.parseErrors).toBe(2);
    expect(r.findings).toEqual({ error: 0, warning: 0, note: 0 });
    expect(r.rules.find((x) => x.id === 'parse-error')!.level).toBe('off');
  });
});

describe('runScan on fixtures/scan/findings (rules and their levels)', () => {
  it('reports each rule at its default level when no config file says otherwise', async () => {
    const root = fixture('scan/findings');
    rmSync(join(root, '.quarry.json'));
    const r = await scan(root);
    expect(findingsByFile(r)).toEqual({
      'bin/release.js': [],
      'src/build.js': ['5:10 warning sync-child-process'],
      'src/clean.ts': [],
      'src/loader.ts': ['5:18 warning sync-fs-in-async', '8:14 warning await-in-loop'],
      'src/report.ts': ['4:7 warning unbounded-module-cache', '8:9 warning constructor-in-loop', '9:5 warning write-in-loop'],
      'src/state.js': ['3:10 warning json-deep-clone', '9:9 note quadratic-lookup'],
    });
    expect(r.findings).toEqual({ error: 0, warning: 7, note: 1 });
  });

  it('re-levels and turns off rules as the .quarry.json of the root says', async () => {
    const root = fixture('scan/findings');
    const r = await scan(root);
    expect(findingsByFile(r)).toEqual({
      'bin/release.js': [],
      'src/build.js': ['5:10 warning sync-child-process'],
      'src/clean.ts': [],
      'src/loader.ts': ['5:18 warning sync-fs-in-async', '8:14 warning await-in-loop'],
      'src/report.ts': ['4:7 warning unbounded-module-cache', '8:9 warning constructor-in-loop', '9:5 note write-in-loop'],
      'src/state.js': ['3:10 error json-deep-clone'],
    });
    expect(r.findings).toEqual({ error: 1, warning: 5, note: 1 });
    const levels = Object.fromEntries(r.rules.map((x) => [x.id, x.level]));
    expect(levels).toMatchObject({
      'json-deep-clone': 'error',
      'quadratic-lookup': 'off',
      'write-in-loop': 'note',
      'await-in-loop': 'warning',
    });
  });

  it('lets --rule flags override the config file', async () => {
    const root = fixture('scan/findings');
    const levels = ruleLevels(root, ['quadratic-lookup=error', 'json-deep-clone=off', 'sync-child-process=note']).levels;
    const r = await scan(root, { levels });
    expect(findingsByFile(r)['src/state.js']).toEqual(['9:9 error quadratic-lookup']);
    expect(findingsByFile(r)['src/build.js']).toEqual(['5:10 note sync-child-process']);
    expect(findingsByFile(r)['src/report.ts']).toEqual([
      '4:7 warning unbounded-module-cache',
      '8:9 warning constructor-in-loop',
      '9:5 note write-in-loop',
    ]);
    expect(r.findings).toEqual({ error: 1, warning: 4, note: 2 });
  });

  it('applies the levels it is given, whatever the config file says', async () => {
    const root = fixture('scan/findings');
    const levels = new Map<string, Level>(ruleLevels(root, []).levels);
    for (const id of levels.keys()) levels.set(id, 'off');
    levels.set('await-in-loop', 'error');
    const r = await scan(root, { levels });
    expect(Object.values(findingsByFile(r)).flat()).toEqual(['8:14 error await-in-loop']);
    expect(r.findings).toEqual({ error: 1, warning: 0, note: 0 });
  });

  it('gives every finding its message and a span that ends after it starts', async () => {
    const r = await scan(fixture('scan/findings'));
    const all = r.files.flatMap((f) => f.findings);
    expect(all).toHaveLength(7);
    for (const x of all) {
      expect(x.message.length).toBeGreaterThan(20);
      expect(x.endLine > x.line || (x.endLine === x.line && x.endColumn > x.column)).toBe(true);
    }
    expect(all.find((x) => x.ruleId === 'json-deep-clone')!.message).toContain('structuredClone(state)');
  });
});

/** The cycles of the table in a fixture's EXPECTED.md: `| \`a.ts\`, \`b.ts\` | \`a.ts → b.ts → a.ts\` |` rows. */
function expectedCycles(markdown: string): Cycle[] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((row) => {
      const [files, path] = row
        .split('|')
        .slice(1, 3)
        .map((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
      return { files: files!, path: path![0]!.split(' → ') };
    });
}

describe('runScan on fixtures/scan/cycles', () => {
  it('finds the cycles listed in its EXPECTED.md', async () => {
    const expected = expectedCycles(readFileSync(join(REPO, 'fixtures/scan/cycles/EXPECTED.md'), 'utf8'));
    expect(expected).toEqual([
      { files: ['a.ts', 'b.ts'], path: ['a.ts', 'b.ts', 'a.ts'] },
      { files: ['lib/c.js', 'lib/d.js', 'lib/e.js'], path: ['lib/c.js', 'lib/d.js', 'lib/e.js', 'lib/c.js'] },
    ]);
    const r = await scan(fixture('scan/cycles'));
    expect(r.cycles).toEqual(expected);
  });

  it('resolves ESM imports written with .js and CommonJS requires without an extension', async () => {
    const r = await scan(fixture('scan/cycles'));
    const targets = Object.fromEntries(r.files.map((f) => [f.path, f.imports.map((i) => i.target)]));
    expect(targets).toEqual({
      'a.ts': ['b.ts'],
      'b.ts': ['a.ts', 'lib/helper.js'],
      'f.ts': ['a.ts', 'lib/c.js'],
      'lib/c.js': ['lib/d.js'],
      'lib/d.js': ['lib/e.js'],
      'lib/e.js': ['lib/c.js'],
      'lib/helper.js': [],
    });
  });

  it('finds no cycle when only files off the cycles are scanned', async () => {
    const root = fixture('scan/cycles');
    const r = await scan(root, { paths: ['f.ts', 'lib/helper.js', 'a.ts'] });
    expect(r.cycles).toEqual([]);
  });
});

describe('runScan on fixtures/scan/resolution', () => {
  it('resolves the imports of src/main.ts to files, builtins and packages', async () => {
    const r = await scan(fixture('scan/resolution'));
    const main = r.files.find((f) => f.path === 'src/main.ts')!;
    const bySpecifier = Object.fromEntries(main.imports.map((i) => [i.specifier, [i.kind, i.target]]));
    expect(bySpecifier).toEqual({
      './exact.ts': ['file', 'src/exact.ts'],
      './plain': ['file', 'src/plain.ts'],
      './component': ['file', 'src/component.tsx'],
      './types': ['file', 'src/types.d.ts'],
      './legacy': ['file', 'src/legacy.js'],
      './data.json': ['file', 'src/data.json'],
      './esm.mjs': ['file', 'src/esm.mts'],
      './cjs.cjs': ['file', 'src/cjs.cts'],
      './view.jsx': ['file', 'src/view.tsx'],
      './compiled.js': ['file', 'src/compiled.ts'],
      './only-js.js': ['file', 'src/only-js.js'],
      './dir': ['file', 'src/dir/index.ts'],
      './pkgdir': ['file', 'src/pkgdir/lib/entry.js'],
      './typed': ['file', 'src/typed/types/main.d.ts'],
      '@app/feature': ['file', 'src/app/feature.ts'],
      '@lib': ['file', 'src/lib/index.ts'],
      '@multi/strings': ['file', 'src/utils/strings.ts'],
      'src/utils/strings': ['file', 'src/utils/strings.ts'],
      './missing': ['unresolved', null],
      'node:fs': ['builtin', 'fs'],
      path: ['builtin', 'path'],
      'fs/promises': ['builtin', 'fs/promises'],
      react: ['external', 'react'],
      '@scope/pkg/deep/file.js': ['external', '@scope/pkg'],
    });
  });

  it('counts external packages by importing file, and relative imports that match no file', async () => {
    const r = await scan(fixture('scan/resolution'));
    expect(r.externalPackages).toEqual({ '@scope/pkg': 1, react: 1 });
    // ./missing in src/main.ts; ../../../outside (leaves the root) and '.' (no index) in nested/deep/child.ts.
    expect(r.unresolvedImports).toBe(3);
    const child = r.files.find((f) => f.path === 'nested/deep/child.ts')!;
    expect(child.imports.map((i) => [i.specifier, i.target])).toEqual([
      ['../../src/plain', 'src/plain.ts'],
      ['../../../outside', null],
      ['.', null],
      ['..', 'nested/index.ts'],
    ]);
  });
});

describe('runScan on an empty directory', () => {
  it('reports zero totals and no error', async () => {
    const r = await scan(tempDir());
    expect(r.files).toEqual([]);
    expect(r.totals).toEqual({ all: zero });
    expect(r.findings).toEqual({ error: 0, warning: 0, note: 0 });
    expect(r).toMatchObject({
      parseErrors: 0,
      otherFiles: 0,
      skipped: {},
      cycles: [],
      unresolvedImports: 0,
      cache: { hits: 0, misses: 0 },
    });
  });

  it('reports zero totals for a tree of files that are not JS/TS', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'README.md'), '# nothing to scan\n');
    const r = await scan(root);
    expect(r.totals).toEqual({ all: zero });
    expect(r.otherFiles).toBe(1);
  });
});

describe('runScan skips what index skips', () => {
  /** A tree with one file for each skip reason the reading can give, next to a good file. */
  function treeWithSkips(): string {
    const root = tempDir();
    mkdirSync(join(root, 'src'));
    mkdirSync(join(root, 'assets'));
    mkdirSync(join(root, 'vendor'));
    writeFileSync(join(root, 'src', 'app.ts'), 'export const app = 1;\n');
    writeFileSync(join(root, 'assets', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
    writeFileSync(join(root, 'src', 'blob.js'), Buffer.from('const a = 1;\0\n'));
    writeFileSync(join(root, 'src', 'latin1.ts'), Buffer.from([0x2f, 0x2f, 0x20, 0xe9, 0x0a]));
    writeFileSync(join(root, 'vendor', 'lib.min.js'), `${'var a=1;'.repeat(1000)}\n`);
    writeFileSync(join(root, 'vendor', 'big.js'), 'export const x = 1;\n'.repeat(120_000)); // 2.4 MB
    writeFileSync(join(root, 'assets', 'dump.log'), 'x\n'.repeat(1_200_000)); // 2.4 MB
    writeFileSync(join(root, 'notes.md'), '# notes\n');
    symlinkSync(join(root, 'src', 'app.ts'), join(root, 'src', 'link.ts'));
    return root;
  }

  it('counts skipped files by reason, for JS/TS files and for the others', async () => {
    const root = treeWithSkips();
    const r = await scan(root);
    expect(r.skipped).toEqual({ binary: 2, 'invalid-utf8': 1, minified: 1, 'too-large': 2, symlink: 1 });
    expect(r.skippedFiles).toEqual([
      { path: 'assets/dump.log', reason: 'too-large' },
      { path: 'assets/logo.png', reason: 'binary' },
      { path: 'src/blob.js', reason: 'binary' },
      { path: 'src/latin1.ts', reason: 'invalid-utf8' },
      { path: 'src/link.ts', reason: 'symlink' },
      { path: 'vendor/big.js', reason: 'too-large' },
      { path: 'vendor/lib.min.js', reason: 'minified' },
    ]);
    expect(r.files.map((f) => f.path)).toEqual(['src/app.ts']);
    expect(r.otherFiles).toBe(1);
  });

  it('gives the same skip counts and skipped files as quarry index on the same tree', async () => {
    const root = treeWithSkips();
    const r = await scan(root);
    const index = await runIndex({ root, cacheDir: null, workers: 2 });
    expect(r.skipped).toEqual(index.skipped);
    expect(r.skippedFiles).toEqual(index.skippedFiles);
    expect(r.files.length + r.otherFiles).toBe(index.files);
  });

  it('honours the skip rules it is given', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'a.ts'), 'export const a = 1;\n'.repeat(100));
    writeFileSync(join(root, 'b.ts'), 'export const b = 1;\n');
    const r = await scan(root, { rules: { maxFileBytes: 1000 } });
    expect(r.skippedFiles).toEqual([{ path: 'a.ts', reason: 'too-large' }]);
    expect(r.files.map((f) => f.path)).toEqual(['b.ts']);
  });
});

describe('runScan with the cache', () => {
  /** fixtures/scan/mixed plus enough generated files that the worker pool does the scanning. */
  function largerTree(): string {
    const root = fixture('scan/mixed');
    mkdirSync(join(root, 'gen'));
    for (let i = 0; i < 40; i++)
      writeFileSync(
        join(root, 'gen', `m${i}.ts`),
        `import { clamp } from '../src/util.js';\nexport const v${i} = (n: number) => (n > ${i} ? clamp(n, 0, ${i}) : n);\n`,
      );
    return root;
  }

  /**
   * Drops the last scan's whole report (lastReport.ts), as `quarry cache clear` does, so that the next scan of an
   * unchanged tree goes file by file: what these tests are about.
   */
  const forgetReport = (cacheDir: string) => rmSync(join(cacheDir, SCAN_REPORTS.dir), { recursive: true, force: true });

  for (const [what, make, workers] of [
    ['a few files, scanned on the main thread', () => fixture('scan/parse-errors'), 0],
    ['many files, scanned in the worker pool', largerTree, 2],
  ] as const) {
    it(`answers every file of an unchanged tree from the cache on the second run (${what})`, async () => {
      const root = make();
      const cacheDir = tempDir('quarry-cache-');
      const cold = await scan(root, { cacheDir, workers: 2 });
      expect(cold.workers).toBe(workers);
      expect(cold.cache).toEqual({ hits: 0, misses: cold.files.length });
      expect(cold.files.every((f) => !f.cached)).toBe(true);
      forgetReport(cacheDir);
      const warm = await scan(root, { cacheDir, workers: 2 });
      expect(warm.cache).toEqual({ hits: warm.files.length, misses: 0 });
      expect(warm.files.every((f) => f.cached)).toBe(true);
      // Nothing to parse: a warm scan starts no thread.
      expect(warm.workers).toBe(0);
      expect(comparable(warm)).toEqual(comparable(cold));
    });
  }

  it('takes hashes and skips from a current index, reading only the files changed since', async () => {
    const root = largerTree();
    const cacheDir = tempDir('quarry-cache-');
    await runIndex({ root, cacheDir: null, workers: 2 });
    const cold = await scan(root, { cacheDir, workers: 2 });
    writeFileSync(join(root, 'changed.js'), 'export const changed = () => 1;\n');
    const warm = await scan(root, { cacheDir, workers: 2 });
    expect(cold.fromIndex).toBe(cold.files.length + cold.otherFiles + cold.skippedFiles.length);
    expect(warm.cache).toEqual({ hits: cold.files.length, misses: 1 });
    expect(warm.files.filter((f) => !f.cached).map((f) => f.path)).toEqual(['changed.js']);
    expect(warm.fromIndex).toBe(cold.fromIndex);
  });

  it('without an index, knows the files of the last scan by size and mtime: a warm scan reads none of them', async () => {
    const root = largerTree();
    writeFileSync(join(root, 'bundle.min.js'), `var a=${'1+'.repeat(3000)}1;\n`);
    // A whole second, which utimes sets exactly (the mtime the walk sees has sub-millisecond digits).
    const util = join(root, 'src', 'util.js');
    const stamp = new Date('2026-01-02T03:04:05Z');
    utimesSync(util, stamp, stamp);
    const cacheDir = tempDir('quarry-cache-');
    const cold = await scan(root, { cacheDir, workers: 2 });
    const walked = cold.files.length + cold.otherFiles + cold.skippedFiles.length;
    expect(cold.fromLastScan).toBe(0);
    expect(cold.skipped).toMatchObject({ minified: 1 });
    // Same size, same mtime, other bytes: taken as unchanged, so the old result shows it was not read (the same
    // trade as the index makes; an edit that keeps both is not seen).
    const before = readFileSync(util, 'utf8');
    writeFileSync(util, before.replace(/[a-z]/g, 'x'));
    utimesSync(util, stamp, stamp);
    forgetReport(cacheDir);
    const warm = await scan(root, { cacheDir, workers: 2 });
    expect(warm.fromLastScan).toBe(walked);
    expect(warm.fromIndex).toBe(0);
    expect(warm.cache).toEqual({ hits: cold.files.length, misses: 0 });
    expect(comparable(warm)).toEqual(comparable(cold));
  });

  it('reads what changed since the last scan, and records the tree as it is now', async () => {
    const root = largerTree();
    const cacheDir = tempDir('quarry-cache-');
    const cold = await scan(root, { cacheDir, workers: 2 });
    const walked = cold.files.length + cold.otherFiles + cold.skippedFiles.length;
    writeFileSync(join(root, 'src', 'util.js'), 'export const clamp = (n) => n; // changed\n');
    rmSync(join(root, 'gen', 'm0.ts'));
    const second = await scan(root, { cacheDir, workers: 2 });
    expect(second.fromLastScan).toBe(walked - 2);
    expect(second.files.filter((f) => !f.cached).map((f) => f.path)).toEqual(['src/util.js']);
    forgetReport(cacheDir);
    const third = await scan(root, { cacheDir, workers: 2 });
    expect(third.fromLastScan).toBe(walked - 1);
    expect(third.cache).toEqual({ hits: third.files.length, misses: 0 });
  });

  it('keeps one record per root and skip rules, and ignores a record that does not decode as one', async () => {
    const root = fixture('scan/mixed');
    const cacheDir = tempDir('quarry-cache-');
    const cold = await scan(root, { cacheDir });
    const walked = cold.files.length + cold.otherFiles + cold.skippedFiles.length;
    expect((await scan(root, { cacheDir, rules: { maxLineChars: 1000 } })).fromLastScan).toBe(0);
    forgetReport(cacheDir);
    expect((await scan(root, { cacheDir })).fromLastScan).toBe(walked);
    // The record overwritten with garbage, through the cache the scan uses (its in-memory tier included): read as
    // no record, and replaced.
    const cache = (await threadCache(cacheDir))!;
    const { DEFAULT_SKIP_RULES } = await import('../../src/index/skipRules.js');
    const key = lastScanKey(root, DEFAULT_SKIP_RULES);
    await cache.set(LAST_SCAN_NAMESPACE, LAST_SCAN_VERSION, key, { paths: ['a'], size: [] });
    forgetReport(cacheDir);
    const afterGarbage = await scan(root, { cacheDir });
    expect(afterGarbage.fromLastScan).toBe(0);
    expect(comparable(afterGarbage)).toEqual(comparable(cold));
    forgetReport(cacheDir);
    expect((await scan(root, { cacheDir })).fromLastScan).toBe(walked);
  });

  it('scans a changed file again and takes the rest from the cache', async () => {
    const root = fixture('scan/mixed');
    const cacheDir = tempDir('quarry-cache-');
    await scan(root, { cacheDir });
    writeFileSync(join(root, 'src', 'util.js'), 'export const clamp = (n) => n;\n');
    const r = await scan(root, { cacheDir });
    expect(r.cache).toEqual({ hits: 6, misses: 1 });
    expect(r.files.filter((f) => !f.cached).map((f) => f.path)).toEqual(['src/util.js']);
    expect(r.totals.js!.code).toBe(18);
  });

  it('keeps files of different languages with the same content apart', async () => {
    const root = tempDir();
    for (const name of ['a.js', 'b.ts', 'c.tsx', 'd.d.ts']) writeFileSync(join(root, name), 'export const a = 1;\n');
    const cacheDir = tempDir('quarry-cache-');
    const cold = await scan(root, { cacheDir });
    const warm = await scan(root, { cacheDir });
    const langs = [
      ['a.js', 'js'],
      ['b.ts', 'ts'],
      ['c.tsx', 'tsx'],
      ['d.d.ts', 'dts'],
    ];
    expect(cold.files.map((f) => [f.path, f.lang])).toEqual(langs);
    expect(warm.files.map((f) => [f.path, f.lang])).toEqual(langs);
    expect(Object.keys(warm.totals).sort()).toEqual(['all', 'dts', 'js', 'ts', 'tsx']);
  });

  it('reads and writes nothing without a cache directory', async () => {
    const root = fixture('scan/parse-errors');
    await scan(root);
    const r = await scan(root);
    expect(r.cache).toEqual({ hits: 0, misses: 3 });
  });
});

describe("runScan reusing the last scan's report", () => {
  it('returns the last report when no file changed: nothing read, nothing looked up, the same answer', async () => {
    const root = fixture('scan/findings');
    const cacheDir = tempDir('quarry-cache-');
    const cold = await scan(root, { cacheDir });
    expect(cold.reused).toBe(false);
    const walked = cold.files.length + cold.otherFiles + cold.skippedFiles.length;
    const warm = await scan(root, { cacheDir });
    expect(warm.reused).toBe(true);
    expect(warm.cache).toEqual({ hits: 0, misses: 0 });
    expect(warm.fromLastScan).toBe(walked);
    expect(warm.workers).toBe(0);
    expect(warm.files.every((f) => f.cached)).toBe(true);
    expect(comparable(warm)).toEqual(comparable(cold));
    expect(cold.findings.error + cold.findings.warning + cold.findings.note).toBeGreaterThan(0);
  });

  it('trusts size and mtime, as the index does: new bytes under the same size and mtime are not read', async () => {
    const root = fixture('scan/findings');
    const cacheDir = tempDir('quarry-cache-');
    const file = join(root, 'src', 'state.js');
    const stamp = new Date('2026-01-02T03:04:05Z');
    utimesSync(file, stamp, stamp);
    const cold = await scan(root, { cacheDir });
    const before = findingsByFile(cold)['src/state.js']!;
    expect(before.length).toBeGreaterThan(0);
    // Same length, no finding left; the mtime put back.
    writeFileSync(file, readFileSync(file, 'utf8').replace(/[^\n]/g, ' '));
    utimesSync(file, stamp, stamp);
    const warm = await scan(root, { cacheDir });
    expect(warm.reused).toBe(true);
    expect(findingsByFile(warm)['src/state.js']).toEqual(before);
    // Touched: scanned again, and the new bytes seen.
    utimesSync(file, new Date(), new Date());
    const touched = await scan(root, { cacheDir });
    expect(touched.reused).toBe(false);
    expect(findingsByFile(touched)['src/state.js']).toEqual([]);
  });

  it('scans again when a file is added or removed, then keeps the new report', async () => {
    const root = fixture('scan/mixed');
    const cacheDir = tempDir('quarry-cache-');
    await scan(root, { cacheDir });
    writeFileSync(join(root, 'src', 'added.js'), 'export function added() { return JSON.parse(JSON.stringify({})); }\n');
    const added = await scan(root, { cacheDir });
    expect(added.reused).toBe(false);
    expect(added.files.map((f) => f.path)).toContain('src/added.js');
    expect(added.findings.note + added.findings.warning + added.findings.error).toBeGreaterThan(0);
    const again = await scan(root, { cacheDir });
    expect(again.reused).toBe(true);
    expect(comparable(again)).toEqual(comparable(added));
    rmSync(join(root, 'src', 'added.js'));
    const removed = await scan(root, { cacheDir });
    expect(removed.reused).toBe(false);
    expect(removed.files.map((f) => f.path)).not.toContain('src/added.js');
  });

  it('scans again when rule levels or skip rules differ from the last scan', async () => {
    const root = fixture('scan/findings');
    const cacheDir = tempDir('quarry-cache-');
    const cold = await scan(root, { cacheDir });
    const ids = [...new Set(cold.files.flatMap((f) => f.findings.map((x) => x.ruleId)))];
    expect(ids.length).toBeGreaterThan(0);
    const levels = new Map(ruleLevels(root, []).levels);
    for (const id of ids) levels.set(id, 'off' as Level);
    const off = await scan(root, { cacheDir, levels });
    expect(off.reused).toBe(false);
    expect(off.findings).toEqual({ error: 0, warning: 0, note: 0 });
    const offAgain = await scan(root, { cacheDir, levels });
    expect(offAgain.reused).toBe(true);
    expect(offAgain.findings).toEqual({ error: 0, warning: 0, note: 0 });
    const back = await scan(root, { cacheDir });
    expect(back.reused).toBe(false);
    expect(back.findings).toEqual(cold.findings);
    const rules = await scan(root, { cacheDir, rules: { maxFileBytes: 10 } });
    expect(rules.reused).toBe(false);
    expect(rules.files).toEqual([]);
  });

  it('scans again when tsconfig paths change in a config outside the tree (same listing, other resolution)', async () => {
    const top = tempDir();
    const root = join(top, 'app');
    mkdirSync(join(root, 'src'), { recursive: true });
    writeFileSync(join(root, 'tsconfig.json'), '{ "extends": "../base.json" }\n');
    writeFileSync(join(top, 'base.json'), '{ "compilerOptions": { "baseUrl": "app", "paths": { "@lib": ["src/a.ts"] } } }\n');
    writeFileSync(join(root, 'src', 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(root, 'src', 'b.ts'), 'export const b = 2;\n');
    writeFileSync(join(root, 'src', 'main.ts'), "import { a } from '@lib';\nexport const m = a;\n");
    const cacheDir = tempDir('quarry-cache-');
    const target = (r: ScanReport) => r.files.find((f) => f.path === 'src/main.ts')!.imports[0]!.target;
    const first = await scan(root, { cacheDir });
    expect(target(first)).toBe('src/a.ts');
    writeFileSync(join(top, 'base.json'), '{ "compilerOptions": { "baseUrl": "app", "paths": { "@lib": ["src/b.ts"] } } }\n');
    const second = await scan(root, { cacheDir });
    expect(second.reused).toBe(false);
    expect(target(second)).toBe('src/b.ts');
  });

  it('scans again once the index at the root is another file, so that a damaged one is still reported', async () => {
    const root = fixture('scan/mixed');
    const cacheDir = tempDir('quarry-cache-');
    await scan(root, { cacheDir });
    await runIndex({ root, cacheDir: null, workers: 0 });
    const withIndex = await scan(root, { cacheDir });
    expect(withIndex.reused).toBe(false);
    expect(withIndex.fromIndex).toBeGreaterThan(0);
    expect((await scan(root, { cacheDir })).reused).toBe(true);
    writeFileSync(indexPathOf(root), 'not an index');
    const err = await rejection(() => scan(root, { cacheDir }));
    expect(err.message).toMatch(/unreadable/);
  });

  it('neither reuses nor keeps a report for a scan of some paths, or without a cache', async () => {
    const root = fixture('scan/mixed');
    const cacheDir = tempDir('quarry-cache-');
    await scan(root, { cacheDir, paths: ['src'] });
    expect(existsSync(join(cacheDir, SCAN_REPORTS.dir))).toBe(false);
    expect((await scan(root, { cacheDir, paths: ['src'] })).reused).toBe(false);
    await scan(root, { cacheDir });
    // A report of the whole tree is there now; a scan of some paths still does not use it.
    expect(existsSync(reportPath(cacheDir, root))).toBe(true);
    expect((await scan(root, { cacheDir, paths: ['src'] })).reused).toBe(false);
    expect((await scan(root, { cacheDir: null })).reused).toBe(false);
    expect((await scan(root, { cacheDir: null })).reused).toBe(false);
  });

  for (const [what, bytes] of [
    ['garbage', Buffer.from([0, 159, 146, 150, 255])],
    ['truncated JSON', Buffer.from('{"inputs":"x","paths":[')],
    ['JSON of another shape', Buffer.from('{"inputs":1,"report":{"__proto__":{"polluted":true}}}')],
    ['an empty file', Buffer.alloc(0)],
  ] as const) {
    it(`takes a report file holding ${what} for none, scans, and replaces it`, async () => {
      const root = fixture('scan/findings');
      const cacheDir = tempDir('quarry-cache-');
      const cold = await scan(root, { cacheDir });
      writeFileSync(reportPath(cacheDir, root), bytes);
      const damaged = await scan(root, { cacheDir });
      expect(damaged.reused).toBe(false);
      expect(comparable(damaged)).toEqual(comparable(cold));
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((await scan(root, { cacheDir })).reused).toBe(true);
    });
  }

  it("takes the report of another quarry version's scan for none", async () => {
    const root = fixture('scan/mixed');
    const cacheDir = tempDir('quarry-cache-');
    await scan(root, { cacheDir });
    const path = reportPath(cacheDir, root);
    const stored = JSON.parse(readFileSync(path, 'utf8')) as { inputs: string };
    const inputs = JSON.parse(stored.inputs) as { quarry: string };
    writeFileSync(path, JSON.stringify({ ...stored, inputs: JSON.stringify({ ...inputs, quarry: '0.0.1-old' }) }));
    expect((await scan(root, { cacheDir })).reused).toBe(false);
    expect((await scan(root, { cacheDir })).reused).toBe(true);
  });
});

describe('runScan on some paths of a tree', () => {
  it('scans a single file given by a root-relative or an absolute path', async () => {
    const root = fixture('scan/mixed');
    for (const path of ['src/store.ts', join(root, 'src/store.ts')]) {
      const r = await scan(root, { paths: [path] });
      expect(r.files.map((f) => f.path)).toEqual(['src/store.ts']);
      expect(r.totals.all).toMatchObject({ files: 1, code: 14, classes: 1 });
      expect(r.otherFiles).toBe(0);
    }
  });

  it('resolves the imports of the files it scans against the whole tree', async () => {
    const root = fixture('scan/mixed');
    const r = await scan(root, { paths: ['src/store.ts'] });
    expect(r.files[0]!.imports).toEqual([{ specifier: './util.js', kind: 'file', target: 'src/util.js' }]);
    expect(r.unresolvedImports).toBe(0);
  });

  it('scans several files and directories, each file once', async () => {
    const root = fixture('scan/mixed');
    const r = await scan(root, { paths: ['src/util.js', 'docs', 'src/esm.mjs', join(root, 'src', 'util.js')] });
    expect(r.files.map((f) => f.path)).toEqual(['src/esm.mjs', 'src/util.js']);
    expect(r.otherFiles).toBe(1);
    expect(r.totals.all).toMatchObject({ files: 2, code: 17, functions: 3 });
    const both = await scan(root, { paths: ['src', 'src/store.ts', '.'] });
    expect(both.files.map((f) => f.path)).toEqual((await scan(root)).files.map((f) => f.path));
  });

  it('counts a file the walk skips once, however many of the paths reach it', async () => {
    const root = fixture('scan/mixed');
    symlinkSync(join(root, 'src', 'util.js'), join(root, 'src', 'alias.js'));
    const r = await scan(root, { paths: ['.', 'src'] });
    expect(r.skippedFiles).toEqual([{ path: 'src/alias.js', reason: 'symlink' }]);
    expect(r.skipped).toEqual({ symlink: 1 });
  });

  it('rejects a path that does not exist, naming it', async () => {
    const root = fixture('scan/mixed');
    const err = await rejection(() => scan(root, { paths: ['src', 'src/nope.ts'] }));
    expect(err.code).toBe('bad-input');
    expect(err.message).toContain('src/nope.ts');
  });

  it('names a missing path as missing, even outside the root', async () => {
    const root = fixture('scan/mixed');
    const missing = join(tempDir(), 'missing', 'quarry-scan');
    const err = await rejection(() => scan(join(root, 'src'), { paths: [missing] }));
    expect(err.code).toBe('bad-input');
    expect(err.message).toBe(`no such file or directory: ${missing}`);
  });

  it('rejects a path outside the root', async () => {
    const root = fixture('scan/mixed');
    const err = await rejection(() => scan(join(root, 'src'), { paths: [join(root, 'docs')] }));
    expect(err.code).toBe('bad-input');
    expect(err.message).toMatch(/outside the root/);
  });

  it('rejects a root that is not a directory', async () => {
    const root = fixture('scan/mixed');
    expect((await rejection(() => scan(join(root, 'missing')))).code).toBe('bad-input');
  });
});

describe('runScan findings order', () => {
  it('lists a parse error among the rules findings by position, not first', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'a.js'), 'const copy = JSON.parse(JSON.stringify(x));\nlet twice = 1;\nlet twice = 2;\n');
    const r = await scan(root, { cacheDir: null });
    const findings = r.files[0]!.findings.map((f) => `${f.line}:${f.ruleId}`);
    expect(findings).toEqual(['1:json-deep-clone', '3:parse-error']);
  });
});
