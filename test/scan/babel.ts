// Parses a test source the way `quarry scan` does: once, with error recovery, plugins chosen by file extension.
import { parse, type ParserPlugin } from '@babel/parser';

/** What @babel/parser returns (typed with the @babel/types version it depends on). */
export type BabelFile = ReturnType<typeof parse>;

/** Plugins for a file name, as the indexer chooses them. */
export function pluginsFor(file: string): ParserPlugin[] {
  if (file.endsWith('.d.ts') || file.endsWith('.d.mts') || file.endsWith('.d.cts'))
    return [['typescript', { dts: true }], 'decorators-legacy'];
  if (/\.[mc]?ts$/.test(file)) return ['typescript', 'decorators-legacy'];
  if (file.endsWith('.tsx')) return ['typescript', 'jsx', 'decorators-legacy'];
  return ['jsx', 'decorators-legacy'];
}

/** The AST of `source`, or undefined when babel gives up even with error recovery. */
export function parseForScan(source: string, file = 'input.ts'): BabelFile | undefined {
  try {
    return parse(source, {
      sourceType: 'unambiguous',
      errorRecovery: true,
      allowReturnOutsideFunction: true,
      allowImportExportEverywhere: true,
      allowAwaitOutsideFunction: true,
      allowSuperOutsideMethod: true,
      allowUndeclaredExports: true,
      plugins: pluginsFor(file),
    });
  } catch {
    return undefined;
  }
}
