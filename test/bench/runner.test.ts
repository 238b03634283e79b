// The runner with real child processes: run counts, interleaving, failures, CPU time, parameters of a run.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QuarryError } from '../../src/util/errors.js';
import { failureReason, mulberry32, runBenchmark, runCount, shuffle, splitWords, type RunnerOptions } from '../../src/bench/runner.js';
import { tempDir } from '../helpers.js';

function options(o: Partial<RunnerOptions>): RunnerOptions {
  return {
    commands: [],
    shell: 'none',
    warmup: 0,
    minRuns: 10,
    minTime: 3,
    prepare: [],
    ignoreFailure: false,
    output: 'null',
    interleave: true,
    seed: 1,
    cwd: process.cwd(),
    env: process.env,
    ...o,
  };
}

const NODE = JSON.stringify(process.execPath);

describe('runCount (hyperfine: ≥ min runs and ≥ min time)', () => {
  it('takes enough runs to fill the minimum time, within min and max runs', () => {
    expect(runCount(0.05, { minRuns: 10, minTime: 3 })).toBe(60);
    expect(runCount(0.07, { minRuns: 10, minTime: 3 })).toBe(42); // floor(42.86), as hyperfine's `as u64`
    expect(runCount(1, { minRuns: 10, minTime: 3 })).toBe(10);
    expect(runCount(0.001, { minRuns: 10, minTime: 3, maxRuns: 100 })).toBe(100);
    expect(runCount(0.001, { runs: 4, minRuns: 10, minTime: 3 })).toBe(4);
  });
});

describe('splitWords', () => {
  it('splits like a shell for quotes and backslashes', () => {
    expect(splitWords(`node -e 'console.log("a b")' x\\ y "q\\"r"`)).toEqual(['node', '-e', 'console.log("a b")', 'x y', 'q"r']);
  });
});

describe('shuffle with a seed', () => {
  it('gives the same order for the same seed', () => {
    expect(shuffle([0, 1, 2, 3, 4], mulberry32(7))).toEqual(shuffle([0, 1, 2, 3, 4], mulberry32(7)));
  });
});

