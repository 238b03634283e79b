import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTsconfig, packageName, parseJsonc, resolveImport, type Resolution } from '../../src/scan/resolve.js';

const ROOT = join(import.meta.dirname, '../../fixtures/scan/resolution');

/** Every file of the fixture tree, root-relative with `/`. */
function filesUnder(dir: string): Set<string> {
  return new Set(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/')),
  );
}

const files = filesUnder(ROOT);
const tsconfig = loadTsconfig(ROOT);
const readJson = (path: string): unknown => {
  try {
    return JSON.parse(readFileSync(join(ROOT, path), 'utf8'));
  } catch {
    return undefined;
  }
};
const resolve = (importer: string, specifier: string): Resolution => resolveImport(importer, specifier, files, { tsconfig, readJson });
const file = (path: string): Resolution => ({ kind: 'file', path });

describe('resolveImport on fixtures/scan/resolution (the cases of src/main.ts)', () => {
  const cases: [string, Resolution][] = [
    ['./exact.ts', file('src/exact.ts')],
    ['./plain', file('src/plain.ts')],
    ['./component', file('src/component.tsx')],
    ['./types', file('src/types.d.ts')],
    ['./legacy', file('src/legacy.js')],
    ['./data.json', file('src/data.json')],
    ['./data', file('src/data.json')],
    ['./esm.mjs', file('src/esm.mts')],
    ['./cjs.cjs', file('src/cjs.cts')],
    ['./view.jsx', file('src/view.tsx')],
    ['./compiled.js', file('src/compiled.ts')],
    ['./only-js.js', file('src/only-js.js')],
    ['./dir', file('src/dir/index.ts')],
    ['./dir/', file('src/dir/index.ts')],
    ['./pkgdir', file('src/pkgdir/lib/entry.js')],
    ['./typed', file('src/typed/types/main.d.ts')],
    ['@app/feature', file('src/app/feature.ts')],
    ['@lib', file('src/lib/index.ts')],
    ['@multi/strings', file('src/utils/strings.ts')],
    ['src/utils/strings', file('src/utils/strings.ts')],
    ['./missing', { kind: 'unresolved' }],
    ['./plain.ts?raw', file('src/plain.ts')],
    ['node:fs', { kind: 'builtin', name: 'fs' }],
    ['node:test', { kind: 'builtin', name: 'test' }],
    ['path', { kind: 'builtin', name: 'path' }],
    ['fs/promises', { kind: 'builtin', name: 'fs/promises' }],
    ['react', { kind: 'external', package: 'react' }],
    ['react-dom/client', { kind: 'external', package: 'react-dom' }],
    ['@scope/pkg/deep/file.js', { kind: 'external', package: '@scope/pkg' }],
    ['@app', { kind: 'unresolved' }],
    ['#internal', { kind: 'unresolved' }],
    ['https://esm.sh/react', { kind: 'unresolved' }],
    ['/abs/path', { kind: 'unresolved' }],
  ];
  for (const [specifier, expected] of cases) {
    it(`resolves ${JSON.stringify(specifier)}`, () => {
      expect(resolve('src/main.ts', specifier)).toEqual(expected);
    });
  }

  it('covers every import written in src/main.ts', () => {
    const written = [...readFileSync(join(ROOT, 'src/main.ts'), 'utf8').matchAll(/^import '([^']+)'/gm)].map((m) => m[1]);
    const tested = new Set(cases.map(([s]) => s));
    expect(written.filter((s) => !tested.has(s!))).toEqual([]);
  });

  it('goes up directories and stops at the root', () => {
    expect(resolve('nested/deep/child.ts', '../../src/plain')).toEqual(file('src/plain.ts'));
    expect(resolve('nested/deep/child.ts', '../../../outside')).toEqual({ kind: 'unresolved' });
    expect(resolve('nested/deep/child.ts', '.')).toEqual({ kind: 'unresolved' });
    expect(resolve('nested/deep/child.ts', '..')).toEqual(file('nested/index.ts'));
  });

  it('falls back to index.* when package.json cannot be read', () => {
    expect(resolveImport('src/main.ts', './pkgdir', files)).toEqual(file('src/pkgdir/index.js'));
  });

  it('treats non-relative specifiers as packages without a tsconfig', () => {
    expect(resolveImport('src/main.ts', '@app/feature', files)).toEqual({ kind: 'external', package: '@app/feature' });
    expect(resolveImport('src/main.ts', 'src/utils/strings', files)).toEqual({ kind: 'external', package: 'src' });
  });
});

describe('resolveImport precedence', () => {
  const set = (...paths: string[]) => new Set(paths);

  it('prefers a file over a directory of the same name', () => {
    expect(resolveImport('main.ts', './a', set('a.ts', 'a/index.ts'))).toEqual(file('a.ts'));
  });

  it('tries extensions in order .ts .tsx .d.ts .js .jsx .mjs .cjs .mts .cts .json', () => {
    expect(resolveImport('main.ts', './a', set('a.js', 'a.tsx'))).toEqual(file('a.tsx'));
    expect(resolveImport('main.ts', './a', set('a.json', 'a.cjs'))).toEqual(file('a.cjs'));
  });

  it('adds an extension to a name with dots', () => {
    expect(resolveImport('main.ts', './a.service', set('a.service.ts'))).toEqual(file('a.service.ts'));
  });

  it('picks the tsconfig pattern with the longest prefix, an exact one before any', () => {
    const tsconfig = {
      paths: [
        { pattern: '*', targets: ['any/*'] },
        { pattern: '@x/*', targets: ['x/*'] },
        { pattern: '@x/exact', targets: ['exact.ts'] },
      ],
    };
    const files = set('any/@x/y.ts', 'x/y.ts', 'exact.ts');
    expect(resolveImport('main.ts', '@x/y', files, { tsconfig })).toEqual(file('x/y.ts'));
    expect(resolveImport('main.ts', '@x/exact', files, { tsconfig })).toEqual(file('exact.ts'));
  });

  it('lets a builtin name through when no path matches it', () => {
    const tsconfig = { baseUrl: '', paths: [{ pattern: '*', targets: ['src/*'] }] };
    expect(resolveImport('main.ts', 'fs', new Set(['src/a.ts']), { tsconfig })).toEqual({ kind: 'builtin', name: 'fs' });
    expect(resolveImport('main.ts', 'a', new Set(['src/a.ts']), { tsconfig })).toEqual(file('src/a.ts'));
  });
});

