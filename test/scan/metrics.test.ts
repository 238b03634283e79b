import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countLines, functionsOf, lexComments, type FunctionInfo } from '../../src/scan/metrics.js';
import { parseForScan } from './babel.js';

const LINES = join(import.meta.dirname, '../../fixtures/scan/lines');

/** Line counts of `source` with the comments babel finds, as `quarry scan` computes them. */
function lines(source: string, file = 'input.ts') {
  const ast = parseForScan(source, file);
  expect(ast, 'babel parses the sample').toBeDefined();
  return countLines(source, ast!.comments);
}

/** Functions of `source` as [name, kind, line, endLine, complexity] rows. */
function functions(source: string, file = 'input.ts'): [string, FunctionInfo['kind'], number, number, number][] {
  const ast = parseForScan(source, file);
  expect(ast).toBeDefined();
  return functionsOf(ast!).map((f) => [f.name, f.kind, f.line, f.endLine, f.complexity]);
}

/** The complexity of the only (or the first) function in `source`. */
function complexity(source: string): number {
  return functionsOf(parseForScan(source)!)[0]!.complexity;
}

describe('countLines', () => {
  it('counts code, comment and blank lines', () => {
    expect(lines('// one\nconst a = 1;\n\n/* two */\n')).toEqual({ code: 1, comment: 2, blank: 1 });
  });

  it('counts a line with code and a trailing comment as code', () => {
    expect(lines('const a = 1; // why a is 1\n')).toEqual({ code: 1, comment: 0, blank: 0 });
    expect(lines('const a = 1; /* why */\n')).toEqual({ code: 1, comment: 0, blank: 0 });
    expect(lines('/* why */ const a = 1;\n')).toEqual({ code: 1, comment: 0, blank: 0 });
  });

  it('counts every line of a block comment as comment, except its blank lines, which are blank (as cloc does)', () => {
    expect(lines('/**\n * Doc.\n\n * More.\n */\nf();\n')).toEqual({ code: 1, comment: 4, blank: 1 });
  });

  it('counts white space only as blank, tabs and form feeds included', () => {
    expect(lines('a();\n \t\n\f\nb();\n')).toEqual({ code: 2, comment: 0, blank: 2 });
  });

  it('counts a last line without a newline', () => {
    expect(lines('a();\nb();')).toEqual({ code: 2, comment: 0, blank: 0 });
    expect(lines('a();\n// end')).toEqual({ code: 1, comment: 1, blank: 0 });
    expect(lines('a();\n   ')).toEqual({ code: 1, comment: 0, blank: 1 });
  });

  it('counts nothing in an empty file and no extra line after a final newline', () => {
    expect(countLines('', [])).toEqual({ code: 0, comment: 0, blank: 0 });
    expect(lines('a();\n')).toEqual({ code: 1, comment: 0, blank: 0 });
    expect(lines('\n')).toEqual({ code: 0, comment: 0, blank: 1 });
  });

  it('handles CRLF line ends like LF', () => {
    expect(lines('a(); // x\r\n\r\n/* y\r\n z */\r\nb();\r\n')).toEqual({ code: 2, comment: 2, blank: 1 });
  });

  it('ignores a byte order mark', () => {
    expect(lines('\uFEFF\na();\n')).toEqual({ code: 1, comment: 0, blank: 1 });
  });

  it('counts code before and after a multi-line comment as one code line, as cloc does', () => {
    // cloc deletes the comment with the line breaks in it, so `a();` and `b();` end up on one line.
    expect(lines('a(); /* x\n y\n */ b();\n')).toEqual({ code: 1, comment: 2, blank: 0 });
    expect(lines('a(); /* x\n */\n')).toEqual({ code: 1, comment: 1, blank: 0 });
    expect(lines('/* x\n */ b();\n')).toEqual({ code: 1, comment: 1, blank: 0 });
  });

  it('lets a `//` comment ending in a backslash swallow the next line, as cloc does', () => {
    expect(lines('a(); // x \\\nb();\n')).toEqual({ code: 1, comment: 1, blank: 0 });
  });

  it('counts a white-space line after a line ending in a backslash as code, as cloc does', () => {
    expect(lines('const t = `a\\\n\nb`;\n')).toEqual({ code: 3, comment: 0, blank: 0 });
  });

  it('counts `//` and `/*` inside strings, templates and regexes as code (where cloc does not)', () => {
    expect(lines("const g = '**/*.js';\nconst x = 1;\nconst y = '*/';\n")).toEqual({ code: 3, comment: 0, blank: 0 });
    expect(lines('const s = `\n// inside a template\n`;\n')).toEqual({ code: 3, comment: 0, blank: 0 });
    expect(lines('const r = /\\/\\//;\n')).toEqual({ code: 1, comment: 0, blank: 0 });
  });

  it('counts JSX comments in braces as comment lines', () => {
    const source = 'const x = (\n  <div>\n    {/* note */}\n  </div>\n);\n';
    // The braces are code, so the line is code: cloc agrees.
    expect(lines(source, 'x.jsx')).toEqual({ code: 5, comment: 0, blank: 0 });
  });

  it('finds the comments itself when given none (a file babel could not parse)', () => {
    const source = readFileSync(join(LINES, 'broken.js'), 'utf8');
    expect(parseForScan(source, 'broken.js')).toBeUndefined();
    expect(countLines(source)).toEqual({ code: 6, comment: 3, blank: 0 });
  });

  describe('agrees with cloc 1.96 on the fixture files', () => {
    const cloc = JSON.parse(readFileSync(join(LINES, 'cloc.json'), 'utf8')) as Record<
      string,
      { code: number; comment: number; blank: number }
    >;
    // strings.js holds comment markers inside strings: the one place quarry counts differently on purpose.
    const differ: Record<string, { code: number; comment: number; blank: number }> = {
      'strings.js': { code: 6, comment: 1, blank: 0 },
    };
    const files = readdirSync(LINES).filter((f) => /\.(js|jsx|ts|tsx|mjs|cjs)$/.test(f));
    it('has one cloc figure per fixture', () => {
      expect(Object.keys(cloc).sort()).toEqual(files.sort());
    });
    for (const file of files) {
      it(file, () => {
        const source = readFileSync(join(LINES, file), 'utf8');
        const ast = parseForScan(source, file);
        const { code, comment, blank } = cloc[file]!;
        expect(countLines(source, ast?.comments)).toEqual(differ[file] ?? { code, comment, blank });
      });
    }
  });
});

