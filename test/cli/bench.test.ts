// `quarry bench` end to end: bin/quarry.js timing real child processes; the JSON shapes, exports, exit codes,
// baselines and an interrupted run.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchData } from '../../commands/bench.js';
import { BIN, REPO, quarry, tempDir } from '../helpers.js';

interface Envelope {
  schemaVersion: number;
  command: string;
  ok: boolean;
  data: BenchData;
  error?: { code: string; message: string };
}

const HYPERFINE_KEYS = ['command', 'mean', 'stddev', 'median', 'user', 'system', 'min', 'max', 'times', 'exit_codes'];
const hyperfineFixture = JSON.parse(readFileSync(join(REPO, 'fixtures/bench/hyperfine-1.15.json'), 'utf8')) as {
  results: Record<string, unknown>[];
};

/** Checks one results[] entry against hyperfine's shape: the same keys in the same order and the same types. */
function expectHyperfineShape(r: Record<string, unknown>, runs: number): void {
  const keys = Object.keys(hyperfineFixture.results[0]!).filter((k) => k in r);
  expect(Object.keys(r)).toEqual(keys);
  for (const k of ['mean', 'stddev', 'median', 'user', 'system', 'min', 'max']) expect(typeof r[k]).toBe('number');
  expect(r.times).toHaveLength(runs);
  expect(r.exit_codes).toEqual(new Array(runs).fill(0));
  expect(r.min as number).toBeLessThanOrEqual(r.median as number);
  expect(r.median as number).toBeLessThanOrEqual(r.max as number);
}

