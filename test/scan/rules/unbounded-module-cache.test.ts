import { expect, it } from 'vitest';
import { unboundedModuleCache } from '../../../src/scan/rules/unbounded-module-cache.js';
import { findings, testRule } from './ruleTester.js';

testRule(unboundedModuleCache, {
  valid: [
    // Evicts the oldest entry past a size limit.
    `const cache = new Map<string, Result>();
export function memo(key: string) {
  const hit = cache.get(key);
  if (hit) return hit;
  const value = compute(key);
  if (cache.size >= 500) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}`,
    // Filled once while the module loads: bounded by the code.
    `const byId = new Map<string, Rule>();
for (const rule of RULES) byId.set(rule.id, rule);
export function ruleById(id: string) {
  return byId.get(id);
}`,
    // Exported: importers may clear it.
    `export const listeners: Listener[] = [];
export function on(listener: Listener) {
  listeners.push(listener);
}`,
    // A registry filled by setup calls.
    `const commands: Record<string, Command> = {};
export function registerCommand(name: string, command: Command) {
  commands[name] = command;
}
export function run(name: string) {
  return commands[name]?.();
}`,
    // Swapped out for a fresh array on flush.
    `let pending: Event[] = [];
export function enqueue(event: Event) {
  pending.push(event);
}
export function flush() {
  const batch = pending;
  pending = [];
  send(batch);
}`,
    // Truncated in place.
    `const buffer: string[] = [];
export function log(line: string) {
  buffer.push(line);
  if (buffer.length > 100) flush();
}
function flush() {
  process.stdout.write(buffer.join('\\n'));
  buffer.length = 0;
}`,
    // A filled table is data, and a WeakMap lets its keys go.
    `const EXTENSIONS: Record<string, string> = { '.ts': 'ts', '.js': 'js' };
const tags = new WeakMap<object, string>();
export function learn(ext: string, lang: string, node: object) {
  EXTENSIONS[ext] = lang;
  tags.set(node, lang);
}`,
    // Handed to a function that may prune it.
    `const seen = new Set<string>();
export function visit(id: string) {
  seen.add(id);
  prune(seen);
}`,
    // Keyed by a node type: as many entries as there are types.
    `const CHILD_KEYS = new Map<string, string[]>();
export function childKeys(node: { type: string }) {
  let keys = CHILD_KEYS.get(node.type);
  if (!keys) CHILD_KEYS.set(node.type, (keys = Object.keys(node)));
  return keys;
}`,
    // A local of the same name is a different collection.
    `const cache = new Map();
export function build(items: Item[]) {
  const cache = new Map();
  for (const item of items) cache.set(item.id, item);
  return cache;
}`,
  ],
  invalid: [
    {
      code: `const cache = new Map<string, Promise<User>>();
export function getUser(id: string) {
  let pending = cache.get(id);
  if (!pending) {
    pending = fetchUser(id);
    cache.set(id, pending);
  }
  return pending;
}`,
      errors: [{ line: 1, messageId: 'unbounded' }],
    },
    {
      code: `const compiled: Record<string, RegExp> = {};
export function glob(pattern: string) {
  return (compiled[pattern] ??= toRegExp(pattern));
}`,
      errors: 1,
    },
    {
      filename: 'lib/audit.js',
      code: `const history = [];
export function record(event) {
  history.push({ event, at: Date.now() });
}`,
      errors: 1,
    },
    {
      code: `const seen = new Set<string>();
let counts = Object.create(null);
export function firstTime(key: string) {
  counts[key] = (counts[key] || 0) + 1;
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}`,
      errors: [
        { line: 1, messageId: 'unbounded' },
        { line: 2, messageId: 'unbounded' },
      ],
    },
    {
      // The function that fills it comes first in the file.
      code: `export function remember(key: string, value: unknown) {
  store.set(key, value);
}
const store = new Map<string, unknown>();`,
      errors: [{ line: 4, messageId: 'unbounded' }],
    },
  ],
});

it('names the kind and the line that adds entries', () => {
  const [f] = findings(unboundedModuleCache, `const memo = new Map();\nexport function f(k: string) {\n  memo.set(k, k.length);\n}`);
  expect(f?.message).toMatch(/^module-level Map 'memo' gains entries \(line 3\)/);
  expect(f).toMatchObject({ line: 1, column: 7, endLine: 1, endColumn: 23 });
});
