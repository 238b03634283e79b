// Symbol kinds, stored in the index as their position in this list (kept apart from parse.ts so that readers
// of the index do not load @babel/parser).
export const SYMBOL_KINDS = ['function', 'class', 'method', 'variable', 'type', 'interface', 'enum', 'namespace', 'property'] as const;
export type SymbolKind = (typeof SYMBOL_KINDS)[number];
