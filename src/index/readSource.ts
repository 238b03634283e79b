// Reads one walked file for analysis: stat, size limit, read, the skip rules and the content hash. Shared by the
// index and scan workers, so both skip the same files for the same reasons.
import { readFileSync, statSync } from 'node:fs';
import { errnoCode } from '../util/errors.js';
import type { SkipReason } from './analysis.js';
import { classify, contentHash, type SkipRules } from './analyze.js';

export type SourceRead =
  | { ok: true; buf: Buffer; hash: string; size: number; mtimeMs: number; lines: number }
  | { ok: false; reason: SkipReason; detail?: string; bytes: number };

/** Never throws: a file that vanished, is not a file or cannot be read is a skip with its reason. */
export function readSource(abs: string, rules: SkipRules): SourceRead {
  let buf: Buffer;
  let size: number;
  let mtimeMs: number;
  try {
    const st = statSync(abs);
    if (!st.isFile()) return { ok: false, reason: 'not-a-file', bytes: 0 };
    size = st.size;
    mtimeMs = st.mtimeMs;
    if (size > rules.maxFileBytes) return { ok: false, reason: 'too-large', bytes: 0 };
    buf = readFileSync(abs);
  } catch (err) {
    const code = errnoCode(err);
    return {
      ok: false,
      reason: code === 'ENOENT' ? 'vanished' : code === 'EISDIR' ? 'not-a-file' : 'unreadable',
      detail: code ?? String(err),
      bytes: 0,
    };
  }
  const { reason, lines } = classify(buf, rules);
  if (reason) return { ok: false, reason, bytes: buf.length };
  return { ok: true, buf, hash: contentHash(buf), size, mtimeMs, lines };
}
