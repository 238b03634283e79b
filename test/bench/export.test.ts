// Exporters against fixtures written by hyperfine 1.15 itself (`hyperfine -N --runs 3 -L n 1,2 'sleep 0.0{n}'
// --export-json/--export-markdown/--export-csv`): fed hyperfine's results, each must write hyperfine's file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPORTERS } from '../../src/bench/export/index.js';
import type { BenchmarkResult } from '../../src/bench/result.js';
import { summarize } from '../../src/bench/result.js';
import { REPO } from '../helpers.js';

const fixture = (ext: string) => readFileSync(join(REPO, 'fixtures/bench', `hyperfine-1.15.${ext}`), 'utf8');
const hyperfine = JSON.parse(fixture('json')) as { results: BenchmarkResult[] };

describe('exporters', () => {
  it('json: hyperfine’s document, byte for byte', () => {
    expect(EXPORTERS.json.serialize(hyperfine.results)).toBe(fixture('json').trimEnd() + '\n');
  });
  it('summarize: hyperfine’s mean, stddev, median, min and max of the same times', () => {
    for (const h of hyperfine.results) {
      const r = summarize({
        command: h.command,
        parameters: h.parameters,
        times: h.times,
        user: [h.user],
        system: [h.system],
        exitCodes: h.exit_codes,
      });
      expect(r.mean).toBeCloseTo(h.mean, 15);
      expect(r.stddev!).toBeCloseTo(h.stddev!, 15);
      expect(r.median).toBe(h.median);
      expect([r.min, r.max]).toEqual([h.min, h.max]);
      expect(Object.keys(r)).toEqual(Object.keys(h));
    }
  });
  it('markdown: hyperfine’s table', () => {
    expect(EXPORTERS.markdown.serialize(hyperfine.results)).toBe(fixture('md'));
  });
  it('csv: hyperfine’s columns with parameter_<name>', () => {
    expect(EXPORTERS.csv.serialize(hyperfine.results).trimEnd()).toBe(fixture('csv').trimEnd());
  });
  it('bmf: latency in nanoseconds, mean ∓ stddev as bounds', () => {
    const doc = JSON.parse(EXPORTERS.bmf.serialize(hyperfine.results)) as Record<string, { latency: Record<string, number> }>;
    expect(Object.keys(doc)).toEqual(['sleep 0.01', 'sleep 0.02']);
    const l = doc['sleep 0.01']!.latency;
    expect(l.value).toBeCloseTo(11796201.333333334, 3);
    expect(l.lower_value).toBeCloseTo(11796201.333333334 - 81082.84239179924, 3);
    expect(l.upper_value).toBeCloseTo(11796201.333333334 + 81082.84239179924, 3);
  });
});
