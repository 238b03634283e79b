import { expect, it } from 'vitest';
import { syncFsInAsync } from '../../../src/scan/rules/sync-fs-in-async.js';
import { findings, testRule } from './ruleTester.js';

testRule(syncFsInAsync, {
  valid: [
    // A sync read in a sync function is the caller's choice.
    `import { readFileSync } from 'node:fs';
export function loadConfig(path: string) {
  return JSON.parse(readFileSync(path, 'utf8'));
}`,
    // The nearest function is a sync callback; it is not the async function's body.
    `import fs from 'node:fs';
export async function collect(paths: string[]) {
  const sizes = paths.map((p) => fs.statSync(p).size);
  await report(sizes);
}`,
    `import { promises as fsp } from 'fs';
import fs from 'fs';
export async function read(path: string) {
  const a = await fsp.readFile(path, 'utf8');
  const b = await fs.promises.readFile(path, 'utf8');
  return a + b;
}`,
    // Module top level: runs once at load time.
    `import { readFileSync } from 'fs';
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
export async function version() {
  return pkg.version;
}`,
    // Same name, different module.
    `import { readFileSync } from './virtualFs.js';
export async function load(path: string) {
  return readFileSync(path);
}`,
    // A sync helper declared inside an async function runs as a sync function.
    `import * as fs from 'node:fs';
export async function main() {
  function loadSync() {
    return fs.readFileSync('config.json', 'utf8');
  }
  await start(loadSync());
}`,
    `import { execSync } from 'node:child_process';
export async function head() {
  return execSync('git rev-parse HEAD').toString();
}`,
  ],
  invalid: [
    {
      code: `import fs from 'node:fs';
export async function handler(req: { path: string }) {
  const body = fs.readFileSync(req.path, 'utf8');
  return body;
}`,
      errors: [{ line: 3, messageId: 'syncFs' }],
    },
    {
      code: `import { existsSync, readdirSync as list } from 'fs';
async function scan(dir: string) {
  if (!existsSync(dir)) return [];
  return list(dir);
}`,
      errors: [
        { line: 3, messageId: 'syncFs' },
        { line: 4, messageId: 'syncFs' },
      ],
    },
    {
      filename: 'lib/store.js',
      code: `const fs = require('fs');
class Store {
  async save(data) {
    fs.writeFileSync(this.file, JSON.stringify(data));
  }
}
module.exports = Store;`,
      errors: [{ line: 4, messageId: 'syncFs' }],
    },
    {
      code: `import fse from 'fs-extra';
export const load = async (p: string) => fse.readJsonSync(p);`,
      errors: 1,
    },
    {
      filename: 'lib/size.cjs',
      code: `const { statSync } = require('node:fs');
module.exports = async function size(p) {
  return statSync(p).size + require('fs').lstatSync(p).size;
};`,
      errors: 2,
    },
  ],
});

it('suggests the promise version, and access() for existsSync', () => {
  const code = `import fs from 'fs';
async function f(p: string) {
  fs.existsSync(p);
  fs.readFileSync(p);
}`;
  expect(findings(syncFsInAsync, code).map((f) => f.message)).toEqual([
    'existsSync() blocks the event loop inside an async function; await fs.promises.access() instead.',
    'readFileSync() blocks the event loop inside an async function; await fs.promises.readFile() instead.',
  ]);
});