describe('quarry bench', () => {
  it('--json: hyperfine’s result fields in the envelope, seconds, one time per run', async () => {
    const r = await quarry(['bench', '--runs', '3', '--seed', '1', '--json', '--', 'node -e 0']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Envelope;
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'bench', ok: true });
    expect(doc.data.seed).toBe(1);
    expect(doc.data.shellOverhead).toBeGreaterThan(0);
    const res = doc.data.results[0] as unknown as Record<string, unknown>;
    expect(Object.keys(res)).toEqual(HYPERFINE_KEYS);
    expectHyperfineShape(res, 3);
    // node -e 0 takes milliseconds, not seconds or microseconds
    expect(res.mean as number).toBeGreaterThan(0.001);
    expect(res.mean as number).toBeLessThan(10);
  });

  it('prints a block per command and a summary, like hyperfine', async () => {
    const r = await quarry(['bench', '-N', '--runs', '2', '--', 'true', 'node -e 0']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Benchmark 1: true\n {2}Time \(mean ± σ\): .* \[User: .*, System: .*\]\n {2}Range \(min … max\): .* 2 runs/);
    expect(r.stdout).toMatch(/Benchmark 2: node -e 0/);
    expect(r.stdout).toMatch(/Summary\n {2}true ran\n {4}\d+\.\d\d ± \d+\.\d\d times faster than node -e 0/);
  });

  it('one run: hyperfine’s "abs ≡" line; --output inherit lets the command write to stdout', async () => {
    const r = await quarry(['bench', '-N', '--runs', '1', '--output', 'inherit', '--', 'echo hello-from-child']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^hello-from-child$/m);
    expect(r.stdout).toMatch(/Time \(abs ≡\): +\d/);
    const quiet = await quarry(['bench', '-N', '--runs', '1', '--', 'echo hello-from-child']);
    expect(quiet.stdout).not.toMatch(/^hello-from-child$/m);
  });

  it('--export-json writes hyperfine’s document, with parameters when scanning; csv and markdown alongside', async () => {
    const dir = tempDir();
    const r = await quarry([
      'bench', '-N', '--runs', '2', '-L', 'n', '1,2',
      '--export-json', join(dir, 'out.json'), '--export-csv', join(dir, 'out.csv'), '--export-markdown', join(dir, 'out.md'), '--export-bmf', join(dir, 'bmf.json'),
      '--', 'sleep 0.00{n}',
    ]); // prettier-ignore
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { results: Record<string, unknown>[] };
    expect(Object.keys(doc)).toEqual(['results']);
    expect(doc.results.map((x) => [x.command, x.parameters])).toEqual([
      ['sleep 0.001', { n: '1' }],
      ['sleep 0.002', { n: '2' }],
    ]);
    for (const x of doc.results) {
      expect(Object.keys(x)).toEqual(Object.keys(hyperfineFixture.results[0]!));
      expectHyperfineShape(x, 2);
    }
    expect(readFileSync(join(dir, 'out.csv'), 'utf8').split('\n')[0]).toBe('command,mean,stddev,median,user,system,min,max,parameter_n');
    expect(readFileSync(join(dir, 'out.md'), 'utf8')).toMatch(/^\| Command \| Mean \[ms\] \| Min \[ms\] \| Max \[ms\] \| Relative \|\n/);
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'bmf.json'), 'utf8')) as object)).toEqual(['sleep 0.001', 'sleep 0.002']);
  });

  it('exits 2 naming a command that is not found, and a failing command with its exit code', async () => {
    const nf = await quarry(['bench', '--runs', '2', '--', 'no-such-command-xyz']);
    expect(nf.code).toBe(2);
    expect(nf.stderr).toMatch(/command not found.*no-such-command-xyz/);
    const nfNone = await quarry(['bench', '-N', '--runs', '2', '--json', '--', 'no-such-command-xyz']);
    expect(nfNone.code).toBe(2);
    expect((JSON.parse(nfNone.stdout) as Envelope).error!.message).toMatch(/no-such-command-xyz/);
    const fail = await quarry(['bench', '--runs', '2', '--', 'exit 3']);
    expect(fail.code).toBe(2);
    expect(fail.stderr).toMatch(/"exit 3" failed with exit code 3/);
    const ignored = await quarry(['bench', '--runs', '2', '-i', '--json', '--', 'exit 3']);
    expect(ignored.code).toBe(0);
    expect((JSON.parse(ignored.stdout) as Envelope).data.results[0]!.exit_codes).toEqual([3, 3]);
  });

  it('--save then --compare: a 20× slower command is slower, and --fail-on-regression exits 1', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'd'), '0.01');
    const cmd = 'sleep $(cat d)';
    const saved = await quarry(['bench', '--runs', '6', '--save', 'base', '--', cmd], { cwd: dir });
    expect(saved.code, saved.stderr).toBe(0);
    expect(existsSync(join(dir, '.quarry/bench/base.json'))).toBe(true);
    writeFileSync(join(dir, 'd'), '0.2');
    const r = await quarry(['bench', '--runs', '6', '--compare', 'base', '--fail-on-regression', '--json', '--', cmd], { cwd: dir });
    expect(r.code).toBe(1);
    const c = (JSON.parse(r.stdout) as Envelope).data.comparison!;
    expect(c.commands[0]).toMatchObject({ command: cmd, verdict: 'slower' });
    expect(c.commands[0]!.ratio!).toBeGreaterThan(1.05);
    const few = await quarry(['bench', '--runs', '2', '--compare', 'base', '--', cmd], { cwd: dir });
    expect(few.code).toBe(0);
    expect(few.stdout).toMatch(/too few runs/);
    const missing = await quarry(['bench', '--runs', '2', '--compare', 'nope', '--', cmd], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no baseline "nope"/);
  });

  it('-n names a command: the output, --json and baselines use the name, so two builds of one command compare', async () => {
    const dir = tempDir();
    const saved = await quarry(['bench', '--runs', '6', '-n', 'nap', '--save', 'base', '--', 'sleep 0.01'], { cwd: dir });
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toMatch(/^Benchmark 1: nap$/m);
    expect(saved.stdout).not.toContain('sleep 0.01');
    const r = await quarry(['bench', '--runs', '6', '-n', 'nap', '--compare', 'base', '--json', '--', 'sleep 0.2'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Envelope;
    expect(doc.data.results[0]!.command).toBe('nap');
    expect(doc.data.comparison!.commands[0]).toMatchObject({ command: 'nap', verdict: 'slower' });
    const extra = await quarry(['bench', '--runs', '2', '-n', 'a', '-n', 'b', '--', 'true'], { cwd: dir });
    expect(extra.code).toBe(2);
    expect(extra.stderr).toMatch(/-n given 2 times for 1 command/);
  });

  /** Starts a long benchmark, interrupts it once it has recorded runs; its exit code and stdout. */
  async function interrupted(extra: string[]): Promise<{ code: number | null; stdout: string }> {
    const dir = tempDir();
    const marker = join(dir, 'runs');
    const child = spawn(process.execPath, [BIN, 'bench', ...extra, '--runs', '100000', '--', `echo >> ${marker}; sleep 0.01`], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', QUARRY_PROFILE: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const closed = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    // wait for a few recorded runs (the first may be a warmup of the shell), so there is something to print
    while (!existsSync(marker) || readFileSync(marker, 'utf8').length < 4) await new Promise((res) => setTimeout(res, 20));
    child.kill('SIGINT');
    return { code: await closed, stdout };
  }

  it('SIGINT: stops, prints what it measured, exits 130', async () => {
    const { code, stdout } = await interrupted([]);
    expect(code).toBe(130);
    expect(stdout).toMatch(/Benchmark 1: echo .*\n {2}Time \(mean ± σ\)/);
    expect(stdout).toMatch(/interrupted: partial results/);
  });

  it('SIGINT before the first timed run: names the command it was measuring, in text and --json', async () => {
    for (const json of [false, true]) {
      const dir = tempDir();
      const marker = join(dir, 'started');
      const child = spawn(
        process.execPath,
        [BIN, 'bench', ...(json ? ['--json'] : []), '--warmup', '0', '--runs', '2', '--', `echo >> ${marker}; sleep 30`],
        { cwd: dir, env: { ...process.env, NO_COLOR: '1', QUARRY_PROFILE: 'off' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      const closed = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
      // The first timed run has started (and cannot end for 30 s).
      while (!existsSync(marker)) await new Promise((res) => setTimeout(res, 20));
      child.kill('SIGINT');
      expect(await closed).toBe(130);
      if (json) {
        const doc = JSON.parse(stdout) as { data: { partial: boolean; results: unknown[]; unfinished: string[] } };
        expect(doc.data).toMatchObject({ partial: true, results: [], unfinished: [`echo >> ${marker}; sleep 30`] });
      } else
        expect(stdout).toContain(`echo >> ${marker}; sleep 30: interrupted before its first timed run\n(interrupted: partial results)`);
    }
  });

  it('SIGINT under --json: one failure document carrying the partial results', async () => {
    const { code, stdout } = await interrupted(['--json']);
    expect(code).toBe(130);
    const doc = JSON.parse(stdout) as {
      ok: boolean;
      command: string;
      error: { code: string };
      data: { partial: boolean; results: unknown[] };
    };
    expect(doc).toMatchObject({ ok: false, command: 'bench', error: { code: 'interrupted' }, data: { partial: true } });
    expect(doc.data.results.length).toBe(1);
  });
});
