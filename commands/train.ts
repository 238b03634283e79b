// `quarry train`: options, then src/train/train.ts, then a printer (BM25F vs model on held-out queries).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { QuarryError } from '../src/util/errors.js';
import type { TrainReport } from '../src/train/train.js';
import { commonOptions, positiveInt, type Action } from './context.js';
import { formatCount, formatMs } from './units.js';

export const name = 'train';

export function register(program: Command, bind: (action: Action) => (...args: unknown[]) => Promise<void>): void {
  commonOptions(
    program
      .command(name)
      .summary('learn search ranking from the code, evaluated on held-out queries')
      .description(
        "Make queries from the index (each symbol's doc sentence and its split name, answered by its file; plus\n" +
          '--judgments), split them by file into train/validation/test, fit a linear LambdaRank model over\n' +
          'features of the BM25F top K, and print held-out MRR@10, NDCG@10 and Recall@10 for BM25F and the model.\n' +
          'The model is saved to .quarry/model.msgpack only if it beats BM25F on validation; search then uses it.',
      )
      .option('--seed <n>', 'seed of the split, sampling and fitting (same seed, same model bytes)', '1')
      .option('--epochs <n>', 'passes over the training queries per learning rate', '10')
      .option('--lr <rate>', 'learning rate (default: try 0.003, 0.01, 0.03 and keep the best on validation)')
      .option('--max-pairs <n>', 'at most this many (query, file) pairs', '20000')
      .option('--k <n>', 'BM25F candidates per query that the model re-ranks', '100')
      .option('--batch <n>', 'queries per gradient step', '32')
      .option('--replay <n>', 'capacity of the replay ring batches are drawn from, in queries', '1024')
      .option('--checkpoint-every <n>', 'write a checkpoint in the background every N steps', '50')
      .option('--resume', 'continue from the last checkpoint (.quarry/train-checkpoint.msgpack)')
      .option('--judgments <file>', 'extra judgments, one JSON object a line: {"query", "path", "grade"}')
      .option('--eval-model <file>', "fit nothing: measure a model trained elsewhere against BM25F on all of this tree's queries"),
  )
    .addHelpText(
      'after',
      "\nExamples:\n  quarry train\n  quarry train --seed 7 --epochs 20\n  quarry train --json | jq '.data.test | {bm25f: .bm25f.mrr, model: .model.mrr, ci: [.diff.mrr.lo, .diff.mrr.hi]}'\n  quarry search 'parse config' --no-model   compare with plain BM25F",
    )
    .action(bind(trainAction));
}

function rate(value: unknown): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 10) throw new QuarryError('usage', `--lr takes a number in (0, 10], got "${String(value)}"`);
  return n;
}

const trainAction: Action = async (ctx, _args, opts) => {
  const { runTrain, DEFAULT_LRS } = await import('../src/train/train.js');
  const { findIndexRoot } = await import('../src/search/search.js');
  const root = opts.root !== undefined ? resolve(ctx.cwd, String(opts.root)) : findIndexRoot(ctx.cwd);
  if (root === null) {
    throw new QuarryError('no-index', `no index found in ${ctx.cwd} or above`, {
      hint: 'run `quarry index` in the root of the source tree first',
    });
  }
  ctx.startProfile(root);
  const started = performance.now();
  if (opts.evalModel !== undefined) {
    const { runTransfer } = await import('../src/train/transfer.js');
    const report = runTransfer({
      root,
      modelPath: resolve(ctx.cwd, String(opts.evalModel)),
      seed: positiveInt(opts.seed, '--seed') ?? 1,
      maxPairs: positiveInt(opts.maxPairs, '--max-pairs') ?? 20000,
    });
    const text = [
      `model ${report.modelPath} on ${report.root}: ${formatCount(report.queries)} queries (${formatCount(report.missed)} with no answer in the top ${report.k}), ${formatMs(performance.now() - started)}`,
      ...table(report, report.bySource),
    ].join('\n');
    return { command: 'train', data: report, text: `${text}\n`, exitCode: 0 };
  }
  const spinner = await ctx.progress('train: reading the index');
  // On SIGINT the fit loop's cleanup has written the checkpoint before this runs (none before fitting starts).
  const checkpoint = join(root, '.quarry', 'train-checkpoint.msgpack');
  const unregister = ctx.onInterrupt(() => {
    const saved = existsSync(checkpoint);
    return {
      data: { checkpoint: saved ? checkpoint : null },
      text: saved
        ? `training interrupted; checkpoint written to ${checkpoint}; run \`quarry train --resume\` with the same options\n`
        : 'training interrupted before fitting began; nothing to resume\n',
    };
  });
  try {
    const report = await runTrain({
      root,
      seed: positiveInt(opts.seed, '--seed') ?? 1,
      epochs: positiveInt(opts.epochs, '--epochs') ?? 10,
      lrs: opts.lr === undefined ? DEFAULT_LRS : [rate(opts.lr)],
      maxPairs: positiveInt(opts.maxPairs, '--max-pairs') ?? 20000,
      k: positiveInt(opts.k, '--k') ?? 100,
      batch: positiveInt(opts.batch, '--batch') ?? 32,
      replay: positiveInt(opts.replay, '--replay') ?? 1024,
      checkpointEvery: positiveInt(opts.checkpointEvery, '--checkpoint-every') ?? 50,
      resume: opts.resume === true,
      judgments: opts.judgments === undefined ? undefined : resolve(ctx.cwd, String(opts.judgments)),
      onProgress: (t) => (ctx.interactive ? spinner.update(`train: ${t}`) : undefined),
      onWarning: (w) => ctx.warn(w),
    });
    spinner.stop();
    return { command: 'train', data: report, text: render(report, performance.now() - started), exitCode: 0 };
  } finally {
    spinner.stop();
    unregister();
  }
};

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const num = (x: number) => x.toFixed(3);
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;

