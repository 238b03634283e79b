import { expect, it } from 'vitest';
import { syncChildProcess } from '../../../src/scan/rules/sync-child-process.js';
import { findings, testRule } from './ruleTester.js';

const SYNC_GIT = `import { execSync } from 'node:child_process';
export const head = () => execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();`;

testRule(syncChildProcess, {
  valid: [
    // CLI entry points: a shebang, bin/, scripts/, cli.*.
    `#!/usr/bin/env node
import { execSync } from 'node:child_process';
execSync('npm run build', { stdio: 'inherit' });`,
    { filename: 'bin/release.js', code: SYNC_GIT },
    { filename: 'packages/app/scripts/version.ts', code: SYNC_GIT },
    { filename: 'src/cli.ts', code: SYNC_GIT },
    { filename: 'C:\\repo\\tools\\bin\\build.ts', code: SYNC_GIT },
    // Asynchronous calls.
    `import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
const run = promisify(execFile);
export async function head() {
  return (await run('git', ['rev-parse', 'HEAD'])).stdout.trim();
}`,
    // Someone else's execSync.
    `import { execSync } from './sandbox.js';
export const result = execSync('1 + 1');`,
  ],
  invalid: [
    { code: SYNC_GIT, errors: [{ line: 2, messageId: 'syncChild' }] },
    {
      filename: 'lib/convert.js',
      code: `const cp = require('child_process');
module.exports = function convert(input, output) {
  cp.execFileSync('ffmpeg', ['-i', input, output]);
};`,
      errors: 1,
    },
    {
      code: `import * as childProcess from 'child_process';
import { spawnSync as run } from 'node:child_process';
export function check(file: string) {
  const lint = childProcess.spawnSync('eslint', [file]);
  return lint.status === 0 && run('tsc', ['--noEmit']).status === 0;
}`,
      errors: [
        { line: 4, messageId: 'syncChild' },
        { line: 5, messageId: 'syncChild' },
      ],
    },
    {
      // Named like a CLI but not one: cli/ as a directory, clients.ts as a file.
      filename: 'src/cli/clients.ts',
      code: `const { execSync } = require('node:child_process');
export function whoami() {
  return require('child_process').execSync('whoami').toString();
}
export const user = execSync('id -un').toString();`,
      errors: 2,
    },
  ],
});

it('names the asynchronous replacement', () => {
  expect(findings(syncChildProcess, SYNC_GIT)[0]?.message).toBe(
    'execSync() blocks the whole process until the child exits; outside a CLI entry point use the asynchronous exec() (promisified) instead.',
  );
});
