import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isParsed, languageOf } from '../../src/index/language.js';
import { collectSymbols, parseProgram } from '../../src/index/parse.js';
import { scanText } from '../../src/scan/fileScan.js';
import { ModuleLinks } from '../../src/scan/moduleLinks.js';
import { RULES, runRules } from '../../src/scan/runRules.js';
import { REPO } from '../helpers.js';

const ALL = RULES.map((rule) => ({ rule, severity: rule.meta.severity }));

/** Every JS/TS file under `dir`, recursively. */
function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === '.quarry') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourcesUnder(path));
    else if (isParsed(languageOf(name))) out.push(path);
  }
  return out.sort();
}

/** What collectSymbols says the file imports and exports, beside what the scan says. */
function bothWays(
  code: string,
  file: string,
): { index: { imports: string[]; exports: string[] }; scan: { imports: string[]; exports: string[] } } {
  const lang = languageOf(file);
  const parsed = parseProgram(code, lang);
  const symbols = parsed.ast ? collectSymbols(parsed.ast, code) : { imports: [], exports: [] };
  const scanned = scanText(code, lang);
  return {
    index: { imports: symbols.imports, exports: symbols.exports },
    scan: { imports: scanned.imports, exports: scanned.exports },
  };
}

describe('ModuleLinks (imports and exports from the rules’ walk)', () => {
  // The scan reports the same lists as the index's collectSymbols, in the same order, on every source file of the
  // fixtures and of quarry itself (test/scan/scan.test.ts pins some of them by value).
  const files = [...sourcesUnder(join(REPO, 'fixtures')), ...sourcesUnder(join(REPO, 'src')), ...sourcesUnder(join(REPO, 'test'))];

  it('finds fixture and source files to compare', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it.each(files.map((f) => [relative(REPO, f), f]))('gives the imports and exports collectSymbols gives: %s', (_name, file) => {
    const { index, scan } = bothWays(readFileSync(file, 'utf8'), file);
    expect(scan).toEqual(index);
  });

  const cases: [string, string, string][] = [
    [
      'ESM imports, re-exports and dynamic imports, in order, once each',
      'a.ts',
      "import a from './a';\nexport * from './b';\nexport { c } from './c';\nconst d = await import('./d');\nimport again from './a';\nexport const e = import(`./e`);",
    ],
    [
      'CommonJS requires and exports',
      'a.js',
      "const x = require('./x');\nmodule.exports = x;\nmodule.exports.f = function () {};\nexports.g = () => {};\nexports.h = 1;\nmodule.exports[k] = 2;\nmodule.exports['s'] = 3;",
    ],
    [
      'TypeScript declarations',
      'a.ts',
      "export interface I {}\nexport type T = 1;\nexport enum E { A }\nexport namespace N { export const inner = 1; }\nexport declare function f(): void;\nexport function g(): void;\nexport function g(x?: number) {}\nexport default interface D {}\nimport fs = require('fs');\nexport = fs;",
    ],
    [
      'declaration files',
      'a.d.ts',
      "export declare function load(x: string): Promise<void>;\nexport declare class Item { m(): void }\ndeclare module 'm' { export const v: number; }\nexport as namespace Lib;",
    ],
    [
      'default exports',
      'a.js',
      'export default function named() {}\nexport default class {}\nexport default (class K {});\nexport default 42;',
    ],
    [
      'destructured and multiple exported variables',
      'a.js',
      'export const { a, b: [c, ...d], ...e } = o, f = () => {}, g = class {};\nexport let h, i = 1;',
    ],
    [
      'exports inside a function (allowImportExportEverywhere): variables are no symbols there',
      'a.js',
      'function outer() {\n  export const v = 1;\n  export const fn = () => {};\n  export function inner() {}\n}',
    ],
    [
      'export { local as other }: the local name too, when it names a symbol',
      'a.js',
      'function helper() {}\nconst value = 1;\nexport { helper as run, value as default, missing as gone };\nexport { value };',
    ],
    [
      'export { local as other } of a class method name',
      'a.ts',
      'class K { x() {} }\nconst y = 1;\nexport { y as x2 };\ninterface J { y: number }\nexport { J as J2 };',
    ],
    [
      'parameter decorators, which collectSymbols does not look into',
      'a.ts',
      "class S {\n  constructor(@Inject(require('./token')) a: A, @Dec(module.exports = 1) b: B) {}\n}",
    ],
    [
      'declare function / overloads with default values',
      'a.ts',
      "declare function f(x = require('./f')): void;\nabstract class A {\n  n(z = import('./n')): void;\n  n(z) {}\n}",
    ],
    ['non-literal specifiers are left out', 'a.js', "require(name);\nrequire(`./${x}`);\nimport(x);\nrequire();\nrequire('');"],
    ['a file babel recovers from', 'a.js', "import a from './a'\nexport const x = ;\nrequire('./b')"],
    ['a file babel gives up on', 'a.js', 'export const = = ;\n}}}'],
  ];
  it.each(cases)('%s', (_title, file, code) => {
    const { index, scan } = bothWays(code, file);
    expect(scan).toEqual(index);
  });

  it('looks into the decorators of every method, whatever the thread parsed before', () => {
    // collectSymbols learns each node type's keys from the first node of that type its thread meets, so a method's
    // decorators are looked into only if the thread's first method had some: its answer depends on the batch.
    const code = "class A {\n  m() {}\n  @Log(require('./log')) n() {}\n  @Dec(require('./dec')) abstract o(): void;\n}";
    expect(scanText(code, 'ts').imports).toEqual(['./log', './dec']);
  });

  it('does not change what the rules find', () => {
    const code = readFileSync(join(REPO, 'src/scan/scan.ts'), 'utf8');
    const ast = parseProgram(code, 'ts').ast!;
    const info = { path: 'src/scan/scan.ts', source: code };
    expect(runRules(ast, ALL, info, new ModuleLinks())).toEqual(runRules(ast, ALL, info));
  });
});
