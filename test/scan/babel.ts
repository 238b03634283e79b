// Parses a test source the way `quarry scan` does: parseProgram, with the language of the file name.
import { languageOf } from '../../src/index/language.js';
import { parseProgram, type BabelFile } from '../../src/index/parse.js';

export type { BabelFile };

/** The AST of `source`, or undefined when babel gives up even with error recovery. */
export function parseForScan(source: string, file = 'input.ts'): BabelFile | undefined {
  return parseProgram(source, languageOf(file)).ast ?? undefined;
}