describe('lexComments', () => {
  const texts = (source: string) => lexComments(source).map((c) => source.slice(c.start!, c.end!));

  it('finds line and block comments', () => {
    expect(texts('a(); // one\n/* two */ b();')).toEqual(['// one', '/* two */']);
  });

  it('skips comment markers in strings, templates and their ${} parts', () => {
    expect(texts("'//' + \"/*\" + `// ${'/*'} ${`//`}` // real")).toEqual(['// real']);
  });

  it('tells a regex from a division by the token before it', () => {
    expect(texts('x = /[/*]+/g; // real')).toEqual(['// real']);
    expect(texts('x = a / b; // real')).toEqual(['// real']);
    expect(texts('return /\\/*/.test(s); // real')).toEqual(['// real']);
  });

  it('does not take an unterminated block comment for a comment, as cloc does not', () => {
    expect(texts('a(); /* never closed\nb();')).toEqual([]);
  });

  it('finds the same comments as babel in every parseable fixture', () => {
    for (const file of readdirSync(LINES).filter((f) => /\.(js|jsx|ts|tsx|mjs|cjs)$/.test(f) && f !== 'broken.js')) {
      const source = readFileSync(join(LINES, file), 'utf8');
      const babel = parseForScan(source, file)!.comments!.map((c) => [c.start, c.end]);
      expect(
        lexComments(source).map((c) => [c.start, c.end]),
        file,
      ).toEqual(babel);
    }
  });
});

