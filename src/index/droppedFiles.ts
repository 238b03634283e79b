// What an update drops, read back from the cache: the analyses of the old versions of the files it re-reads, by the
// content hash the old index has for them. They name every term and symbol those files had, so that the merge
// touches only the dictionary and symbol blocks those fall in (see DroppedFiles in builder.ts).
import type { Cache } from '../cache/cache.js';
import {
  ANALYSIS_NAMESPACE,
  ANALYSIS_VERSION,
  analysisKey,
  fromCached,
  indexedFieldLen,
  pathTerms,
  type CachedAnalysis,
} from './analysis.js';
import type { DroppedFiles } from './builder.js';
import type { IndexReader } from './reader.js';

/** Beyond this many dropped files the merge reads everything anyway: describing them would cost more than it saves. */
const MOST_DESCRIBED = 64;

/**
 * The dropped files `ids` of the old index as DroppedFiles, or null when they are too many, there is no cache
 * (`openStore` is called only when they are few), one of them is not in it, or its entry does not match what the
 * index holds of it (its token counts per field).
 */
export async function describeDropped(
  openStore: () => Promise<Cache | null>,
  old: IndexReader,
  ids: readonly number[],
): Promise<DroppedFiles | null> {
  if (ids.length > MOST_DESCRIBED) return null;
  const store = await openStore();
  if (store === null) return null;
  const paths = ids.map((id) => old.pathOf(id));
  const entries = await store.getMany<CachedAnalysis>(
    ANALYSIS_NAMESPACE,
    ANALYSIS_VERSION,
    ids.map((id, i) => analysisKey(old.hashOf(id), paths[i]!)),
  );
  const fieldLen = old.fieldLen();
  const out: DroppedFiles = { files: ids.length, terms: new Set(), postings: 0, symbolKeys: new Set(), symbols: 0 };
  for (let i = 0; i < ids.length; i++) {
    const a = fromCached(entries[i]);
    if (a === undefined) return null;
    // The file's terms as the index has them: its own, and its path's (ThreadTerms.index in analyzeBatch.ts).
    const { counts: pathCounts, tokens: pathLen } = pathTerms(paths[i]!);
    const id = ids[i]!;
    if (indexedFieldLen(pathLen, a).some((n, f) => fieldLen[id * 4 + f] !== n)) return null;
    const terms = new Set([...a.terms, ...pathCounts.keys()]);
    for (const t of terms) out.terms.add(t);
    out.postings += terms.size;
    for (const s of a.symbols) out.symbolKeys.add(s.name.toLowerCase());
    out.symbols += a.symbols.length;
  }
  return out;
}
