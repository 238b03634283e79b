// Fault suite: a damaged index. Truncated anywhere, bytes flipped anywhere, another format version, empty, or a
// directory in its place: search and scan exit 2 with "index … is unreadable (…); run `quarry index`", in bounded
// time and without a stack trace. A flipped byte can also leave an index that still decodes (a changed letter in
// a term): then the command answers (exit 0 or 1) — it must never crash or hang. And a damaged cache store is reset
// with one warning.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { search } from '../../src/search/search.js';
import { QuarryError } from '../../src/util/errors.js';
import { envFor, hasStack, makeTree, run, seeded, trials } from './faults.js';
import { withHeader } from '../helpers.js';

const CASES = 50;
/** How many of the cases also run as processes (search and scan); all of them in the long variant. */
const SPAWNED = trials(8, CASES);
const UNREADABLE = /index .* is unreadable \(.+\); run `quarry index`/;

let root: string;
let indexPath: string;
let good: Buffer;

beforeAll(async () => {
  root = makeTree(40, 8);
  expect((await run(['index'], { cwd: root, env: envFor(root) })).code).toBe(0);
  indexPath = join(root, '.quarry', 'index.msgpack');
  good = readFileSync(indexPath);
}, 120_000);

/** In-process search on the damaged index: an answer, or the unreadable-index error; anything else is a failure. */
function searchOutcome(): string {
  try {
    search({ root, cwd: root, query: 'handler3', limit: 5, filesOnly: false, explain: false, maxLines: 0 });
    return 'answered';
  } catch (err) {
    if (err instanceof QuarryError && err.code === 'unreadable-index' && UNREADABLE.test(err.message)) return 'unreadable';
    return `failed: ${err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err)}`;
  }
}

/** search and scan as processes: exit 2 with the message, or (`mayAnswer`) a normal answer; never a stack, never a hang. */
async function processFailures(label: string, mayAnswer: boolean): Promise<string[]> {
  const out: string[] = [];
  for (const args of [
    ['search', 'handler3'],
    ['scan', '.', '--summary'],
  ]) {
    const r = await run(args, { cwd: root, env: envFor(root), limitMs: 20_000 });
    const ok = (r.code === 2 && UNREADABLE.test(r.stderr)) || (mayAnswer && (r.code === 0 || r.code === 1));
    if (!ok || r.timedOut || hasStack(r.stderr))
      out.push(`${label}: ${args[0]} exit ${r.code}${r.timedOut ? ' (hung)' : ''}: ${r.stderr.trim().slice(0, 300)}`);
  }
  return out;
}

describe('fault: a damaged index', () => {
  it(`truncated at ${CASES} offsets: unreadable, every time`, { timeout: 600_000 }, async () => {
    const random = seeded(1);
    const failures: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const at = Math.floor(random() * good.length);
      writeFileSync(indexPath, good.subarray(0, at));
      const outcome = searchOutcome();
      if (outcome !== 'unreadable') failures.push(`truncated at ${at}: ${outcome}`);
      if (i < SPAWNED) failures.push(...(await processFailures(`truncated at ${at}`, false)));
    }
    writeFileSync(indexPath, good);
    expect(failures).toEqual([]);
  });

  it(`${CASES} random byte flips: unreadable or a normal answer, never a crash or a hang`, { timeout: 600_000 }, async () => {
    const random = seeded(2);
    const failures: string[] = [];
    const outcomes = { answered: 0, unreadable: 0 };
    for (let i = 0; i < CASES; i++) {
      const bad = Buffer.from(good);
      const at = Math.floor(random() * bad.length);
      bad[at] = bad[at]! ^ (1 + Math.floor(random() * 255));
      writeFileSync(indexPath, bad);
      const outcome = searchOutcome();
      if (outcome === 'answered' || outcome === 'unreadable') outcomes[outcome]++;
      else failures.push(`byte ${at} flipped: ${outcome}`);
      if (i < SPAWNED) failures.push(...(await processFailures(`byte ${at} flipped`, true)));
    }
    writeFileSync(indexPath, good);
    expect(failures).toEqual([]);
    expect(outcomes.answered + outcomes.unreadable).toBe(CASES);
  });

  it('another format version, an empty file and a directory in its place: unreadable', { timeout: 120_000 }, async () => {
    const failures: string[] = [];
    for (const [label, damage] of [
      [
        'format version + 1',
        () =>
          writeFileSync(
            indexPath,
            withHeader(good, (h) => ({ ...h, format: (h.format as number) + 1 })),
          ),
      ],
      ['zero-length', () => writeFileSync(indexPath, '')],
      [
        'a directory',
        () => {
          rmSync(indexPath, { force: true });
          mkdirSync(indexPath);
        },
      ],
    ] as const) {
      damage();
      const outcome = searchOutcome();
      if (outcome !== 'unreadable') failures.push(`${label}: ${outcome}`);
      failures.push(...(await processFailures(label, false)));
      rmSync(indexPath, { recursive: true, force: true });
    }
    writeFileSync(indexPath, good);
    expect(failures).toEqual([]);
  });

  it('a damaged local cache store is reset with one warning, and the index still builds', { timeout: 120_000 }, async () => {
    const cache = `${root}-cache`;
    const data = join(cache, 'kv', 'data.mdb');
    const bytes = readFileSync(data);
    bytes.fill(0x5a, 0, Math.min(bytes.length, 8192));
    writeFileSync(data, bytes);
    const r = await run(['index', '--force', '--json'], { cwd: root, env: envFor(root), limitMs: 60_000 });
    expect(r.code).toBe(0);
    const warnings = (JSON.parse(r.stdout) as { warnings: string[] }).warnings;
    expect(warnings.filter((w) => /cache/.test(w))).toHaveLength(1);
    expect(hasStack(r.stderr)).toBe(false);
  });
});