describe('functionsOf', () => {
  it('lists declarations, expressions and arrows with the line of their name', () => {
    const source = ['function decl() {}', 'const arrow = () => 1;', 'var named = function inner() {};', 'let later =', '  () => {};'].join(
      '\n',
    );
    expect(functions(source)).toEqual([
      ['decl', 'function', 1, 1, 1],
      ['arrow', 'arrow', 2, 2, 1],
      ['inner', 'function', 3, 3, 1],
      ['later', 'arrow', 4, 5, 1],
    ]);
  });

  it('names functions after the property or member they are assigned to', () => {
    const source = [
      'const o = { a: function () {}, b: () => {}, c() {} };',
      'Foo.prototype.bar = function () {};',
      'module.exports.baz = () => {};',
      "handlers['Program:exit'] = function () {};",
      'function f(cb = () => {}) {}',
    ].join('\n');
    expect(functions(source).map(([name, kind, line]) => [name, kind, line])).toEqual([
      ['a', 'function', 1],
      ['b', 'arrow', 1],
      ['c', 'method', 1],
      ['bar', 'function', 2],
      ['baz', 'arrow', 3],
      ['Program:exit', 'function', 4],
      ['f', 'function', 5],
      ['cb', 'arrow', 5],
    ]);
  });

  it('lists classes with their methods, accessors, constructor and function-valued fields', () => {
    const source = [
      'class K extends Base {',
      '  constructor() { super(); }',
      '  get x() { return 1; }',
      '  set x(v) {}',
      '  static s() {}',
      '  #priv() {}',
      '  field = () => {};',
      '  [Symbol.iterator]() {}',
      '}',
      'const C = class {};',
    ].join('\n');
    expect(functions(source)).toEqual([
      ['K', 'class', 1, 9, 1],
      ['constructor', 'constructor', 2, 2, 1],
      ['x', 'getter', 3, 3, 1],
      ['x', 'setter', 4, 4, 1],
      ['s', 'method', 5, 5, 1],
      ['#priv', 'method', 6, 6, 1],
      ['field', 'arrow', 7, 7, 1],
      ['[Symbol.iterator]', 'method', 8, 8, 1],
      ['C', 'class', 10, 10, 1],
    ]);
  });

  it('calls an anonymous default export `default` and a callback `<anonymous>`', () => {
    expect(functions('export default function () {}\nitems.map((x) => x);\n')).toEqual([
      ['default', 'function', 1, 1, 1],
      ['<anonymous>', 'arrow', 2, 2, 1],
    ]);
    expect(functions('export default class {}\n')).toEqual([['default', 'class', 1, 1, 1]]);
  });

  it('lists TypeScript declarations without a body', () => {
    const source = [
      'declare function df(): void;',
      'function over(a: string): void;',
      'function over(a: unknown) {}',
      'abstract class A { abstract am(): void; }',
      'interface I { im(): void; prop: string }',
      'const typed = ((x: number) => x) as (x: number) => number;',
    ].join('\n');
    expect(functions(source).map(([name, kind, line]) => [name, kind, line])).toEqual([
      ['df', 'function', 1],
      ['over', 'function', 2],
      ['over', 'function', 3],
      ['A', 'class', 4],
      ['am', 'method', 4],
      ['im', 'method', 5],
      ['typed', 'arrow', 6],
    ]);
  });

  it('walks a very deep tree without overflowing the stack', () => {
    // 200k nested `a || (…)` inside one function: deeper than any recursive walk survives, built by hand because
    // babel's own recursive parser gives up long before.
    const ast = parseForScan('function f() { return x; }')!;
    const ret = (ast.program.body[0] as { body: { body: { argument: unknown }[] } }).body.body[0]!;
    let expr: unknown = { type: 'Identifier', name: 'x' };
    for (let i = 0; i < 200_000; i++)
      expr = { type: 'LogicalExpression', operator: '||', left: { type: 'Identifier', name: 'a' }, right: expr };
    ret.argument = expr;
    expect(functionsOf(ast).map((f) => [f.name, f.complexity])).toEqual([['f', 200_001]]);
  });
});

describe('functionsOf complexity (ESLint `complexity`, classic)', () => {
  it('is 1 for straight-line code', () => {
    expect(complexity('function f() { return 1; }')).toBe(1);
  });

  for (const [what, body] of [
    ['if', 'if (a) b();'],
    ['if/else counts once', 'if (a) b(); else c();'],
    ['a ternary', 'return a ? 1 : 2;'],
    ['&&', 'return a && b;'],
    ['||', 'return a || b;'],
    ['??', 'return a ?? b;'],
    ['&&=', 'a &&= b;'],
    ['||=', 'a ||= b;'],
    ['??=', 'a ??= b;'],
    ['for', 'for (;;) {}'],
    ['for…in', 'for (const k in o) {}'],
    ['for…of', 'for (const v of o) {}'],
    ['while', 'while (a) {}'],
    ['do…while', 'do {} while (a);'],
    ['catch', 'try {} catch {}'],
    ['a default parameter value', '', 'x = 1'],
    ['a destructuring default', 'const { y = 1 } = o;'],
    ['an optional member', 'return a?.b;'],
    ['an optional call', 'return a?.();'],
  ] as const) {
    it(`adds one for ${what}`, () => {
      const params = (body as string).length === 0 ? 'x = 1' : '';
      expect(complexity(`function f(${params}) { ${body} }`)).toBe(2);
    });
  }

  it('adds one per case with a test, none for default', () => {
    expect(complexity('function f(a) { switch (a) { case 1: break; case 2: break; default: } }')).toBe(3);
  });

  it('adds one per optional link only, not per member of an optional chain', () => {
    expect(complexity('function f() { return a?.b.c.d; }')).toBe(2);
  });

  it('counts nested functions on their own', () => {
    const source = 'function outer(a) { if (a) {} const inner = () => a && b; return inner; }';
    expect(functions(source).map(([name, , , , c]) => [name, c])).toEqual([
      ['outer', 2],
      ['inner', 2],
    ]);
  });

  it('counts a method key in the enclosing code and default parameters in the method', () => {
    const source = 'function f() { return { [a || b](x = 1) { return x; } }; }';
    expect(functions(source).map(([name, , , , c]) => [name, c])).toEqual([
      ['f', 2],
      ['<computed>', 2],
    ]);
  });

  it('counts field initializers and static blocks for the class, not for the enclosing function', () => {
    const source = 'function make() { return class { x = a || b; static { if (c) {} } m() {} }; }';
    expect(functions(source).map(([name, kind, , , c]) => [name, kind, c])).toEqual([
      ['make', 'function', 1],
      ['<anonymous>', 'class', 3],
      ['m', 'method', 1],
    ]);
  });

  it('ignores branches at the top level and in types', () => {
    expect(functions('const a = b || c;\ntype T = A extends B ? C : D;\n')).toEqual([]);
  });
});
