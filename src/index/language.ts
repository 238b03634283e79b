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

/** `lang:` accepts these aliases besides the codes themselves. */
export function languageAliases(name: string): Language[] {
  switch (name.toLowerCase()) {
    case 'js':
    case 'javascript':
      return ['js', 'jsx'];
    case 'ts':
    case 'typescript':
      return ['ts', 'tsx', 'dts'];
    case 'jsx':
      return ['jsx'];
    case 'tsx':
      return ['tsx'];
    case 'dts':
    case 'd.ts':
      return ['dts'];
    case 'json':
      return ['json'];
    case 'md':
    case 'markdown':
      return ['md'];
    case 'css':
      return ['css'];
    case 'html':
      return ['html'];
    case 'vue':
      return ['vue'];
    case 'svelte':
      return ['svelte'];
    case 'text':
      return ['text'];
    default:
      return [];
  }
}