type Side = Record<'mrr' | 'ndcg' | 'recall', number>;

/** BM25F and model metrics side by side, the relative change and the bootstrap interval of the difference. */
function table(
  t: { bm25f: Side; model: Side; diff: Record<keyof Side, { diff: number; lo: number; hi: number }> },
  bySource: Record<string, { queries: number; bm25f: number; model: number }>,
): string[] {
  const rows: [string, keyof Side][] = [
    ['MRR@10', 'mrr'],
    ['NDCG@10', 'ndcg'],
    ['Recall@10', 'recall'],
  ];
  const w = [11, 8, 8, 9, 24];
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join(' ');
  const out = [line(['metric', 'BM25F', 'model', 'change', 'Δ 95% CI (bootstrap)'])];
  for (const [label, key] of rows) {
    const b = t.bm25f[key];
    const m = t.model[key];
    const d = t.diff[key];
    out.push(
      line([
        label,
        num(b),
        num(m),
        b === 0 ? 'n/a' : `${m >= b ? '+' : ''}${pct((m - b) / b)}`,
        `${signed(d.diff)} [${signed(d.lo)}, ${signed(d.hi)}]`,
      ]),
    );
  }
  out.push(
    `MRR@10 by query source: ${Object.entries(bySource)
      .map(([src, e]) => `${src} ${num(e.bm25f)} → ${num(e.model)} (${formatCount(e.queries)})`)
      .join(', ')}`,
  );
  return out;
}

function render(r: TrainReport, ms: number): string {
  const s = r.pairs.bySplit;
  const out: string[] = [];
  out.push(
    `queries: ${formatCount(r.pairs.queries)} from ${formatCount(r.pairs.symbols)} symbols (${formatCount(r.pairs.trivial)} trivial pairs, ` +
      `${formatCount(r.pairs.straddling)} straddling splits, ${formatCount(r.pairs.capped)} over --max-pairs left out)`,
  );
  out.push(
    `split by module: train ${formatCount(s.train.queries)} queries / ${formatCount(s.train.files)} files, validation ${formatCount(s.validation.queries)} / ${formatCount(s.validation.files)}, test ${formatCount(s.test.queries)} / ${formatCount(s.test.files)}`,
  );
  out.push(
    `fitted ${r.features.length} features on the BM25F top ${r.k}: ${formatCount(r.steps)} steps${r.resumedAt === null ? '' : ` (resumed at ${formatCount(r.resumedAt)})`}, ` +
      (r.chosen === null ? 'no learning rate beat BM25F on validation' : `chose lr ${r.chosen.lr}, epoch ${r.chosen.epoch}`) +
      `, ${formatMs(ms)}`,
  );
  out.push('');
  const t = r.test;
  const v = r.validation;
  out.push(`test split: ${formatCount(t.queries)} queries (${formatCount(t.missed)} with no answer in the top ${r.k})`);
  out.push(...table(t, t.bySource));
  const f = t.fileNames;
  out.push(
    `files searched by their own name (left out above): ${formatCount(f.queries)} queries, MRR@10 ${num(f.bm25f)} → ${num(f.model)}`,
  );
  out.push(`validation: ${formatCount(v.queries)} queries, MRR@10 BM25F ${num(v.bm25f.mrr)}, model ${num(v.model.mrr)}`);
  out.push('');
  out.push(r.saved ? `model saved to ${r.modelPath} (${r.reason})` : `model not saved: ${r.reason}`);
  return `${out.join('\n')}\n`;
}
