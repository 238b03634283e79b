// `quarry bench --suite` on a small real tree (fixtures/bench/suite): real child processes of bin/quarry.js and the
// real peers when installed, then with the peers hidden; the tree left as it was; bad input; the CLI end to end.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseChangeFile, runSuite, type SuiteReport, type SuiteOptions } from '../../src/bench/suite.js';
import { findPeers, resolveTrees } from '../../src/bench/suiteCorpus.js';
import { EDIT_MARKER } from '../../src/bench/suiteEditedFile.js';
import { SUITE_JOBS, TARGETS, judge } from '../../src/bench/suiteTargets.js';
import { QuarryError } from '../../src/util/errors.js';
import { BIN, fixture, quarry, tempDir } from '../helpers.js';

const CHANGED = 'lodash/debounce.js';

function options(tree: string, o: Partial<SuiteOptions> = {}): SuiteOptions {
  return {
    tree,
    scanTree: tree,
    shared: false,
    runs: 1,
    warmup: 0,
    seed: 1,
    interleave: true,
    cwd: tree,
    env: process.env,
    // 1M lines take seconds to write and to read; the e2e test below runs the real size.
    profileLines: 20_000,
    ...o,
  };
}

/** Every row is consistent with its figures: the ratio of the means, the verdict of the target table. */
function expectConsistent(report: SuiteReport): void {
  expect(report.rows.map((r) => r.job)).toEqual([...SUITE_JOBS]);
  for (const row of report.rows) {
    if (row.quarry !== null) {
      expect(row.quarry.mean).toBeGreaterThan(0);
      expect(Number.isFinite(row.quarry.mean)).toBe(true);
    }
    if (row.peer !== null && row.quarry !== null) expect(row.ratio).toBe(row.quarry.mean / row.peer.figure.mean);
    else expect(row.ratio).toBeNull();
    expect(row.verdict).toBe(judge(TARGETS[row.job], row.quarry?.mean ?? null, row.ratio).verdict);
  }
}

// A whole suite is a few dozen child processes, and 1M span lines in the CLI tests: seconds on a quiet machine, more
// under load.
const SUITE_TIMEOUT = { timeout: 180_000 };

