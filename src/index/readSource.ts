// Reads one walked file for analysis: stat, size limit, read, the skip rules (classify) and the content hash. Shared
// by the index and scan workers, so both skip the same files for the same reasons.
import { hash as cryptoHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { readFileSync, statSync } from 'node:fs';
import { errnoCode } from '../util/errors.js';
import type { SkipReason } from './analysis.js';
import type { SkipRules } from './skipRules.js';

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

/** Content hash used for cache keys and change detection. */
export function contentHash(buf: Buffer): string {
  return cryptoHash('sha1', buf, 'hex');
}

/**
 * Why these bytes are not source, or null when they are; also the line count. Minified or generated code is
 * told by its lines: an average over `maxAvgLineChars`, or lines over `maxLineChars` holding most of the bytes
 * (a readable file with one long line, say an inlined data URL, is still indexed).
 */
export function classify(buf: Buffer, rules: SkipRules): { reason: SkipReason | null; lines: number } {
  if (buf.length > rules.maxFileBytes) return { reason: 'too-large', lines: 0 };
  if (buf.indexOf(0) !== -1) return { reason: 'binary', lines: 0 };
  if (!isUtf8(buf)) return { reason: 'invalid-utf8', lines: 0 };
  let lines = 0;
  let longBytes = 0;
  let pos = 0;
  for (;;) {
    const nl = buf.indexOf(10, pos);
    const end = nl === -1 ? buf.length : nl;
    // Byte lengths overestimate characters for non-ASCII text, which only matters near the limits.
    if (end - pos > rules.maxLineChars) longBytes += end - pos;
    if (nl === -1) {
      if (end > pos) lines++;
      break;
    }
    lines++;
    pos = nl + 1;
  }
  if (longBytes * 2 > buf.length) return { reason: 'minified', lines };
  if (buf.length > 2048 && lines > 0 && buf.length / lines > rules.maxAvgLineChars) return { reason: 'minified', lines };
  return { reason: null, lines };
}
