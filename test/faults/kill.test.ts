// Fault suite: kill -9 at random moments of a cold index. What must hold after every kill: the index on disk is the
// old one or a complete new one, search answers from it, temp files do not pile up, and the next run takes the
// dead writer's lock over.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IndexReader, indexPathOf } from '../../src/index/reader.js';
import { envFor, hasStack, LONG, makeTree, run, seeded, trials } from './faults.js';

const TRIALS = trials(12, 100);

function tempsIn(root: string): string[] {
  return readdirSync(join(root, '.quarry')).filter((n) => n.includes('.tmp-'));
}

describe('fault: kill -9 during index', () => {
  it(
    `after each of ${TRIALS} kills at random delays the index is the old or a complete new one, and search works`,
    { timeout: LONG ? 1_800_000 : 300_000 },
    async () => {
      const root = makeTree(LONG ? 600 : 250);
      const env = envFor(root);
      expect((await run(['index'], { cwd: root, env })).code).toBe(0);
      // How long a full rebuild takes here: kills land anywhere from the start to a little after its end.
      const timed = await run(['index', '--force', '--no-cache'], { cwd: root, env });
      expect(timed.code).toBe(0);
      const random = seeded(20261123);
      let estimate = timed.ms;
      let files = new IndexReader(indexPathOf(root)).fileCount;
      const base = files;
      const failures: string[] = [];
      let killed = 0;
      for (let t = 0; t < TRIALS; t++) {
        // One more file each time, so a new index is told from the old one by its file count.
        writeFileSync(join(root, 'src', `extra${t}.ts`), `export const extra${t} = ${t};\n`);
        const delay = random() * estimate;
        const r = await run(['index', '--force', '--no-cache'], {
          cwd: root,
          env,
          onSpawn: (child) => setTimeout(() => child.kill('SIGKILL'), delay),
        });
        if (r.signal === 'SIGKILL') killed++;
        else if (r.code !== 0) failures.push(`trial ${t}: exit ${r.code}: ${r.stderr.trim()}`);
        // The machine's speed drifts: a run that finished re-sets how long one takes.
        else estimate = r.ms;
        let now: number;
        try {
          now = new IndexReader(indexPathOf(root)).fileCount;
        } catch (err) {
          failures.push(`trial ${t} (kill at ${delay.toFixed(0)} ms): index unreadable: ${String(err)}`);
          continue;
        }
        // A complete new index has every file on disk: the base tree and the extras of this and all earlier trials.
        if (now !== files && now !== base + t + 1)
          failures.push(`trial ${t}: ${now} files, expected ${files} (old) or ${base + t + 1} (new)`);
        files = now;
        const search = await run(['search', 'handler1', '--files', '--limit', '1'], { cwd: root, env });
        if (search.code !== 0 || hasStack(search.stderr)) failures.push(`trial ${t}: search exit ${search.code}: ${search.stderr.trim()}`);
        // The killed run's own temp file may remain until the next run removes it; no more than that.
        if (tempsIn(root).length > 1) failures.push(`trial ${t}: temp files pile up: ${tempsIn(root).join(', ')}`);
      }
      // The last kill's lock and temp file are taken over and cleaned by the next run.
      const last = await run(['index'], { cwd: root, env });
      expect(last.code).toBe(0);
      expect(tempsIn(root)).toEqual([]);
      expect(readdirSync(join(root, '.quarry'))).not.toContain('index.msgpack.lock');
      expect(new IndexReader(indexPathOf(root)).fileCount).toBe(base + TRIALS);
      console.info(`fault suite: kill -9: ${killed} of ${TRIALS} runs killed mid-run, ${failures.length} failures`);
      expect(failures).toEqual([]);
      // Most kills should land mid-run, or the test proves little (delays spread over one run's length).
      expect(killed).toBeGreaterThan(TRIALS / 3);
    },
  );
});
