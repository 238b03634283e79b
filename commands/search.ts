// `quarry search QUERY`: options, then src/search/search.ts, then a printer (ripgrep-like lines, paths, JSON).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { QuarryError } from '../src/util/errors.js';
import type { Reranker, SearchResult } from '../src/search/search.js';
import { commonOptions, type Action, type CommandContext } from './context.js';
import { paint } from './color.js';

export const name = 'search';

export function register(program: Command, bind: (action: Action) => (...args: unknown[]) => Promise<void>): void {
  commonOptions(
    program
      .command(name)
      .summary('ranked search: identifiers, symbols, phrases, paths, regex')
      .description(
        'Search the index. Words must all match (identifier parts too: `parse` finds parseHTTPResponse);\n' +
          '"exact phrase", -word (exclude), sym:name or sym:prefix* (definitions), path:glob, lang:ts,\n' +
          '/regex/ (checked on candidate files), case:yes. Exit 1 when nothing matches.',
      )
      .argument('<query...>', 'the query (several arguments are joined with spaces)')
      .option('--files', 'print matching paths only')
      .option('--limit <n>', 'files to show, 0 for all', '20')
      .option('-m, --max-count <n>', 'lines to show per file, 0 for all', '0')
      .option('--heading', 'group lines under their path (default on a terminal)')
      .option('--no-heading', 'print path:line:text on every line')
      .option('--explain', "show how each file was scored (and, with a model, each feature's part)")
      .option('--no-model', 'rank with plain BM25F even when .quarry/model.msgpack (from `quarry train`) exists')
      .option('--jsonl', 'stream one JSON object per file'),
  )
    .addHelpText(
      'after',
      "\nExamples:\n  quarry search loadConfig\n  quarry search 'sym:parse* lang:ts -test'\n  quarry search '\"exact phrase\" path:src/**' --files\n  quarry search fetchUser --json | jq -r '.data.hits[].path'",
    )
    .action(bind(searchAction));
}

function count(value: unknown, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new QuarryError('usage', `${flag} takes a whole number ≥ 0, got "${String(value)}"`);
  return n;
}

const searchAction: Action = async (ctx, args, opts) => {
  const query = args.join(' ');
  const limit = count(opts.limit, '--limit');
  const maxLines = count(opts.maxCount, '--max-count');
  const { search, findIndexRoot } = await import('../src/search/search.js');
  const root = opts.root !== undefined ? resolve(ctx.cwd, String(opts.root)) : findIndexRoot(ctx.cwd);
  ctx.startProfile(root);
  // A model from `quarry train` re-ranks the top K; its code is loaded only when the file exists.
  let reranker: Reranker | undefined;
  const modelPath = root === null ? null : join(root, '.quarry', 'model.msgpack');
  if (opts.model !== false && modelPath !== null && existsSync(modelPath)) {
    const { loadReranker } = await import('../src/search/rerank.js');
    const loaded = loadReranker(modelPath);
    if ('warning' in loaded) ctx.warn(loaded.warning);
    else reranker = loaded.reranker;
  }
  const result = search({
    reranker,
    root: root ?? undefined,
    cwd: ctx.cwd,
    query,
    limit,
    filesOnly: opts.files === true,
    explain: opts.explain === true,
    maxLines,
  });
  if (result.stale.length > 0) {
    const n = result.stale.length;
    ctx.warn(
      `${n} file${n === 1 ? '' : 's'} changed since indexing (${result.stale.slice(0, 3).join(', ')}${n > 3 ? ', …' : ''}); run \`quarry index\` to update`,
    );
  }
  const exitCode = result.hits.length > 0 ? 0 : 1;
  if (result.hits.length > 0 && result.total > result.hits.length) {
    ctx.note(`${result.hits.length} of ${result.totalExact ? '' : 'at least '}${result.total} matching files shown; --limit 0 shows all`);
  }
  if (opts.jsonl === true) {
    for (const hit of result.hits) ctx.write(`${JSON.stringify(hit)}\n`);
    return { command: 'search', data: result, text: '', exitCode };
  }
  const heading = opts.heading === undefined ? ctx.stdoutIsTTY : opts.heading === true;
  return {
    command: 'search',
    data: result,
    text: render(result, ctx, { files: opts.files === true, heading, explain: opts.explain === true }),
    exitCode,
  };
};

function render(r: SearchResult, ctx: CommandContext, o: { files: boolean; heading: boolean; explain: boolean }): string {
  const p = paint(ctx.color);
  const out: string[] = [];
  for (const hit of r.hits) {
    if (o.files) {
      out.push(p.path(hit.path));
      continue;
    }
    if (o.heading) out.push(p.path(hit.path));
    if (o.explain && hit.explain) {
      const parts = hit.explain.terms.map(
        (t) =>
          `${t.term}=${t.score} (idf ${t.idf}; path ${t.fields.path}, body ${t.fields.body}, symbols ${t.fields.symbols}, doc ${t.fields.doc})`,
      );
      if (hit.explain.symbolBonus > 0) parts.push(`definitions +${hit.explain.symbolBonus}`);
      out.push(p.dim(`${o.heading ? '  ' : `${hit.path}: `}score ${hit.score}: ${parts.join('; ')}`));
      const m = hit.explain.model;
      if (m) {
        // The features that moved this file most, largest share first.
        const top = [...m.features].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution)).filter((f) => f.contribution !== 0);
        const shown = top.slice(0, 6).map((f) => `${f.feature}=${f.value} (${f.contribution >= 0 ? '+' : ''}${f.contribution})`);
        out.push(p.dim(`${o.heading ? '  ' : `${hit.path}: `}model ${m.score}: ${shown.join(', ')}${top.length > 6 ? ', …' : ''}`));
      }
    }
    if (hit.lines.length === 0 && !o.heading) out.push(p.path(hit.path));
    for (const l of hit.lines)
      out.push(o.heading ? `${p.line(String(l.line))}:${l.text}` : `${p.path(hit.path)}:${p.line(String(l.line))}:${l.text}`);
    if (o.heading) out.push('');
  }
  if (o.heading && out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
