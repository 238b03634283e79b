// Which language a path is, and which @babel/parser plugins parse it.

export type Language = 'js' | 'jsx' | 'ts' | 'tsx' | 'dts' | 'json' | 'md' | 'css' | 'html' | 'vue' | 'svelte' | 'text';

const BY_EXT: Record<string, Language> = {
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.json': 'json',
  '.md': 'md',
  '.markdown': 'md',
  '.css': 'css',
  '.scss': 'css',
  '.less': 'css',
  '.html': 'html',
  '.htm': 'html',
  '.vue': 'vue',
  '.svelte': 'svelte',
};

/** Language codes in a stable order: the index stores a language as its position here. */
export const LANGUAGES: readonly Language[] = ['text', 'js', 'jsx', 'ts', 'tsx', 'dts', 'json', 'md', 'css', 'html', 'vue', 'svelte'];

export function languageOf(path: string): Language {
  if (/\.d\.[mc]?ts$/.test(path)) return 'dts';
  const dot = path.lastIndexOf('.');
  const slash = path.lastIndexOf('/');
  if (dot <= slash + 1) return 'text';
  return BY_EXT[path.slice(dot).toLowerCase()] ?? 'text';
}

/** Whether babel parses this language (the rest is tokenized only). */
export function isParsed(lang: Language): boolean {
  return lang === 'js' || lang === 'jsx' || lang === 'ts' || lang === 'tsx' || lang === 'dts';
}

/**
 * Which copy of the parser a file goes through (see parse.ts): TypeScript files through one of their own. A pool
 * hands each family to as few threads as it can (runInPool), so that fewer threads warm up a second parser.
 */
export function parserFamily(path: string): 'ts' | 'other' {
  const lang = languageOf(path);
  return lang === 'ts' || lang === 'tsx' || lang === 'dts' ? 'ts' : 'other';
}

/** What `lang:NAME` selects: a language code, or a family (`js` covers jsx, `ts` covers tsx and .d.ts). */
const LANG_FILTERS: Record<string, Language[]> = {
  js: ['js', 'jsx'],
  javascript: ['js', 'jsx'],
  ts: ['ts', 'tsx', 'dts'],
  typescript: ['ts', 'tsx', 'dts'],
  'd.ts': ['dts'],
  markdown: ['md'],
};

/** The languages `lang:NAME` selects (empty for an unknown name). */
export function languageAliases(name: string): Language[] {
  const key = name.toLowerCase();
  if (Object.hasOwn(LANG_FILTERS, key)) return LANG_FILTERS[key]!;
  return (LANGUAGES as readonly string[]).includes(key) ? [key as Language] : [];
}
