// The query language: words (all must match), "exact phrase", -word, sym:name, path:glob, lang:ts, /regex/,
// case:yes. Parsing never throws anything but a usage QuarryError.
import { QuarryError } from '../util/errors.js';
import { MAX_TERM, MIN_TERM, forEachWord } from '../index/tokenize.js';
import { languageAliases } from '../index/language.js';

export interface Query {
  /** Required words as typed (each is looked up lowercased). */
  words: string[];
  /** Exact phrases; their words are required too. */
  phrases: string[];
  /** Words that must not occur. */
  excludes: string[];
  /** Definitions: `sym:name`, or `sym:pre*` for a prefix. */
  symbols: { name: string; prefix: boolean }[];
  /** Globs the path must match (any of them). */
  paths: string[];
  /** Language codes (any of them). */
  langs: string[];
  regexes: RegExp[];
  caseSensitive: boolean;
}

function usage(message: string, hint?: string): QuarryError {
  return new QuarryError('usage', message, { hint: hint ?? 'see `quarry search --help` for the query language' });
}

/** Splits the raw query into items, honouring "quotes" and /regex/ (which may hold spaces). */
function lex(input: string): { text: string; quoted: boolean; regex?: { source: string; flags: string } }[] {
  const items: { text: string; quoted: boolean; regex?: { source: string; flags: string } }[] = [];
  let i = 0;
  const n = input.length;
  while (i < n) {
    const c = input[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    // Optional leading '-' or 'prefix:' before a quote applies to the quoted text.
    let head = '';
    let j = i;
    while (j < n && !/\s/.test(input[j]!) && input[j] !== '"') j++;
    head = input.slice(i, j);
    if (j < n && input[j] === '"' && (head === '' || head === '-' || /^[a-z]+:$/.test(head))) {
      const close = input.indexOf('"', j + 1);
      if (close < 0) throw usage(`unbalanced quote in query: ${input}`, 'close the phrase with a second "');
      items.push({ text: head + input.slice(j + 1, close), quoted: true });
      i = close + 1;
      continue;
    }
    if (c === '/' && head.length > 1) {
      // A regex runs to the next unescaped '/', spaces included.
      let k = i + 1;
      while (k < n && input[k] !== '/') k += input[k] === '\\' ? 2 : 1;
      if (k >= n) throw usage(`unterminated /regex/ in query: ${input}`, 'end the regex with /');
      let f = k + 1;
      while (f < n && /[a-z]/.test(input[f]!)) f++;
      items.push({ text: input.slice(i, f), quoted: false, regex: { source: input.slice(i + 1, k), flags: input.slice(k + 1, f) } });
      i = f;
      continue;
    }
    if (head.includes('"')) throw usage(`unbalanced quote in query: ${input}`, 'close the phrase with a second "');
    items.push({ text: head, quoted: false });
    i = j;
    if (j < n && input[j] === '"') throw usage(`unbalanced quote in query: ${input}`, 'close the phrase with a second "');
  }
  return items;
}

/** The words of `text` that the index can look up. */
export function lookupWords(text: string): string[] {
  const out: string[] = [];
  forEachWord(text, (s, e) => {
    if (e - s >= MIN_TERM && e - s <= MAX_TERM) out.push(text.slice(s, e));
  });
  return out;
}

export function parseQuery(input: string): Query {
  const q: Query = { words: [], phrases: [], excludes: [], symbols: [], paths: [], langs: [], regexes: [], caseSensitive: false };
  if (input.trim() === '') throw usage('empty query', 'give at least one word, e.g. `quarry search loadConfig`');
  for (const item of lex(input)) {
    if (item.regex) {
      const flags = item.regex.flags;
      if (/[^ims]/.test(flags)) throw usage(`unsupported regex flags "${flags}" in ${item.text}`, 'use i, m or s');
      try {
        q.regexes.push(new RegExp(item.regex.source, flags));
      } catch (err) {
        throw usage(`invalid regex ${item.text}: ${(err as Error).message}`);
      }
      continue;
    }
    const text = item.text;
    const colon = /^([a-z]+):(.*)$/s.exec(text);
    const key = colon?.[1];
    const value = colon?.[2] ?? '';
    if (key === 'sym' || key === 'path' || key === 'lang' || key === 'case') {
      if (value === '') throw usage(`${key}: needs a value`);
      if (key === 'sym') {
        const prefix = value.endsWith('*');
        const name = prefix ? value.slice(0, -1) : value;
        if (name === '' || /\s/.test(name)) throw usage(`sym: needs a symbol name, got "${value}"`);
        q.symbols.push({ name, prefix });
      } else if (key === 'path') q.paths.push(value);
      else if (key === 'lang') {
        const langs = languageAliases(value);
        if (langs.length === 0)
          throw usage(`unknown language "${value}"`, 'use js, ts, jsx, tsx, dts, json, md, css, html, vue, svelte or text');
        q.langs.push(...langs);
      } else {
        if (value !== 'yes' && value !== 'no') throw usage(`case: takes yes or no, got "${value}"`);
        q.caseSensitive = value === 'yes';
      }
      continue;
    }
    if (text.startsWith('-') && text.length > 1) {
      const words = lookupWords(text.slice(1));
      if (words.length === 0) throw usage(`nothing to exclude in "${text}"`);
      q.excludes.push(...words);
      continue;
    }
    if (item.quoted) {
      const words = lookupWords(text);
      if (words.length === 0) throw usage(`the phrase "${text}" has no word to look up`);
      q.phrases.push(text);
      q.words.push(...words);
      continue;
    }
    const words = lookupWords(text);
    if (words.length === 0) throw usage(`"${text}" has no word to look up (words need ${MIN_TERM}+ letters, digits or _)`);
    q.words.push(...words);
  }
  if (q.words.length === 0 && q.symbols.length === 0 && q.paths.length === 0 && q.langs.length === 0 && q.regexes.length === 0) {
    throw usage('the query has nothing to match (only exclusions or options)');
  }
  return q;
}