describe('runSuite on a small tree', SUITE_TIMEOUT, () => {
  it('times every job once, with each peer that is installed, and leaves the tree as it was', async () => {
    const tree = fixture('bench/suite');
    const file = join(tree, CHANGED);
    const before = { content: readFileSync(file, 'utf8'), mtimeNs: statSync(file, { bigint: true }).mtimeNs };
    const report = await runSuite(options(tree)).done;

    expectConsistent(report);
    const peers = findPeers(process.env);
    expect(report.peers).toEqual(peers);
    const row = (job: string) => report.rows.find((r) => r.job === job)!;
    expect(row('index-cold').peer?.name ?? null).toBe(peers.ctags ? 'ctags -R' : null);
    expect(row('search-rare').peer?.name ?? null).toBe(peers.rg ? 'rg -l -w' : null);
    expect(row('scan-cold').peer?.name ?? null).toBe(peers.cloc ? 'cloc' : null);
    expect(row('scan-warm').peer?.name).toBe('cold scan');
    for (const r of report.rows.filter((r) => r.quarry !== null && r.quarry.unit === 's')) expect(r.quarry!.runs).toBe(1);
    // one result per command timed: index (2 with ctags), re-index (2), search (3 × 1 or 2), scan (2 or 3), profile (1)
    const expected = 1 + (peers.ctags ? 1 : 0) + 2 + 3 * (peers.rg ? 2 : 1) + 2 + (peers.cloc ? 1 : 0) + 1;
    expect(report.results).toHaveLength(expected);
    // the fixture's words are found (exit 0), and the checks of what the re-index jobs measure passed
    for (const r of report.results) expect(r.exit_codes).toEqual([0]);
    expect(report.warnings).toEqual([]);
    expect(row('index-incremental').notes).toEqual([`edits ${CHANGED} before each run`]);
    if (peers.time) expect(row('profile-1m-rss').quarry).toMatchObject({ unit: 'MiB', runs: 1 });

    expect(readFileSync(file, 'utf8')).toBe(before.content);
    expect(statSync(file, { bigint: true }).mtimeNs).toBe(before.mtimeNs);
    expect(existsSync(join(tree, '.quarry', 'index.msgpack'))).toBe(true);
  });

  it('with the peers hidden (PATH without them): absolute figures, verdicts only from absolute targets', async () => {
    const tree = fixture('bench/suite');
    const report = await runSuite(options(tree, { env: { ...process.env, PATH: tempDir() } })).done;

    expectConsistent(report);
    expect(report.peers).toMatchObject({ rg: null, ctags: null, cloc: null });
    for (const r of report.rows) {
      expect(r.quarry === null && r.job !== 'profile-1m-rss').toBe(false);
      if (r.job === 'scan-warm') continue; // its peer is quarry's own cold scan
      expect(r.peer).toBeNull();
      expect(r.ratio).toBeNull();
      const t = TARGETS[r.job];
      expect(r.verdict === 'n/a').toBe(t.absolute === undefined);
      if (t.peer !== null) expect(r.notes[0]).toBe(`${t.peer} not installed: absolute figure only`);
    }
    expect(report.rows.find((r) => r.job === 'index-warm')!.judgedBy).toBe('absolute');
    expect(report.rows.find((r) => r.job === 'search-rare')!.target).toMatch(/needs rg -l -w/);
  });

  it('restores the edited file when the suite fails while the file is edited', async () => {
    const tree = fixture('bench/suite');
    const file = join(tree, CHANGED);
    const before = { content: readFileSync(file, 'utf8'), mtimeNs: statSync(file, { bigint: true }).mtimeNs };
    const run = runSuite(options(tree, { runs: 2, warmup: 1 }));
    // Stop it (its child killed, the job failing with "interrupted") at the first moment the file is seen edited.
    const poll = setInterval(() => {
      if (readFileSync(file, 'utf8').includes(EDIT_MARKER)) {
        clearInterval(poll);
        run.kill();
      }
    }, 2);
    const err = await run.done.then(
      () => null,
      (e: unknown) => e,
    );
    clearInterval(poll);
    expect(err).toBeInstanceOf(QuarryError);
    expect([(err as QuarryError).code, (err as QuarryError).message]).toEqual(['interrupted', 'interrupted']);
    expect(run.rows.map((r) => r.job)).toEqual(['index-cold']);
    expect(readFileSync(file, 'utf8')).toBe(before.content);
    expect(statSync(file, { bigint: true }).mtimeNs).toBe(before.mtimeNs);
  });
});

describe('the file the incremental job edits', () => {
  it('is lodash/debounce.js when the tree has it (as bench/index-vs-ctags.sh), else the first source file quarry walks', () => {
    const tree = fixture('bench/suite');
    expect(chooseChangeFile(tree, undefined)).toBe(CHANGED);
    const other = fixture('bench/suite/app');
    expect(chooseChangeFile(other, undefined)).toBe('App.tsx');
    expect(() => chooseChangeFile(tree, 'nope.js')).toThrow(/nope\.js/);
  });
});

describe('the trees of the suite', () => {
  it('--corpus DIR: DIR for index, search and scan', async () => {
    const tree = fixture('bench/suite');
    expect(await resolveTrees(tree, '/')).toEqual({ tree, scanTree: tree, shared: false });
  });

  it('a missing --corpus directory is bad input naming it', async () => {
    const err = await resolveTrees('no/such/dir', '/tmp').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuarryError);
    expect((err as QuarryError).exitCode).toBe(2);
    expect((err as QuarryError).message).toContain('no/such/dir');
  });

  it('without --corpus and without the shared corpus script: exit 2 with a hint', async () => {
    const err = await resolveTrees(undefined, '/tmp', { script: '/nonexistent/shared/bench/corpus.sh' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuarryError);
    expect((err as QuarryError).exitCode).toBe(2);
    expect((err as QuarryError).message).toContain('/nonexistent/shared/bench/corpus.sh');
    expect((err as QuarryError).hint).toMatch(/--corpus DIR/);
  });
});

interface Envelope {
  schemaVersion: number;
  command: string;
  ok: boolean;
  data: SuiteReport & { partial?: boolean };
  error?: { code: string; message: string; hint: string | null };
}

