// In a file of its own, so that the parser's per-type tables start empty: what a walk finds must not depend on which
// node of a type it met first (babel leaves optional keys such as `decorators` off the nodes that lack them).
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../src/index/parse.js';

describe('symbol walk', () => {
  it("finds what a later node's optional children hold, whatever the first node of its type lacked", () => {
    const code = [
      'class A {',
      '  plain() {}',
      "  @register(require('./plugin'))",
      '  decorated() {}',
      '}',
      'function f<T>(x: T) {}',
      "function g<T extends ReturnType<typeof import('./types')>>() { return class Inner {}; }",
    ].join('\n');
    const first = parseSource(code, 'ts');
    expect(first.imports).toEqual(['./plugin']);
    expect(first.symbols.map((s) => s.name)).toEqual(['A', 'plain', 'decorated', 'f', 'g', 'Inner']);
    // The same text again, and with the decorated method first: the same answer.
    expect(parseSource(code, 'ts')).toEqual(first);
    const swapped = code.replace('  plain() {}\n', '').replace('  decorated() {}\n', '  decorated() {}\n  plain() {}\n');
    expect(parseSource(swapped, 'ts').imports).toEqual(['./plugin']);
  });
});
