// Where quarry's user-level cache lives: one rule, shared by the CLI, the tests and the docs.
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * The cache directory: `$QUARRY_CACHE_DIR`, else `$XDG_CACHE_HOME/quarry`, else `~/.cache/quarry`.
 * Empty variables count as unset, and a relative `XDG_CACHE_HOME` is ignored, as the XDG spec asks.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['QUARRY_CACHE_DIR'];
  if (explicit !== undefined && explicit !== '') return explicit;
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg !== undefined && xdg !== '' && isAbsolute(xdg)) return join(xdg, 'quarry');
  return join(homedir(), '.cache', 'quarry');
}
