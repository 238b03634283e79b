// Resolves an import specifier to a file of the scanned tree, a package or a Node builtin, the way Node and
// TypeScript resolve relative specifiers, tsconfig `paths` and `baseUrl` — against a known file list, not the disk.
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import stripJsonComments from 'strip-json-comments';

/** What a specifier names. Paths are root-relative with `/` separators. */
export type Resolution =
  { kind: 'file'; path: string } | { kind: 'external'; package: string } | { kind: 'builtin'; name: string } | { kind: 'unresolved' };

/** The parts of a tsconfig that steer module resolution, with every directory made root-relative. */
export interface TsconfigPaths {
  /** `compilerOptions.baseUrl` as a root-relative directory (`''` is the root itself); undefined when not set. */
  baseUrl?: string;
  /**
   * `compilerOptions.paths` in the order written: a pattern with at most one `*`, and its targets made
   * root-relative (relative to `baseUrl` when set, else to the tsconfig that declared `paths`).
   */
  paths: { pattern: string; targets: string[] }[];
}

export interface ResolveOptions {
  /** What {@link loadTsconfig} found; without it, non-relative specifiers are packages or builtins. */
  tsconfig?: TsconfigPaths | undefined;
  /**
   * Reads a root-relative JSON file, for the `types`/`typings`/`main` of a `package.json` in an imported directory;
   * returns undefined when there is none. Called once per directory import: memoize it if that is costly.
   * @default no package.json is read
   */
  readJson?: ((path: string) => unknown) | undefined;
}

/** How one importer looks files up: TypeScript's way for TypeScript files, Node's for JavaScript ones. */
interface Lookup {
  files: ReadonlySet<string>;
  readJson: ResolveOptions['readJson'];
  /** Extensions tried, in order, after a specifier without one. */
  extensions: readonly string[];
  /** The sources a JavaScript extension in a specifier may stand for (`./a.js` is `a.ts` before the build). */
  sourceFor: Readonly<Record<string, readonly string[]>>;
  /** package.json fields naming a directory's entry, in order. */
  manifestFields: readonly string[];
}

