import { expect, it } from 'vitest';
import { writeInLoop } from '../../../src/scan/rules/write-in-loop.js';
import { findings, testRule } from './ruleTester.js';

testRule(writeInLoop, {
  valid: [
    // One file per item: that output has to be written.
    `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
export function emit(outDir: string, modules: Module[]) {
  for (const mod of modules) writeFileSync(join(outDir, mod.name + '.js'), mod.code);
}`,
    `import fs from 'node:fs/promises';
export async function save(pages: Page[]) {
  await Promise.all(pages.map((page) => fs.writeFile(\`out/\${page.slug}.html\`, page.html)));
}`,
    // Written once, after the loop.
    `import { appendFileSync } from 'fs';
export function report(results: Result[], logFile: string) {
  const lines = [];
  for (const r of results) lines.push(\`\${r.name}: \${r.ok ? 'ok' : 'FAILED'}\`);
  appendFileSync(logFile, lines.join('\\n') + '\\n');
}`,
    // A stream kept open: stream.write is not an fs module call.
    `import { createWriteStream } from 'node:fs';
export function dump(rows: string[][], path: string) {
  const out = createWriteStream(path);
  for (const row of rows) out.write(row.join(',') + '\\n');
  out.end();
}`,
    // Someone else's writeFile.
    `import { writeFile } from './memoryFs.js';
export function fill(lines: string[]) {
  for (const line of lines) writeFile('/log', line);
}`,
    // Indexed file names.
    `const fs = require('fs');
module.exports = function shard(chunks) {
  for (let i = 0; i < chunks.length; i++) fs.writeFileSync('part-' + i + '.json', JSON.stringify(chunks[i]));
};`,
  ],
  invalid: [
    {
      code: `import { appendFileSync } from 'node:fs';
export function log(events: Event[], logFile: string) {
  for (const event of events) {
    appendFileSync(logFile, JSON.stringify(event) + '\\n');
  }
}`,
      errors: [{ line: 4, messageId: 'append' }],
    },
    {
      // Checkpointing by rewriting the whole, growing file each time.
      code: `import fs from 'node:fs';
export function crawl(urls: string[]) {
  const results = [];
  for (const url of urls) {
    results.push(fetchSync(url));
    fs.writeFileSync('results.json', JSON.stringify(results));
  }
}`,
      errors: [{ line: 6, messageId: 'rewrite' }],
    },
    {
      code: `import { promises as fsp } from 'fs';
import fs from 'fs';
export async function record(lines: string[], path: string) {
  lines.forEach((line) => fsp.appendFile(path, line + '\\n'));
  for (const line of lines) await fs.promises.appendFile(path, line);
}`,
      errors: [
        { line: 4, messageId: 'append' },
        { line: 5, messageId: 'append' },
      ],
    },
    {
      filename: 'scripts/progress.cjs',
      code: `const { writeFileSync } = require('node:fs');
const fse = require('fs-extra');
let done = 0;
while (done < total) {
  step();
  done++;
  writeFileSync(STATUS_FILE, String(done));
  fse.outputJsonSync('state/progress.json', { done });
}`,
      errors: [
        { line: 7, messageId: 'rewrite' },
        { line: 8, messageId: 'rewrite' },
      ],
    },
  ],
});

it('names the call, the file and the loop', () => {
  const code = `import { appendFileSync } from 'fs';\nfor (const l of lines) appendFileSync('app.log', l);`;
  expect(findings(writeInLoop, code)[0]?.message).toBe(
    "appendFileSync() inside a for-of loop opens, appends to and closes 'app.log' on every iteration; collect the output and write once, or keep one fs.createWriteStream() open.",
  );
});
