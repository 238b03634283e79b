import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENTERED, parseSource } from '../../src/index/parse.js';

describe('parseSource', () => {
  it('walks into every node type its collector handles (the switch and the ENTERED set agree)', () => {
    const src = readFileSync(new URL('../../src/index/parse.ts', import.meta.url), 'utf8');
    const body = src.slice(src.indexOf('  private enter('), src.indexOf('  private add('));
    const cases = [...body.matchAll(/^\s+case '(\w+)':/gm)].map((m) => m[1]);
    expect(cases.length).toBeGreaterThan(20);
    expect(new Set(cases)).toEqual(ENTERED);
  });

  it('keeps module-level variables and every function, but not the plain locals of a function', () => {
    const code = [
      'const TOP = 1;',
      'export let shared = 2;',
      'function outer() {',
      '  const local = 3;',
      '  const helper = () => local;',
      '  return helper;',
      '}',
      'class Box { size = 1; open() { let inner = 4; return inner; } }',
      'if (TOP) { var hoisted = 5; }',
    ].join('\n');
    const names = parseSource(code, 'ts').symbols.map((s) => `${s.kind}:${s.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'variable:TOP',
        'variable:shared',
        'function:outer',
        'function:helper',
        'class:Box',
        'method:open',
        'variable:hoisted',
      ]),
    );
    expect(names).not.toContain('variable:local');
    expect(names).not.toContain('variable:inner');
  });

  it("collects TypeScript's `import x = require()` as an import", () => {
    const r = parseSource("import fs = require('node:fs');\nexport import util = require('./util');\nimport alias = Foo.Bar;\n", 'ts');
    expect(r.imports).toEqual(['node:fs', './util']);
  });
});