/** TypeScript's order first, then Node's, then JSON. */
const TS_EXTENSIONS = ['.ts', '.tsx', '.d.ts', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts', '.json'];
const TS_SOURCE_FOR: Record<string, string[]> = {
  '.js': ['.ts', '.tsx', '.d.ts'],
  '.jsx': ['.tsx', '.d.ts'],
  '.mjs': ['.mts', '.d.mts'],
  '.cjs': ['.cts', '.d.cts'],
};
/** What Node (and bundlers, for .jsx) load at run time: never a declaration file. */
const JS_EXTENSIONS = ['.js', '.jsx', '.mjs', '.cjs', '.json'];
const JS_IMPORTER = /\.(?:[cm]?js|jsx)$/;

function lookupFor(importer: string, files: ReadonlySet<string>, readJson: ResolveOptions['readJson']): Lookup {
  return JS_IMPORTER.test(importer)
    ? { files, readJson, extensions: JS_EXTENSIONS, sourceFor: {}, manifestFields: ['main'] }
    : // TypeScript reads `types`/`typings` first, then `main`.
      { files, readJson, extensions: TS_EXTENSIONS, sourceFor: TS_SOURCE_FOR, manifestFields: ['types', 'typings', 'main'] };
}

const BUILTINS = new Set(builtinModules);

/**
 * Resolves `specifier` as imported from `importer` (a root-relative path) against `files` (root-relative paths with
 * `/` separators). Relative specifiers, then `node:` ones, then tsconfig `paths`, then `baseUrl`, then builtin names,
 * then packages. From a TypeScript file, `./a.js` finds the source `a.ts` before a built `a.js` beside it, as `tsc`
 * does; from a JavaScript file, lookups are Node's (never a `.d.ts`, package.json `main`). A relative specifier that leaves the root, names no known file, or an unusual specifier (URL, `#subpath`,
 * `~alias`, absolute path) is `unresolved`.
 */
export function resolveImport(importer: string, specifier: string, files: ReadonlySet<string>, options: ResolveOptions = {}): Resolution {
  const lookup = lookupFor(importer, files, options.readJson);
  if (isRelative(specifier)) {
    const found = resolveRelative(importer, specifier, lookup);
    if (found !== undefined) return { kind: 'file', path: found };
    // Bundlers allow `./icon.svg?url`, `./a.js#frag`: the file is the part before.
    const cut = specifier.search(/[?#]/);
    if (cut > 0) {
      const bare = resolveRelative(importer, specifier.slice(0, cut), lookup);
      if (bare !== undefined) return { kind: 'file', path: bare };
    }
    return { kind: 'unresolved' };
  }
  if (specifier.startsWith('node:')) return { kind: 'builtin', name: specifier.slice(5) };
  const tsconfig = options.tsconfig;
  if (tsconfig) {
    for (const candidate of pathCandidates(specifier, tsconfig.paths)) {
      const found = resolvePath(candidate, lookup);
      if (found !== undefined) return { kind: 'file', path: found };
    }
    if (tsconfig.baseUrl !== undefined) {
      const found = resolvePath(posix.join(tsconfig.baseUrl, specifier), lookup);
      if (found !== undefined) return { kind: 'file', path: found };
    }
  }
  if (BUILTINS.has(specifier)) return { kind: 'builtin', name: specifier };
  const pkg = packageName(specifier);
  return pkg === undefined ? { kind: 'unresolved' } : { kind: 'external', package: pkg };
}

/**
 * The npm package a bare specifier names (`@scope/pkg/sub` → `@scope/pkg`, `pkg/sub` → `pkg`); undefined for what
 * cannot be a package name (relative or absolute paths, URLs and other `scheme:` specifiers, `#subpath` imports,
 * `~` aliases, a lone `@scope`).
 */
export function packageName(specifier: string): string | undefined {
  if (specifier === '' || /^[./#~\\]/.test(specifier) || specifier.includes(':')) return undefined;
  const parts = specifier.split('/');
  if (specifier.startsWith('@')) {
    if (parts.length < 2 || parts[0]!.length < 2 || !parts[1]) return undefined;
    return `${parts[0]}/${parts[1]}`;
  }
  return parts[0] || undefined;
}

function isRelative(specifier: string): boolean {
  return specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../');
}

function resolveRelative(importer: string, specifier: string, lookup: Lookup): string | undefined {
  const base = posix.join(posix.dirname(importer), specifier);
  if (base === '..' || base.startsWith('../') || base.startsWith('/')) return undefined;
  return resolvePath(base === '.' ? '' : base.replace(/\/$/, ''), lookup);
}

/** A known file for a root-relative path: as a file (with its source or added extensions), then as a directory. */
function resolvePath(base: string, lookup: Lookup): string | undefined {
  return (base === '' ? undefined : resolveFile(base, lookup)) ?? resolveDirectory(base, lookup);
}

function resolveFile(base: string, lookup: Lookup): string | undefined {
  const { files } = lookup;
  const ext = posix.extname(base);
  const sources = lookup.sourceFor[ext];
  if (sources) {
    const stem = base.slice(0, -ext.length);
    for (const source of sources) if (files.has(stem + source)) return stem + source;
  }
  if (files.has(base)) return base;
  for (const added of lookup.extensions) if (files.has(base + added)) return base + added;
  return undefined;
}

function resolveDirectory(dir: string, lookup: Lookup): string | undefined {
  const prefix = dir === '' ? '' : dir + '/';
  const manifest = lookup.readJson?.(prefix + 'package.json');
  if (manifest !== null && typeof manifest === 'object') {
    for (const field of lookup.manifestFields) {
      const entry = (manifest as Record<string, unknown>)[field];
      if (typeof entry !== 'string' || entry === '') continue;
      const target = posix.join(dir, entry).replace(/\/$/, '');
      if (target === '..' || target.startsWith('../')) continue;
      const found = (target === '.' ? undefined : resolveFile(target, lookup)) ?? resolveIndex(target === '.' ? '' : target, lookup);
      if (found !== undefined) return found;
    }
  }
  return resolveIndex(dir, lookup);
}

function resolveIndex(dir: string, lookup: Lookup): string | undefined {
  const prefix = dir === '' ? 'index' : dir + '/index';
  for (const ext of lookup.extensions) if (lookup.files.has(prefix + ext)) return prefix + ext;
  return undefined;
}

/** Root-relative paths that tsconfig `paths` maps `specifier` to: an exact pattern first, else the longest prefix. */
function pathCandidates(specifier: string, paths: TsconfigPaths['paths']): string[] {
  let best: { targets: string[]; star: string } | undefined;
  let bestPrefix = -1;
  for (const { pattern, targets } of paths) {
    const star = pattern.indexOf('*');
    if (star < 0) {
      if (pattern === specifier) return targets;
      continue;
    }
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    if (
      prefix.length > bestPrefix &&
      specifier.length >= prefix.length + suffix.length &&
      specifier.startsWith(prefix) &&
      specifier.endsWith(suffix)
    ) {
      bestPrefix = prefix.length;
      best = { targets, star: specifier.slice(prefix.length, specifier.length - suffix.length) };
    }
  }
  if (best === undefined) return [];
  const { targets, star } = best;
  return targets.map((t) => t.replace('*', star));
}

/** Parses JSON with comments and trailing commas, as tsconfig.json allows. Throws on anything else malformed. */
export function parseJsonc(text: string): unknown {
  return JSON.parse(stripJsonComments(text.replace(/^\uFEFF/, ''), { trailingCommas: true }));
}

/**
 * Reads `<root>/tsconfig.json` and the configs it `extends` by relative path (package configs such as
 * `@tsconfig/node20` are not followed), and returns its `baseUrl` and `paths` made root-relative. Undefined when the
 * root has no tsconfig.json or it cannot be parsed. `readFile` gets absolute paths and returns undefined for a
 * missing file.
 */
export function loadTsconfig(root: string, readFile: (path: string) => string | undefined = readIfExists): TsconfigPaths | undefined {
  const merged = readConfig(join(root, 'tsconfig.json'), readFile, new Set());
  if (merged === undefined) return undefined;
  const toRoot = (abs: string): string => relative(root, abs).split(sep).join('/');
  const result: TsconfigPaths = { paths: [] };
  if (merged.baseUrl !== undefined) result.baseUrl = toRoot(merged.baseUrl);
  if (merged.paths) {
    const base = merged.baseUrl ?? merged.paths.dir;
    for (const [pattern, targets] of Object.entries(merged.paths.value)) {
      if (!Array.isArray(targets)) continue;
      const list = targets.filter((t): t is string => typeof t === 'string').map((t) => posix.normalize(posix.join(toRoot(base), t)));
      result.paths.push({ pattern, targets: list });
    }
  }
  return result;
}

/** baseUrl (absolute) and paths (with the directory they are relative to) after `extends` is applied. */
interface MergedConfig {
  baseUrl?: string;
  paths?: { value: Record<string, unknown>; dir: string };
}

function readConfig(file: string, readFile: (path: string) => string | undefined, seen: Set<string>): MergedConfig | undefined {
  if (seen.has(file)) return undefined; // an `extends` cycle: tsc reports it; resolution goes on without it
  seen.add(file);
  try {
    return readConfigOnce(file, readFile, seen);
  } finally {
    seen.delete(file); // `seen` holds the chain that led here, so two configs may extend one base
  }
}

function readConfigOnce(file: string, readFile: (path: string) => string | undefined, seen: Set<string>): MergedConfig | undefined {
  const text = readFile(file);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = parseJsonc(text);
  } catch {
    return undefined;
  }
  if (json === null || typeof json !== 'object') return undefined;
  const config = json as { extends?: unknown; compilerOptions?: unknown };
  const dir = dirname(file);
  const merged: MergedConfig = {};
  const bases = Array.isArray(config.extends) ? config.extends : [config.extends];
  for (const base of bases) {
    if (typeof base !== 'string' || !(base.startsWith('./') || base.startsWith('../'))) continue;
    const path = join(dir, base.endsWith('.json') ? base : base + '.json');
    const inherited = readConfig(path, readFile, seen);
    if (inherited?.baseUrl !== undefined) merged.baseUrl = inherited.baseUrl;
    if (inherited?.paths !== undefined) merged.paths = inherited.paths;
  }
  const options = config.compilerOptions;
  if (options !== null && typeof options === 'object') {
    const { baseUrl, paths } = options as { baseUrl?: unknown; paths?: unknown };
    if (typeof baseUrl === 'string') merged.baseUrl = join(dir, baseUrl);
    if (paths !== null && typeof paths === 'object') merged.paths = { value: paths as Record<string, unknown>, dir };
  }
  return merged;
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
