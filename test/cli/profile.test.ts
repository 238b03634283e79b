// `quarry profile` end to end: the real CLI on fixtures/profile, its --json data, exit codes and the trace file.
import { mkdirSync, readFileSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, quarry, tempDir } from '../helpers.js';
import { checkTraceFile } from '../profile/traceCheck.js';

const fx = (p: string) => join(REPO, 'fixtures', 'profile', p);

describe('quarry profile (end to end)', () => {
  it('--json prints one envelope with the groups of a span file', async () => {
    const r = await quarry(['profile', fx('basic/profile.jsonl'), '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      ok: boolean;
      command: string;
      data: { mode: string; groups: { key: string; count: number; selfUs: number }[] };
    };
    expect(doc).toMatchObject({ ok: true, command: 'profile', data: { mode: 'spans', spans: 8, matched: 8 } });
    expect(doc.data.groups.map((g) => g.key)).toEqual(['search', 'load', 'query', 'index', 'rank']);
    expect(r.stderr).toBe('');
  });

  it('reads .quarry/profile.jsonl and its rotated files, here or the nearest above (or under --root), and prints a table', async () => {
    const root = tempDir();
    mkdirSync(join(root, '.quarry'));
    copyFileSync(fx('basic/profile.jsonl'), join(root, '.quarry', 'profile.1.jsonl'));
    copyFileSync(fx('diff/after.jsonl'), join(root, '.quarry', 'profile.jsonl'));
    const r = await quarry(['profile', '--top', '3', '--sort', 'count'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^13 spans in 7 groups from 2 files \(top 3 by count\)/);
    expect(r.stdout).toMatch(/│ load +│ +3 │/);
    mkdirSync(join(root, 'src', 'deep'), { recursive: true });
    const below = await quarry(['profile', '--json'], { cwd: join(root, 'src', 'deep') });
    expect(JSON.parse(below.stdout).data.spans).toBe(13);
    const rooted = await quarry(['profile', '--root', join(root, 'src')]);
    expect(rooted.code).toBe(2);
  });

  it('a missing file exits 2 naming it; no profile at all exits 2 too', async () => {
    const missing = join(tempDir(), 'nope.jsonl');
    const r = await quarry(['profile', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(missing);
    const none = await quarry(['profile', '--json', '--root', tempDir()]); // --root: no walking up into a stray /tmp/.quarry
    expect(none.code).toBe(2);
    expect(JSON.parse(none.stdout)).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('an empty file gives zero groups and exit 0', async () => {
    const f = join(tempDir(), 'empty.jsonl');
    writeFileSync(f, '');
    const r = await quarry(['profile', f, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).data).toMatchObject({ spans: 0, totalGroups: 0, groups: [] });
  });

  it('garbage lines are counted, warned about once on stderr, and the exit code stays 0', async () => {
    const r = await quarry(['profile', fx('garbage/profile.jsonl'), '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { data: { skipped: unknown }; warnings: string[] };
    expect(doc.data.skipped).toEqual({ torn: 2, notJson: 1, notSpan: 2 });
    expect(doc.warnings).toHaveLength(1);
    expect(r.stderr.match(/warning/g)).toHaveLength(1);
  });

  it('--trace writes a valid Chrome Trace Event file', async () => {
    const out = join(tempDir(), 'trace.json');
    const r = await quarry(['profile', fx('basic/profile.jsonl'), '--trace', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(out);
    expect(checkTraceFile(JSON.parse(readFileSync(out, 'utf8')))).toHaveLength(8);
  });

  it('--diff ranks what got slower; --fail-on-regression exits 1 past the threshold and 0 under it', async () => {
    const a = fx('diff/before.jsonl');
    const b = fx('diff/after.jsonl');
    const fail = await quarry(['profile', '--diff', a, b, '--fail-on-regression', '10', '--json']);
    expect(fail.code).toBe(1);
    const d = JSON.parse(fail.stdout) as { data: { mode: string; regressions: string[] } };
    expect(d.data).toMatchObject({ mode: 'diff', regressions: ['parse', 'search'] });
    const pass = await quarry(['profile', '--diff', a, b, '--fail-on-regression', '250']);
    expect(pass.code).toBe(0);
    expect(pass.stdout).toMatch(/parse .*×3\.00/);
    const runs = await quarry(['profile', '--diff', fx('diff/both.jsonl'), 'b1', 'a1', '--fail-on-regression', '10']);
    expect(runs.code).toBe(1);
    const unknown = await quarry(['profile', '--diff', fx('diff/both.jsonl'), 'b1', 'zz']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('run zz');
  });

  it('has --help with examples, and refuses options that do not apply instead of ignoring them', async () => {
    const help = await quarry(['profile', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:\n {2}quarry profile/);
    const a = fx('diff/before.jsonl');
    const r = await quarry(['profile', '--diff', a, fx('diff/after.jsonl'), '--trace', join(tempDir(), 't.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--trace does not apply to --diff');
    const mixed = await quarry(['profile', a, join(tempDir(), 'x.cpuprofile')]);
    expect(mixed.code).toBe(2);
  });

  it('summarizes a .cpuprofile written by node --cpu-prof', async () => {
    const dir = tempDir();
    const { spawnSync } = await import('node:child_process');
    spawnSync(process.execPath, [
      '--cpu-prof',
      '--cpu-prof-dir',
      dir,
      '--cpu-prof-name',
      'p.cpuprofile',
      '-e',
      'let x=0; for (let i=0;i<3e7;i++) x+=i; console.log(x)',
    ]);
    const r = await quarry(['profile', join(dir, 'p.cpuprofile'), '--top', '5', '--json']);
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout).data as { mode: string; samples: number; functions: { function: string; totalUs: number }[] };
    expect(data.mode).toBe('cpuprofile');
    expect(data.samples).toBeGreaterThan(0);
    expect(data.functions.length).toBeGreaterThan(0);
    expect(data.functions.length).toBeLessThanOrEqual(5);
  });
});
