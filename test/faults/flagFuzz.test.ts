// Fault suite: fuzzed flag combinations, run in-process through commands/main.ts's run() so that ten thousand of
// them fit in CI. Every subcommand gets its own flags, other commands' flags, hostile values and stray words, in any
// order, on a tiny indexed tree; each run must answer 0, 1 or 2 with at most a one-line error (and its hint), never a
// stack, a throw out of run() or a hang, and leave nothing behind for the next run (profiler, listeners, exit code).
// hostile.test.ts keeps the end-to-end twin that spawns bin/quarry.js for a few dozen combinations.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profiler } from '../../src/profile/profiler.js';
import { quarryInProcess, tempDir, type InProcessRun } from '../helpers.js';
import { hasStack, trials } from './faults.js';

/**
 * A path that does not exist, under the temp dir: an absolute path the fuzz can hand to --profile, --trace or --root.
 * Not /nonexistent, which a `--profile /nonexistent` would create at the file system's root for every later test.
 */
const MISSING = join(tmpdir(), `quarry-fuzz-missing-${process.pid}`);

/** Values a flag may get: numbers out of range, wrong words, paths that are not there or cannot be written. */
const VALUES = [
  '-1',
  '0',
  '1',
  '3',
  '999999999999',
  '1e3',
  '1.5',
  'NaN',
  'Infinity',
  '0x10',
  '',
  ' ',
  '=',
  'json',
  'table',
  'sarif',
  'xml',
  'error',
  'warning',
  'note',
  'bogus',
  'on',
  'off',
  '7d',
  '0s',
  '-5m',
  '90s',
  'cmd,name',
  'run',
  'total',
  'p95',
  'last',
  'nope=off',
  'await-in-loop=error',
  'sync-fs-in-async=',
  'analysis',
  'a:b',
  'sh',
  'none',
  'welch',
  'pipe',
  // Malformed shared-cache URLs only: a well-formed one would leave a client reconnecting for the rest of the file.
  'redis://',
  'http://cache:6379',
  MISSING,
  `${MISSING}/deeper/p.jsonl`,
  '/dev/full',
  '/dev/null',
  '.',
  'src',
  'p.jsonl',
  'new.jsonl',
  '__proto__',
  'constructor',
  '\u00e9\u00ff',
  'a\nb',
  '--',
  '-',
  '-Z',
  '--bogus',
];

/** Words that are not flags: queries, paths, actions. None may reach outside the tree (no `/`, `..`, /dev/zero). */
const STRAY = [
  'handler1',
  'sym:handler1',
  'path:src/**',
  '"open',
  '/a(b/',
  '-handler2',
  'case:yes',
  '.',
  'src',
  'p.jsonl',
  'x.cpuprofile',
  MISSING,
  'stats',
  'clear',
  '',
  '--',
  '-',
  '-h',
  '--help',
  '-V',
  '--bogus',
  '--no-such-flag=1',
];

const COMMON = ['--json', '--root', '--quiet', '-q', '--profile'];
const CACHE = ['--cache-url', '--cache-local', '--cache-ttl'];

/** Each command's flags, minus the few whose whole point is to run something long (bench's commands and suite). */
const FLAGS: Record<string, string[]> = {
  search: [...COMMON, '--files', '--limit', '-m', '--max-count', '--heading', '--no-heading', '--explain', '--no-model', '--jsonl'],
  index: [...COMMON, ...CACHE, '--workers', '--no-cache', '--force', '--max-filesize'],
  scan: [...COMMON, ...CACHE, '--format', '--format=json', '--summary', '--fail-on', '--rule', '--workers', '--no-cache'],
  profile: [...COMMON, '--by', '--sort', '--top', '--since', '--cmd', '--run', '--trace', '--diff', '--fail-on-regression'],
  train: [
    ...COMMON,
    '--seed',
    '--epochs',
    '--lr',
    '--max-pairs',
    '--k',
    '--batch',
    '--replay',
    '--checkpoint-every',
    '--resume',
    '--judgments',
    '--eval-model',
  ],
  cache: ['--json', '--root', '--quiet', '--profile', '--shared', '--cache-url', '--namespace'],
  // No commands are given, so nothing is benchmarked: what runs is every option's check up to "no command".
  bench: [
    ...COMMON,
    '--corpus',
    '-w',
    '--warmup',
    '-r',
    '--runs',
    '-m',
    '--min-runs',
    '-M',
    '--max-runs',
    '--min-time',
    '-p',
    '--prepare',
    '-s',
    '--setup',
    '-c',
    '--cleanup',
    '-S',
    '--shell',
    '-N',
    '-D',
    '--step',
    '-i',
    '--input',
    '--output',
    '--seed',
    '--no-interleave',
    '--export-json',
    '--export-markdown',
    '--save',
    '--compare',
    '--test',
    '--min-effect',
    '--fail-on-regression',
  ],
};
const ALL_FLAGS = [...new Set(Object.values(FLAGS).flat())];

/**
 * One item of a command line: a flag alone, a flag and a value, `--flag=value`, or a stray word. Not for bench: a
 * word that no flag takes is a command to benchmark (a second or more each), so bench gets `--flag=value` only.
 */
