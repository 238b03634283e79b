// bin/quarry.js runs the bundle the build makes of commands/ and commander (dist/commands/main.bundle.js): a command
// started from it loads no commander module from node_modules, and behaves as the compiled commands do.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

import { BIN, REPO } from '../helpers.js';

it('the launcher runs the bundled commands, loading no commander module', () => {
  expect(existsSync(join(REPO, 'dist', 'commands', 'main.bundle.js'))).toBe(true);
  const script = `
    import { createRequire } from 'node:module';
    const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('commander'));
    process.argv = [process.argv[0], ${JSON.stringify(BIN)}, '--version'];
    process.on('exit', () => process.stderr.write(JSON.stringify(loaded())));
    await import(${JSON.stringify(pathToFileURL(BIN).href)});
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  expect(run.status).toBe(0);
  expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  expect(JSON.parse(run.stderr)).toEqual([]);
});

it('the compiled commands, run without the bundle, answer the same', () => {
  const viaBin = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  const script = `import { main } from ${JSON.stringify(pathToFileURL(join(REPO, 'dist', 'commands', 'main.js')).href)}; main(['--help']);`;
  const compiled = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(viaBin.status).toBe(0);
  expect(compiled.status).toBe(0);
  expect(viaBin.stdout).toContain('Usage: quarry');
  expect(compiled.stdout).toBe(viaBin.stdout);
});