describe('runBenchmark', () => {
  it('runs each command --runs times, interleaved, with prepare before each run and setup/cleanup once', async () => {
    const dir = tempDir();
    const log = join(dir, 'log');
    writeFileSync(log, '');
    const append = (s: string) => `sh -c 'echo ${s} >> ${log}'`;
    const run = runBenchmark(
      options({
        commands: [{ command: append('A') }, { command: append('B') }],
        runs: 3,
        prepare: [append('p')],
        setup: append('setup'),
        cleanup: append('cleanup'),
      }),
    );
    const res = await run.done;
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('setup');
    expect(lines.at(-1)).toBe('cleanup');
    const runs = lines.slice(1, -1);
    expect(runs.filter((l) => l === 'p')).toHaveLength(6);
    // every round runs A and B once each, in some order
    const timed = runs.filter((l) => l !== 'p');
    for (let r = 0; r < 3; r++) expect([...timed.slice(2 * r, 2 * r + 2)].sort()).toEqual(['A', 'B']);
    expect(res.map((r) => r.times.length)).toEqual([3, 3]);
    expect(res[0]!.exitCodes).toEqual([0, 0, 0]);
  });

  it('uses an injected clock for wall time', async () => {
    let t = 0n;
    const run = runBenchmark(options({ commands: [{ command: 'true' }], runs: 2, clock: () => (t += 250_000_000n) }));
    const [r] = await run.done;
    expect(r!.times).toEqual([0.25, 0.25]);
  });

  it('measures the CPU time of the child, not of quarry', async () => {
    // The child spins until its own CPU clock says 300 ms of user time, so the answer does not depend on load.
    const burn = `${NODE} -e "while(process.cpuUsage().user<300000);"`;
    const [r] = await runBenchmark(options({ commands: [{ command: burn }], runs: 1 })).done;
    // /proc counts in 10 ms ticks
    expect(r!.user[0]).toBeGreaterThanOrEqual(0.29);
    expect(r!.user[0]).toBeLessThan(5);
  });

  it('fails naming a command that is not found, and a command that fails with its exit code', async () => {
    await expect(runBenchmark(options({ commands: [{ command: 'no-such-cmd-xyz' }], runs: 1 })).done).rejects.toThrow(
      /command not found: no-such-cmd-xyz/,
    );
    await expect(runBenchmark(options({ commands: [{ command: 'no-such-cmd-xyz' }], runs: 1, shell: 'sh' })).done).rejects.toThrow(
      /command not found/,
    );
    const fail = runBenchmark(options({ commands: [{ command: 'sh -c "exit 3"' }], runs: 1 })).done;
    await expect(fail).rejects.toBeInstanceOf(QuarryError);
    await expect(fail).rejects.toThrow(/exit code 3/);
    const [r] = await runBenchmark(options({ commands: [{ command: 'sh -c "exit 3"' }], runs: 2, ignoreFailure: true })).done;
    expect(r!.exitCodes).toEqual([3, 3]);
  });

  it('with --output pipe, says why a command failed: the last line it wrote to stderr', async () => {
    const fail = runBenchmark(
      options({ commands: [{ command: `sh -c 'echo noise >&2; echo "index is locked by pid 42" >&2; exit 2'` }], runs: 1, output: 'pipe' }),
    ).done;
    await expect(fail).rejects.toThrow(/failed with exit code 2: index is locked by pid 42$/);
  });

  it('failureReason: the last error line of a stderr, not the Node version a crash ends with', () => {
    const crash =
      'file:///x/dist/a.js:3\n  foo();\n  ^\n\nTypeError: foo is not a function\n    at file:///x/dist/a.js:3:3\n\nNode.js v20.20.2\n';
    expect(failureReason(crash)).toBe('TypeError: foo is not a function');
    expect(failureReason('quarry: index is locked by pid 42\n  hint: wait\n')).toBe('quarry: index is locked by pid 42');
    expect(failureReason('just this\n')).toBe('just this');
    expect(failureReason('')).toBeUndefined();
  });

  it('runs in-process prepare steps before each run, and gives each command its own variables', async () => {
    const dir = tempDir();
    const log = join(dir, 'log');
    writeFileSync(log, '');
    let steps = 0;
    const [a, b] = await runBenchmark(
      options({
        commands: [{ command: `sh -c 'echo "A $X" >> ${log}'`, env: { X: 'one' } }, { command: `sh -c 'echo "B $X" >> ${log}'` }],
        env: { ...process.env, X: 'base' },
        runs: 2,
        prepare: [() => void steps++, () => void (steps += 10)],
      }),
    ).done;
    expect(steps).toBe(22);
    expect(readFileSync(log, 'utf8').trim().split('\n').sort()).toEqual(['A one', 'A one', 'B base', 'B base']);
    expect([a!.times.length, b!.times.length]).toEqual([2, 2]);
  });

  it('subtracts the measured start-up of the shell', async () => {
    const run = runBenchmark(options({ commands: [{ command: 'true' }], runs: 3, shell: 'sh' }));
    await run.done;
    expect(run.shellOverhead.wall).toBeGreaterThan(0);
  });

  it('feeds --input to stdin', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in'), 'hello');
    const [r] = await runBenchmark(options({ commands: [{ command: `sh -c 'test "$(cat)" = hello'` }], runs: 1, input: join(dir, 'in') }))
      .done;
    expect(r!.exitCodes).toEqual([0]);
  });
});

