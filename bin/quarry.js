#!/usr/bin/env node
// Launcher: everything lives in the built CLI (npm install builds it via `prepare`). The build also bundles
// commands/ and commander into one file, which starts faster than their ~30 modules one by one; a bundle older
// than the compiled commands (tsc run on its own, without `npm run build`) is not used.
import { statSync } from 'node:fs';

const compiled = new URL('../dist/commands/main.js', import.meta.url);
const bundled = new URL('../dist/commands/main.bundle.js', import.meta.url);

function entry() {
  try {
    return statSync(bundled).mtimeMs >= statSync(compiled).mtimeMs ? bundled : compiled;
  } catch {
    return compiled;
  }
}

const { main } = await import(entry().href);
main(process.argv.slice(2));
