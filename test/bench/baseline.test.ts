// Baselines: atomic save, load, and comparisons on synthetic samples whose answer is known by construction.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare, loadBaseline, saveBaseline, type Baseline } from '../../src/bench/baseline.js';
import { summarize, type BenchmarkResult } from '../../src/bench/result.js';
import { mulberry32 } from '../../src/bench/runner.js';
import { SELF_IGNORE } from '../../src/index/indexPath.js';
import { tempDir } from '../helpers.js';

/** n normal-ish times around `mu` with relative noise `rel` (sum of uniforms), from a fixed seed. */
function sample(command: string, mu: number, rel: number, n: number, seed: number): BenchmarkResult {
  const r = mulberry32(seed);
  const times = Array.from({ length: n }, () => mu * (1 + rel * (r() + r() + r() - 1.5)));
  return summarize({ command, times, user: times.map(() => 0), system: times.map(() => 0), exitCodes: times.map(() => 0) });
}

const base = (results: BenchmarkResult[]): Baseline => ({ schemaVersion: 1, name: 'b', savedAt: '', results });

describe('saveBaseline / loadBaseline', () => {
  it('writes .quarry/bench/NAME.json through a temp file and reads it back', () => {
    const root = tempDir();
    const r = [sample('a', 1, 0.01, 10, 1)];
    const path = saveBaseline(root, 'main', r, new Date(0));
    expect(path).toBe(join(root, '.quarry/bench/main.json'));
    expect(readdirSync(join(root, '.quarry/bench'))).toEqual(['main.json']);
    // The .quarry folder it made ignores itself, as the index's does.
    expect(readFileSync(join(root, '.quarry/.gitignore'), 'utf8')).toBe(SELF_IGNORE);
    expect(loadBaseline(root, 'main')).toEqual({ schemaVersion: 1, name: 'main', savedAt: '1970-01-01T00:00:00.000Z', results: r });
    expect(JSON.parse(readFileSync(path, 'utf8')).results[0].command).toBe('a');
  });
  it('names a missing baseline and refuses a name that is a path', () => {
    const root = tempDir();
    expect(() => loadBaseline(root, 'nope')).toThrow(/no baseline "nope"/);
    expect(() => saveBaseline(root, '../x', [])).toThrow(/baseline name/);
    expect(existsSync(join(root, 'x.json'))).toBe(false);
  });
});

describe('compare', () => {
  const before = sample('cmd', 0.1, 0.02, 30, 1);
  for (const test of ['welch', 'mann-whitney'] as const) {
    it(`${test}: a 20% slowdown is slower, a 20% speedup faster, the same distribution no significant change`, () => {
      const b = base([before]);
      expect(compare([sample('cmd', 0.12, 0.02, 30, 2)], b, { test })[0]!.verdict).toBe('slower');
      expect(compare([sample('cmd', 0.08, 0.02, 30, 3)], b, { test })[0]!.verdict).toBe('faster');
      const same = compare([sample('cmd', 0.1, 0.02, 30, 4)], b, { test })[0]!;
      expect(same.verdict).toBe('no significant change');
      expect(same.p!).toBeGreaterThan(0.05);
    });
  }
  it('a significant but tiny (2%) change is below the minimum effect size', () => {
    const b = base([sample('cmd', 0.1, 0.001, 50, 1)]);
    const c = compare([sample('cmd', 0.102, 0.001, 50, 2)], b, { test: 'welch' })[0]!;
    expect(c.p!).toBeLessThan(0.001);
    expect(c.verdict).toBe('no significant change');
    expect(compare([sample('cmd', 0.102, 0.001, 50, 2)], b, { test: 'welch', minEffect: 0.01 })[0]!.verdict).toBe('slower');
  });
  it('says so when there are too few runs, or the command is not in the baseline', () => {
    const b = base([sample('cmd', 0.1, 0.02, 3, 1)]);
    expect(compare([sample('cmd', 0.2, 0.02, 30, 2)], b, { test: 'welch' })[0]!.verdict).toBe('too few runs');
    expect(compare([sample('other', 0.2, 0.02, 30, 2)], b, { test: 'welch' })[0]!.verdict).toBe('not in baseline');
  });
});