describe('resultWarnings (hyperfine’s rules)', () => {
  it('calls a first run that is itself an outlier a slow first run, and other outliers outliers', async () => {
    const { resultWarnings } = await import('../../src/bench/result.js');
    const r = (times: number[]) => ({
      command: 'c', mean: 0, stddev: 0, median: 0, user: 0, system: 0, min: 0, max: 0, times, exit_codes: times.map(() => 0),
    }); // prettier-ignore
    expect(resultWarnings(r([0.5, 0.1, 0.101, 0.099, 0.1, 0.1]))).toEqual([expect.stringMatching(/first run was much slower/)]);
    expect(resultWarnings(r([0.1, 0.1, 0.101, 0.5, 0.099, 0.1]))).toEqual([expect.stringMatching(/outliers were detected/)]);
    expect(resultWarnings(r([0.1, 0.1, 0.101, 0.102, 0.099, 0.1]))).toEqual([]);
    expect(resultWarnings(r([0.001, 0.001, 0.001]))).toEqual([expect.stringMatching(/less than 5 ms/)]);
  });
});

describe('runs started by the python3 helper (posix_spawn) or from node', () => {
  const helpers: [string, string | null][] = [
    ['python3 helper', 'python3'],
    ['node', null],
    // A helper that cannot run: the runs fall back to node, nothing is lost.
    ['a helper that dies at once', '/bin/false'],
  ];
  for (const [label, spawnHelper] of helpers) {
    it(`${label}: exit codes, CPU time, input, per-command environment, a missing program`, async () => {
      const dir = tempDir();
      writeFileSync(join(dir, 'in.txt'), 'from the input file\n');
      const burn = `${process.execPath} -e "while(process.cpuUsage().user<150000);"`;
      const run = runBenchmark(
        options({
          commands: [
            { command: 'true' },
            { command: burn },
            { command: 'sh -c "exit 3"' },
            { command: `sh -c 'read line && [ "$line" = "from the input file" ]'` },
            { command: `sh -c '[ "$QUARRY_BENCH_X" = yes ]'`, env: { QUARRY_BENCH_X: 'yes' } },
          ],
          runs: 2,
          ignoreFailure: true,
          input: join(dir, 'in.txt'),
          cwd: dir,
          spawnHelper,
        }),
      );
      const [ok, burnt, failing, input, env] = await run.done;
      expect(run.launcher).toBe(spawnHelper === 'python3' ? 'posix_spawn' : 'node');
      expect(ok!.exitCodes).toEqual([0, 0]);
      expect(burnt!.times.every((t) => t >= 0.14)).toBe(true);
      expect(burnt!.user.every((u) => u >= 0.14 && u < 5)).toBe(true);
      expect(failing!.exitCodes).toEqual([3, 3]);
      expect(input!.exitCodes).toEqual([0, 0]);
      expect(env!.exitCodes).toEqual([0, 0]);
      await expect(runBenchmark(options({ commands: [{ command: 'no-such-cmd-xyz' }], runs: 1, spawnHelper })).done).rejects.toThrow(
        /command not found: no-such-cmd-xyz/,
      );
    });
  }

  it("looks programs up on the commands' PATH, not the helper's", async () => {
    const bin = tempDir();
    writeFileSync(join(bin, 'quarry-bench-only-here'), '#!/bin/sh\nexit 7\n', { mode: 0o755 });
    const env = { ...process.env, PATH: bin };
    const run = runBenchmark(
      options({ commands: [{ command: 'quarry-bench-only-here' }], runs: 1, ignoreFailure: true, env, spawnHelper: 'python3' }),
    );
    const [r] = await run.done;
    expect([run.launcher, r!.exitCodes]).toEqual(['posix_spawn', [7]]);
    // `true` is on the helper's PATH but not on the commands'.
    await expect(runBenchmark(options({ commands: [{ command: 'true' }], runs: 1, env, spawnHelper: 'python3' })).done).rejects.toThrow(
      /command not found: true/,
    );
  });

  it('kill() stops the command the helper is running', async () => {
    const run = runBenchmark(options({ commands: [{ command: 'sleep 30' }], runs: 3, spawnHelper: 'python3' }));
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 500));
    run.kill();
    await expect(run.done).rejects.toThrow(/interrupted/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