function item(cmd: string): fc.Arbitrary<string[]> {
  const own = fc.constantFrom(...FLAGS[cmd]!);
  const flag = fc.oneof({ weight: 4, arbitrary: own }, { weight: 1, arbitrary: fc.constantFrom(...ALL_FLAGS) });
  const value = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...VALUES) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) });
  const joined = fc.tuple(flag, value).map(([f, v]) => [`${f}=${v}`]);
  if (cmd === 'bench')
    return fc.oneof(
      flag.map((f) => [f]),
      joined,
    );
  return fc.oneof(
    flag.map((f) => [f]),
    fc.tuple(flag, value),
    joined,
    fc.constantFrom(...STRAY).map((s) => [s]),
  );
}

const command = fc.constantFrom(...Object.keys(FLAGS));
const argvOf = command.chain((cmd) =>
  fc.array(item(cmd), { maxLength: 5 }).map((items) => {
    const flags = items.flat();
    // search needs a query; cache an action: most lines get one, so that more of them run past commander.
    if (cmd === 'search') flags.push('handler1');
    if (cmd === 'cache' && !flags.includes('stats') && !flags.includes('clear')) flags.push('stats');
    return [cmd, ...flags];
  }),
);

/** What is wrong with one run, or null when it kept the contract. */
function problem(args: string[], r: InProcessRun): string | null {
  if (r.threw !== undefined) return `threw out of run(): ${String(r.threw)}`;
  if (r.timedOut) return 'hung';
  if (r.code === null || ![0, 1, 2].includes(r.code)) return `exit ${r.code}`;
  if (hasStack(r.stderr) || hasStack(r.stdout)) return 'a stack trace';
  if (/internal error/.test(r.stderr) || /"code":"internal"/.test(r.stdout)) return 'an internal error';
  if (r.code !== 2) return null;
  if (r.stdout.startsWith('{')) {
    // --json: one document, an error with a code.
    const lines = r.stdout.trimEnd().split('\n');
    if (lines.length !== 1) return 'more than one JSON document';
    const doc = JSON.parse(lines[0]!) as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
    if (doc.ok !== false || typeof doc.error?.code !== 'string' || typeof doc.error.message !== 'string')
      return 'a JSON error without a code';
    return null;
  }
  // The error is the last thing on stderr: one `quarry: …` line, then only indented ones: details, the hint
  // (warnings may come before).
  const lines = r.stderr.trimEnd().split('\n');
  while (lines.length > 1 && lines[lines.length - 1]!.startsWith('  ')) lines.pop();
  const last = lines[lines.length - 1]!;
  if (!last.startsWith('quarry: ') || last.startsWith('quarry: warning: ')) return 'no one-line error for exit 2';
  return null;
}