describe('quarry bench --suite (CLI)', SUITE_TIMEOUT, () => {
  it('--json: the scorecard of every job in the envelope, with 1,000,000 span lines for profile', async () => {
    const tree = fixture('bench/suite');
    const r = await quarry(['bench', '--suite', '--corpus', tree, '--json', '--runs', '1', '--warmup', '0']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Envelope;
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'bench', ok: true, warnings: [] });
    const d = doc.data;
    expect(d).toMatchObject({ tree, scanTree: tree, sharedCorpus: false });
    expect(d.elapsed).toBeGreaterThan(0);
    expect(Object.keys(d.runs).sort()).toEqual(['indexCold', 'profile', 'reindex', 'scan', 'search']);
    for (const g of Object.values(d.runs)) expect(g).toEqual({ warmup: 0, runs: 1 });
    expect(d.rows.map((x) => x.job)).toEqual([...SUITE_JOBS]);
    for (const row of d.rows) {
      expect(Object.keys(row).sort()).toEqual(
        ['commands', 'job', 'judgedBy', 'label', 'notes', 'peer', 'quarry', 'ratio', 'ratioAs', 'target', 'verdict'].sort(),
      );
      expect(['goal', 'must', 'miss', 'n/a']).toContain(row.verdict);
      expect(row.commands.length).toBeGreaterThan(0);
    }
    expect(d.rows.find((x) => x.job === 'profile-1m')!.notes).toContain('1000000 span lines');
    // hyperfine's results[] shape for every command timed
    for (const res of d.results)
      expect(Object.keys(res)).toEqual(['command', 'mean', 'stddev', 'median', 'user', 'system', 'min', 'max', 'times', 'exit_codes']);
  });

  it('prints a scorecard table with a verdict per job', async () => {
    const tree = fixture('bench/suite');
    const r = await quarry(['bench', '--suite', '--corpus', tree, '--runs', '1', '--warmup', '0'], { env: { PATH: tempDir() } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/job +│ quarry +│ peer +│ ratio +│ target +│ verdict/);
    for (const job of SUITE_JOBS) expect(r.stdout).toContain(TARGETS[job].label);
    expect(r.stdout).toMatch(/re-index, nothing changed +│ [\d.]+ m?s +│ – +│ – +│ ≤ 1 s \(goal 0\.3 s\) +│ (goal|must|miss)/);
    expect(r.stdout).toMatch(/index-cold: ctags -R not installed: absolute figure only/);
  });

  it('SIGINT: restores the edited file, prints the jobs measured so far and exits 130', async () => {
    const tree = fixture('bench/suite');
    const file = join(tree, CHANGED);
    const before = { content: readFileSync(file, 'utf8'), mtimeNs: statSync(file, { bigint: true }).mtimeNs };
    const child = spawn(process.execPath, [BIN, 'bench', '--suite', '--corpus', tree, '--json', '--runs', '3', '--warmup', '1'], {
      env: { ...process.env, NO_COLOR: '1', QUARRY_PROFILE: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const poll = setInterval(() => {
      if (readFileSync(file, 'utf8').includes(EDIT_MARKER)) {
        clearInterval(poll);
        child.kill('SIGINT');
      }
    }, 2);
    const code = await exited;
    clearInterval(poll);
    expect(code).toBe(130);
    const doc = JSON.parse(stdout) as Envelope;
    expect(doc).toMatchObject({ ok: false, error: { code: 'interrupted' }, data: { partial: true, tree } });
    expect(doc.data.rows.map((x) => x.job)).toEqual(['index-cold']);
    expect(readFileSync(file, 'utf8')).toBe(before.content);
    expect(statSync(file, { bigint: true }).mtimeNs).toBe(before.mtimeNs);
  });

  it('bad input: a missing --corpus exits 2 naming it; --suite with commands, or --corpus alone, is a usage error', async () => {
    const missing = await quarry(['bench', '--suite', '--corpus', '/no/such/corpus']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('/no/such/corpus');
    const withCommands = await quarry(['bench', '--suite', '--json', '--', 'node -e 0']);
    expect(withCommands.code).toBe(2);
    expect((JSON.parse(withCommands.stdout) as Envelope).error).toMatchObject({ code: 'usage' });
    expect((JSON.parse(withCommands.stdout) as Envelope).error!.message).toContain('node -e 0');
    const corpusAlone = await quarry(['bench', '--corpus', '/tmp', '--', 'node -e 0']);
    expect(corpusAlone.code).toBe(2);
    expect(corpusAlone.stderr).toMatch(/--corpus goes with --suite/);
    const exported = await quarry(['bench', '--suite', '--export-json', 'x.json']);
    expect(exported.code).toBe(2);
    expect(exported.stderr).toMatch(/--export-json does not apply to --suite/);
  });
});
