import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { VISITOR_KEYS } from '../../src/util/babelVisitorKeys.js';

describe('babel visitor keys', () => {
  it('are those of the @babel/types that the @babel/parser in use depends on', () => {
    // The parser's own copy of @babel/types (nested under it when the top-level one is another version).
    const fromParser = createRequire(createRequire(import.meta.url).resolve('@babel/parser'));
    const { VISITOR_KEYS: expected } = fromParser('@babel/types') as { VISITOR_KEYS: Record<string, string[]> };
    const table = Object.keys(expected)
      .sort()
      .map((k) => `  ${k}: [${expected[k]!.map((x) => `'${x}'`).join(', ')}],`)
      .join('\n');
    expect(VISITOR_KEYS, `src/util/babelVisitorKeys.ts is out of date; its table should read:\n${table}`).toEqual(expected);
  });
});