describe('fault: fuzzed flag combinations, in-process', () => {
  let root: string;
  let env: Record<string, string>;
  /** This process's directory during the runs: each run's relative paths must start from its own cwd, never here. */
  let elsewhere: string;
  const cwdBefore = process.cwd();
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);

  beforeAll(async () => {
    root = tempDir('quarry-flagfuzz-');
    mkdirSync(join(root, 'src'));
    // A few files: index and scan analyse them on this thread (no pool), so a run costs milliseconds.
    for (let i = 0; i < 4; i++)
      writeFileSync(
        join(root, 'src', `m${i}.ts`),
        `import { handler${(i + 1) % 4} } from './m${(i + 1) % 4}.js';\n/** Handles step ${i}. */\n` +
          `export function handler${i}(x: number): number {\n  return x > ${i} ? handler${(i + 1) % 4}(x - 1) : x;\n}\n`,
      );
    env = { CI: '1', QUARRY_CACHE_DIR: `${root}-cache`, QUARRY_PROFILE: 'off', QUARRY_CACHE_URL: '' };
    const indexed = await quarryInProcess(['index', '--profile', 'p.jsonl'], { cwd: root, env });
    expect(indexed.code).toBe(0);
    elsewhere = tempDir('quarry-flagfuzz-cwd-');
    process.chdir(elsewhere);
    process.on('warning', onWarning);
  });
  afterAll(() => {
    process.off('warning', onWarning);
    process.chdir(cwdBefore);
    rmSync(MISSING, { recursive: true, force: true });
  });

  it(
    `${trials(10_000, 50_000)} fuzzed flag combinations: exit 0, 1 or 2, one-line errors, never a stack, a throw or a hang`,
    { timeout: 900_000 },
    async () => {
      const cases = fc.sample(argvOf, { numRuns: trials(10_000, 50_000), seed: 23 });
      const listenersBefore = ['exit', 'SIGINT', 'SIGTERM', 'uncaughtException', 'unhandledRejection'].map((e) => process.listenerCount(e));
      const failures: string[] = [];
      const byCode = new Map<number | null, number>();
      const heapBefore = process.memoryUsage().heapUsed;
      const started = performance.now();
      for (const args of cases) {
        const r = await quarryInProcess(args, { cwd: root, env, limitMs: 20_000 });
        byCode.set(r.code, (byCode.get(r.code) ?? 0) + 1);
        const p = problem(args, r);
        if (p !== null) failures.push(`quarry ${JSON.stringify(args)}: ${p}: ${(r.stderr + r.stdout).trim().slice(0, 300)}`);
        // Nothing a run set up may outlive it.
        if (profiler().enabled) failures.push(`quarry ${JSON.stringify(args)}: left the profiler open`);
        if (process.exitCode !== undefined) failures.push(`quarry ${JSON.stringify(args)}: set process.exitCode`);
        if (failures.length >= 20) break;
      }
      const ms = performance.now() - started;
      const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
      console.log(
        `flag fuzz: ${cases.length} runs in ${(ms / 1000).toFixed(1)} s; exit codes ${JSON.stringify(Object.fromEntries(byCode))}; ` +
          `heap ${mib(heapBefore)} before, ${mib(process.memoryUsage().heapUsed)} after`,
      );
      expect(failures).toEqual([]);
      expect(process.cwd()).toBe(elsewhere);
      expect(readdirSync(elsewhere)).toEqual([]);
      // The profiler's exit hook is installed once per process, however many runs profiled.
      const listenersAfter = ['exit', 'SIGINT', 'SIGTERM', 'uncaughtException', 'unhandledRejection'].map((e) => process.listenerCount(e));
      expect(listenersAfter[1]).toBe(listenersBefore[1]);
      expect(listenersAfter[2]).toBe(listenersBefore[2]);
      expect(listenersAfter[0]! - listenersBefore[0]!).toBeLessThanOrEqual(1);
      expect(warnings.filter((w) => /MaxListeners/.test(w))).toEqual([]);
    },
  );

  // What the fuzz found, one case each.
  it('bench --input that cannot be read is bad input (exit 2, one line), not an internal error', async () => {
    for (const input of ['missing.txt', '.']) {
      const r = await quarryInProcess(['bench', '--runs', '1', '--input', input, '--', 'true'], { cwd: root, env, limitMs: 20_000 });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^quarry: cannot read --input .+\n$/);
    }
  });

  it('a trace or an export that cannot be written (disk full) is bad input naming the file, not an internal error', async () => {
    const trace = await quarryInProcess(['profile', 'p.jsonl', '--trace', '/dev/full'], { cwd: root, env });
    expect(trace.code).toBe(2);
    expect(trace.stderr).toBe('quarry: cannot write the trace /dev/full: ENOSPC: no space left on device, write\n');
    const exported = await quarryInProcess(['bench', '--runs', '1', '--export-json', '/dev/full', '--', 'true'], {
      cwd: root,
      env,
      limitMs: 20_000,
    });
    expect(exported.code).toBe(2);
    expect(exported.stderr).toMatch(/^quarry: cannot write --export-json \/dev\/full: ENOSPC.*\n$/m);
  });

  it('an error that echoes a value with a newline is still one line (the newline escaped)', async () => {
    const r = await quarryInProcess(['search', '--limit', 'a\nb', 'handler1'], { cwd: root, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('quarry: --limit takes a whole number ≥ 0, got "a\\nb"\n');
    const missing = await quarryInProcess(['index', 'new\nline'], { cwd: root, env });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trimEnd().split('\n')).toHaveLength(missing.stderr.includes('  hint: ') ? 2 : 1);
    // A message that lists details on indented lines keeps them.
    writeFileSync(join(root, 'bad.jsonl'), '{"query": 1}\nnot json\n');
    const judged = await quarryInProcess(['train', '--judgments', 'bad.jsonl'], { cwd: root, env });
    expect(judged.code).toBe(2);
    expect(judged.stderr).toMatch(
      /^quarry: no usable judgment in .*bad\.jsonl:\n {2}.*bad\.jsonl:1: .*\n {2}.*bad\.jsonl:2: .*\n {2}hint: /,
    );
  });

  it("commander's suggestion for a mistyped flag is on the error's line", async () => {
    const r = await quarryInProcess(['search', '--explan', 'handler1'], { cwd: root, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("quarry: unknown option '--explan' (Did you mean --explain?)\n  hint: run `quarry --help` for usage\n");
  });

  it("relative --profile, --root, --judgments and --eval-model are taken from the run's directory", async () => {
    const sub = join(root, 'src');
    const searched = await quarryInProcess(['search', '--root', '..', '--profile', 'here.jsonl', '--files', 'handler1'], { cwd: sub, env });
    expect(searched.code).toBe(0);
    expect(readdirSync(sub)).toContain('here.jsonl');
    const judged = await quarryInProcess(['train', '--root', '..', '--judgments', 'none.jsonl'], { cwd: sub, env });
    expect(judged.code).toBe(2);
    expect(judged.stderr).toContain(join(sub, 'none.jsonl'));
    const evaluated = await quarryInProcess(['train', '--root', '..', '--eval-model', 'none.msgpack'], { cwd: sub, env });
    expect(evaluated.code).toBe(2);
    expect(evaluated.stderr).toContain(join(sub, 'none.msgpack'));
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});
