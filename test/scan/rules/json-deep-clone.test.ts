import { expect, it } from 'vitest';
import { jsonDeepClone } from '../../../src/scan/rules/json-deep-clone.js';
import { findings, testRule } from './ruleTester.js';

testRule(jsonDeepClone, {
  valid: [
    `import { readFile } from 'node:fs/promises';
export async function loadConfig(path: string) {
  return JSON.parse(await readFile(path, 'utf8'));
}`,
    // A replacer or a reviver transforms the value: not a plain copy.
    `export function redact(value: unknown) {
  return JSON.parse(JSON.stringify(value, (key, v) => (key === 'password' ? undefined : v)));
}`,
    `export function revive(state: State) {
  return JSON.parse(JSON.stringify(state), (key, v) => (key === 'at' ? new Date(v) : v));
}`,
    // Normalizing text through a parse, the other way round.
    `export function normalize(text: string) {
  return JSON.stringify(JSON.parse(text));
}`,
    // Someone else's parse/stringify.
    `import YAML from 'yaml';
export function toYamlCopy(doc: object) {
  return YAML.parse(YAML.stringify(doc));
}`,
    `export function copy(state: State) {
  return structuredClone(state);
}`,
    // A test checking that a value survives JSON, not a copy.
    `import assert from 'node:assert';
it('is plain data', () => {
  expect(JSON.parse(JSON.stringify(ctx))).toEqual(ctx);
  assert.deepStrictEqual(JSON.parse(JSON.stringify(ctx)), ctx);
});`,
  ],
  invalid: [
    {
      code: `export function snapshot(state: State) {
  return JSON.parse(JSON.stringify(state));
}`,
      errors: [{ line: 2, messageId: 'jsonClone' }],
    },
    {
      code: `export function withDefaults(options: Options) {
  const merged = JSON.parse(JSON.stringify(DEFAULTS));
  Object.assign(merged, options);
  return merged;
}`,
      errors: 1,
    },
    {
      filename: 'src/reducer.js',
      code: `export function reducer(state, action) {
  const next = JSON.parse(JSON.stringify(state.items[action.index]));
  next.done = true;
  return next;
}`,
      errors: 1,
    },
    {
      // A null replacer with indentation still copies as is.
      code: `export const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value, null, 2));
export const cloneAll = (values: object[]) => values.map((v) => JSON['parse'](JSON.stringify(v)));`,
      errors: [
        { line: 1, messageId: 'jsonClone' },
        { line: 2, messageId: 'jsonClone' },
      ],
    },
  ],
});

it('quotes a short argument and elides a long one', () => {
  const code = `const a = JSON.parse(JSON.stringify(state));\nconst b = JSON.parse(JSON.stringify(someVeryLongExpression.withMany.parts.that.goOn.andOn));`;
  expect(findings(jsonDeepClone, code).map((f) => f.message)).toEqual([
    'JSON.parse(JSON.stringify(state)) serializes the whole value to a string and parses it back; use structuredClone(state).',
    'JSON.parse(JSON.stringify(…)) serializes the whole value to a string and parses it back; use structuredClone(…).',
  ]);
});
