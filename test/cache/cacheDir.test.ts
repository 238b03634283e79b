// Where the cache lives and how its keys are spelled.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { cacheKey, defaultCacheDir } from '../../src/cache/cache.js';

describe('defaultCacheDir', () => {
  it('prefers $QUARRY_CACHE_DIR', () => {
    expect(defaultCacheDir({ QUARRY_CACHE_DIR: '/tmp/q', XDG_CACHE_HOME: '/x' })).toBe('/tmp/q');
  });

  it('else uses $XDG_CACHE_HOME/quarry', () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/xdg' })).toBe(join('/xdg', 'quarry'));
  });

  it('else ~/.cache/quarry, ignoring empty variables and a relative XDG_CACHE_HOME', () => {
    const home = join(homedir(), '.cache', 'quarry');
    expect(defaultCacheDir({})).toBe(home);
    expect(defaultCacheDir({ QUARRY_CACHE_DIR: '', XDG_CACHE_HOME: '' })).toBe(home);
    expect(defaultCacheDir({ XDG_CACHE_HOME: 'relative/dir' })).toBe(home);
  });
});

describe('cacheKey', () => {
  it('is <namespace>:<version>:<content-hash>', () => {
    expect(cacheKey('tokens', 3, 'ab12')).toBe('tokens:3:ab12');
    expect(cacheKey('scan', '1.2.0', 'ff')).toBe('scan:1.2.0:ff');
  });

  it('rejects a namespace that could swallow another one on clear', () => {
    expect(() => cacheKey('a:b', 1, 'h')).toThrow(TypeError);
    expect(() => cacheKey('', 1, 'h')).toThrow(TypeError);
  });
});
