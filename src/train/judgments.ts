// `--judgments FILE.jsonl`: a user's own {query, path, grade} lines, checked line by line.
import { readFileSync } from 'node:fs';
import { QuarryError, messageOf } from '../util/errors.js';
import { lookupWords } from '../search/queryParser.js';

export interface Judgment {
  /** 1-based line in the file. */
  line: number;
  words: string[];
  /** File id in the index. */
  doc: number;
  /** Relevance, 0 (not relevant) to 10. */
  grade: number;
}

export interface JudgmentsRead {
  judgments: Judgment[];
  /** One message per bad line, `FILE:LINE: why`. */
  errors: string[];
}

const MAX_GRADE = 10;

/**
 * Reads and checks a judgments file against the index's paths. Throws `bad-input` (exit 2) when the file cannot
 * be read or has no usable line; otherwise the bad lines come back as errors for the caller to warn about.
 */
export function readJudgments(file: string, docOf: (path: string) => number | undefined): JudgmentsRead {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new QuarryError('bad-input', `cannot read judgments ${file}: ${messageOf(err)}`);
  }
  const judgments: Judgment[] = [];
  const errors: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const why = checkLine(raw, i + 1, docOf, judgments);
    if (why !== null) errors.push(`${file}:${i + 1}: ${why}`);
  }
  if (judgments.length === 0) {
    const shown = errors.slice(0, 5).join('\n  ');
    throw new QuarryError('bad-input', `no usable judgment in ${file}${errors.length > 0 ? `:\n  ${shown}` : ' (the file is empty)'}`, {
      hint: 'each line is a JSON object {"query": "words", "path": "src/file.ts", "grade": 0-10}, path relative to the indexed root',
    });
  }
  return { judgments, errors };
}

/** Adds the judgment on this line, or says why it is bad. */
function checkLine(raw: string, line: number, docOf: (path: string) => number | undefined, out: Judgment[]): string | null {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (err) {
    return `not JSON (${messageOf(err)})`;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'expected an object {query, path, grade}';
  const o = v as Record<string, unknown>;
  if (typeof o.query !== 'string') return '"query" must be a string';
  const words = lookupWords(o.query).map((w) => w.toLowerCase());
  if (words.length === 0) return `query "${o.query}" has no word to look up`;
  if (typeof o.path !== 'string' || o.path === '') return '"path" must be a non-empty string';
  const path = o.path.replace(/\\/g, '/').replace(/^\.\//, '');
  const doc = docOf(path);
  if (doc === undefined) return `path ${o.path} is not in the index`;
  const grade = o.grade === undefined ? 1 : o.grade;
  if (typeof grade !== 'number' || !Number.isFinite(grade) || grade < 0 || grade > MAX_GRADE) {
    return `"grade" must be a number from 0 to ${MAX_GRADE}`;
  }
  out.push({ line, words, doc, grade });
  return null;
}