describe('packageName', () => {
  it('keeps the scope of a scoped package and drops subpaths', () => {
    expect(packageName('@scope/pkg/sub/file.js')).toBe('@scope/pkg');
    expect(packageName('lodash/fp')).toBe('lodash');
    expect(packageName('lodash')).toBe('lodash');
  });

  it('rejects what cannot be a package name', () => {
    for (const s of ['', '@scope', './a', '../a', '/a', '#a', '~/a', 'virtual:x', 'C:\\x']) expect(packageName(s), s).toBeUndefined();
  });
});

describe('loadTsconfig', () => {
  /** A readFile over an in-memory tree of absolute paths. */
  const memory =
    (tree: Record<string, string>) =>
    (path: string): string | undefined =>
      tree[path.split(sep).join('/')];

  it('reads the fixture: JSONC, `extends` without .json, baseUrl from the base, paths against baseUrl', () => {
    expect(tsconfig).toEqual({
      baseUrl: '',
      paths: [
        { pattern: '@app/*', targets: ['src/app/*'] },
        { pattern: '@lib', targets: ['src/lib/index.ts'] },
        { pattern: '@multi/*', targets: ['src/missing/*', 'src/utils/*'] },
      ],
    });
  });

  it('is undefined without a tsconfig.json or with an unreadable one', () => {
    expect(loadTsconfig('/r', memory({}))).toBeUndefined();
    expect(loadTsconfig('/r', memory({ '/r/tsconfig.json': '{ not json' }))).toBeUndefined();
  });

  it('resolves paths against the config that declares them when there is no baseUrl', () => {
    const readFile = memory({
      '/r/tsconfig.json': '{ "extends": "./configs/base.json" }',
      '/r/configs/base.json': '{ "compilerOptions": { "paths": { "~/*": ["../src/*"] } } }',
    });
    expect(loadTsconfig('/r', readFile)).toEqual({ paths: [{ pattern: '~/*', targets: ['src/*'] }] });
  });

  it('lets the extending config override its bases, later bases override earlier ones', () => {
    const readFile = memory({
      '/r/tsconfig.json': '{ "extends": ["./a.json", "./b.json"], "compilerOptions": { "paths": { "x": ["own.ts"] } } }',
      '/r/a.json': '{ "compilerOptions": { "baseUrl": "a" } }',
      '/r/b.json': '{ "compilerOptions": { "baseUrl": "b", "paths": { "y": ["b.ts"] } } }',
    });
    expect(loadTsconfig('/r', readFile)).toEqual({ baseUrl: 'b', paths: [{ pattern: 'x', targets: ['b/own.ts'] }] });
  });

  it('survives an `extends` cycle and ignores package configs', () => {
    const readFile = memory({
      '/r/tsconfig.json': '{ "extends": "./a.json", "compilerOptions": { "baseUrl": "." } }',
      '/r/a.json': '{ "extends": ["./tsconfig.json", "@tsconfig/node20/tsconfig.json"] }',
    });
    expect(loadTsconfig('/r', readFile)).toEqual({ baseUrl: '', paths: [] });
  });
});

describe('parseJsonc', () => {
  it('accepts comments and trailing commas, but not comment markers inside strings as comments', () => {
    expect(parseJsonc('{ // c\n "a": "//x", /* d */ "b": [1, 2,], }')).toEqual({ a: '//x', b: [1, 2] });
  });

  it('throws on malformed input', () => {
    expect(() => parseJsonc('{ "a": }')).toThrow();
  });
});

describe('resolveImport from JavaScript files', () => {
  const tree = new Set(['lib/a.js', 'lib/b.js', 'lib/b.d.ts', 'lib/c.ts', 'pkg/package.json', 'pkg/main.js', 'pkg/types.d.ts', 'app.ts']);
  const manifest = (path: string): unknown => (path === 'pkg/package.json' ? { main: 'main.js', types: 'types.d.ts' } : undefined);
  const from = (importer: string, specifier: string) => resolveImport(importer, specifier, tree, { readJson: manifest });

  it('loads what Node loads: the .js beside a .d.ts, and package.json main', () => {
    expect(from('lib/a.js', './b')).toEqual(file('lib/b.js'));
    expect(from('lib/a.js', './b.js')).toEqual(file('lib/b.js'));
    expect(from('lib/a.js', '../pkg')).toEqual(file('pkg/main.js'));
  });

  it('never resolves to TypeScript sources or declarations', () => {
    expect(from('lib/a.js', './c')).toEqual({ kind: 'unresolved' });
  });

  it('while a TypeScript importer still sees what tsc sees', () => {
    expect(from('app.ts', './lib/b')).toEqual(file('lib/b.d.ts'));
    expect(from('app.ts', './lib/b.js')).toEqual(file('lib/b.d.ts'));
    expect(from('app.ts', './pkg')).toEqual(file('pkg/types.d.ts'));
  });
});
