import { expect, it } from 'vitest';
import { constructorInLoop } from '../../../src/scan/rules/constructor-in-loop.js';
import { findings, testRule } from './ruleTester.js';

// Loops are for/for-of/for-in/while/do-while bodies (and tests/updates) and the callbacks of array iteration methods
// (forEach, map, filter, reduce, some, find, …); a function merely defined in a loop is not.
testRule(constructorInLoop, {
  valid: [
    // Built from the item: a different pattern each time, nothing to hoist.
    `export function matchAll(lines: string[], words: string[]) {
  for (const word of words) {
    const re = new RegExp(\`\\\\b\${word}\\\\b\`, 'i');
    if (lines.some((l) => re.test(l))) return word;
  }
}`,
    `export function compile(rules: { pattern: string }[]) {
  return rules.map((rule) => new RegExp(rule.pattern));
}`,
    // Hoisted already.
    `const TODO = new RegExp('TODO|FIXME', 'g');
export function count(files: string[]) {
  let n = 0;
  for (const text of files) n += (text.match(TODO) ?? []).length;
  return n;
}`,
    // Loading each plugin is the point of the loop.
    `export async function loadPlugins(paths: string[]) {
  const plugins = [];
  for (const path of paths) plugins.push(await import(path));
  return plugins;
}`,
    `module.exports = function load(names) {
  return names.map((name) => require('./handlers/' + name));
};`,
    // Starting a fixed pool: one worker per slot.
    `import { Worker } from 'node:worker_threads';
import os from 'node:os';
export function startPool(size: number) {
  const workers: Worker[] = [];
  for (let i = 0; i < size; i++) workers.push(new Worker(new URL('./worker.js', import.meta.url)));
  const more = Array.from({ length: size }, () => new Worker('./worker.js'));
  const perCore = os.cpus().map(() => new Worker('./worker.js'));
  const pair = [0, 1].map((id) => new Worker('./worker.js', { workerData: { id } }));
  return [...workers, ...more, ...perCore, ...pair];
}`,
    // A function defined in the loop runs when called, not per iteration.
    `export function handlers(names: string[]) {
  const out = [];
  for (const name of names) out.push(() => new RegExp('^x'));
  for (const name of names) out.push(function check(s: string) { return new RegExp('^x').test(s); });
  return out;
}`,
    // The pattern variable changes inside the loop.
    `export function scan(text: string, patterns: string[]) {
  let source = '';
  for (let i = 0; i < patterns.length; i++) {
    source = patterns[i]!;
    if (new RegExp(source).test(text)) return i;
  }
  return -1;
}`,
  ],
  invalid: [
    {
      code: `export function stripComments(lines: string[]) {
  const out = [];
  for (const line of lines) {
    out.push(line.replace(new RegExp('//.*$'), ''));
  }
  return out;
}`,
      errors: [{ line: 4, messageId: 'regexp' }],
    },
    {
      // The pattern only reads variables that do not change in the loop: still the same RegExp every time.
      code: `export function grep(lines: string[], needle: string) {
  return lines.filter((line) => new RegExp(needle, 'i').test(line));
}`,
      errors: [{ line: 2, messageId: 'regexp' }],
    },
    {
      filename: 'lib/render.js',
      code: `function render(items) {
  let html = '';
  for (let i = 0; i < items.length; i++) {
    const escape = require('escape-html');
    html += '<li>' + escape(items[i]) + '</li>';
  }
  return html;
}
module.exports = render;`,
      errors: [{ line: 4, messageId: 'require' }],
    },
    {
      code: `import { Worker } from 'node:worker_threads';
export async function resizeAll(images: string[]) {
  for (const image of images) {
    const worker = new Worker('./resize.js', { workerData: image });
    await once(worker, 'exit');
  }
}`,
      errors: [{ line: 4, messageId: 'worker' }],
    },
    {
      code: `export async function highlightAll(blocks: Block[]) {
  let i = 0;
  while (i < blocks.length) {
    const { highlight } = await import('./highlight.js');
    blocks[i] = highlight(blocks[i]!);
    i++;
  }
  blocks.forEach((b) => {
    b.title = b.title.replace(RegExp(\`^\\\\s+\`), '');
  });
}`,
      errors: [
        { line: 4, messageId: 'import' },
        { line: 9, messageId: 'regexp' },
      ],
    },
  ],
});

it('quotes the pattern and names the loop', () => {
  const [f] = findings(constructorInLoop, `for (const l of lines) new RegExp('^#', 'm').test(l);`);
  expect(f?.message).toBe(
    "new RegExp('^#', 'm') is compiled again on every iteration of this for-of loop; build it once before the loop (reset lastIndex if it has the g flag).",
  );
});
