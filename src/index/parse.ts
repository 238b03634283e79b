// Symbols, imports, exports and doc comments of one JS/TS file, through @babel/parser with error recovery.
import { createRequire } from 'node:module';
import type { ParserOptions, ParserPlugin } from '@babel/parser';
import type { Language } from './language.js';
import { NON_CHILD_KEY_SET } from '../util/astKeys.js';
import { VISITOR_KEYS } from '../util/babelVisitorKeys.js';
import { FUNCTION_SCOPES, isFunction, isModuleExports, nameOf, patternNames } from '../util/astNames.js';

import type { SymbolKind } from './symbolKinds.js';

export interface ParsedSymbol {
  name: string;
  kind: SymbolKind;
  /** 1-based line of the name. */
  line: number;
  /** 1-based last line of the definition. */
  endLine: number;
  exported: boolean;
  /** The doc comment (`/** … *\/`) right before the definition, without its stars; '' when none. */
  doc: string;
}

export interface ParseResult {
  symbols: ParsedSymbol[];
  /** Module specifiers this file imports, requires, re-exports or import()s, in source order, unique. */
  imports: string[];
  /** Names this file exports ('default' for a default export). */
  exports: string[];
  /** Text of every doc comment in the file. */
  docText: string;
  /** Set when babel reported errors (recovered or not). */
  error?: string;
}

function pluginsFor(lang: Language): ParserPlugin[] {
  switch (lang) {
    case 'ts':
      return ['typescript', 'decorators-legacy'];
    case 'tsx':
      return ['typescript', 'jsx', 'decorators-legacy'];
    case 'dts':
      return [['typescript', { dts: true }], 'decorators-legacy'];
    default:
      return ['jsx', 'decorators-legacy'];
  }
}

type Babel = typeof import('@babel/parser');

const require = createRequire(import.meta.url);
const BABEL_PATH = require.resolve('@babel/parser');
const babels = new Map<string, Babel>();

/**
 * A copy of @babel/parser of its own for each plugin set. babel builds one parser class per plugin set; when one
 * copy parses both JS and TypeScript, V8's inline caches in the shared parser code see several classes and go
 * polymorphic, and JS parsing got 25-50% slower on the corpus (bench/parser-copies.mjs). A
 * copy is loaded on first use, so a tree without TypeScript never loads a second one.
 */
function babelFor(key: string): Babel {
  let babel = babels.get(key);
  if (babel === undefined) {
    const shared = require.cache[BABEL_PATH];
    delete require.cache[BABEL_PATH];
    try {
      babel = require(BABEL_PATH) as Babel;
    } finally {
      if (shared) require.cache[BABEL_PATH] = shared;
    }
    babels.set(key, babel);
  }
  return babel;
}

/** Parses with the copy of babel kept for this plugin set. */
function parse(code: string, plugins: ParserPlugin[]): BabelFile {
  return babelFor(pluginKey(plugins)).parse(code, parserOptions(plugins));
}

function pluginKey(plugins: ParserPlugin[]): string {
  return plugins.map((p) => (typeof p === 'string' ? p : p[0])).join('+');
}

/** babel's options for every parse: as forgiving as babel allows, no comment attachment (docs are found by offset). */
export function parserOptions(plugins: ParserPlugin[]): ParserOptions {
  return {
    sourceType: 'unambiguous',
    errorRecovery: true,
    allowReturnOutsideFunction: true,
    allowImportExportEverywhere: true,
    allowAwaitOutsideFunction: true,
    allowSuperOutsideMethod: true,
    allowUndeclaredExports: true,
    attachComment: false,
    plugins,
  };
}

type Node = {
  type: string;
  start?: number | null;
  end?: number | null;
  loc?: { start: { line: number }; end: { line: number } } | null;
  [key: string]: unknown;
};
type Comment = { type: string; value: string; start: number; end: number };

/** Babel's tree of one file. */
export type BabelFile = ReturnType<Babel['parse']>;

/** Where babel first stumbled: 1-based line and column. */
export interface ParseError {
  message: string;
  line: number;
  column: number;
}

/** A parsed file: its tree (null when babel gave up) and the first error, recovered from or not. */
export type ParsedProgram = { ast: BabelFile; error?: ParseError } | { ast: null; error: ParseError };

/** babel's errors carry `loc` {line, column (0-based)}; the message ends with "(line:column)" too. */
function parseErrorOf(err: unknown): ParseError {
  const e = err as { message?: unknown; loc?: { line?: unknown; column?: unknown } };
  const message = typeof e.message === 'string' ? e.message : String(err);
  const line = typeof e.loc?.line === 'number' ? e.loc.line : 1;
  const column = typeof e.loc?.column === 'number' ? e.loc.column + 1 : 1;
  return { message, line, column };
}

/**
 * Parses `code` with the plugins of its language and error recovery; never throws. The one parse shared by
 * `index` (symbols) and `scan` (metrics and rules).
 */
export function parseProgram(code: string, lang: Language): ParsedProgram {
  if (lang === 'js') {
    // Most .js files hold no JSX, and babel is ~13% faster without the plugin: try that first.
    try {
      const fast = parse(code, ['decorators-legacy']);
      if (!fast.errors?.length) return { ast: fast };
    } catch {
      // Retried below with JSX.
    }
  }
  let ast: BabelFile;
  try {
    ast = parse(code, pluginsFor(lang));
  } catch (first) {
    if (lang !== 'js') return { ast: null, error: parseErrorOf(first) };
    try {
      // Plain JS that is not JSX can still trip the jsx plugin (`a < b > c`); and Flow-typed sources exist.
      ast = parse(code, ['flow']);
    } catch {
      return { ast: null, error: parseErrorOf(first) };
    }
  }
  const first = ast.errors?.[0];
  return first ? { ast, error: parseErrorOf(first) } : { ast };
}

/** Symbols, imports, exports and doc comments of a parsed file. */
export function collectSymbols(ast: BabelFile, code: string): ParseResult {
  const comments = (ast.comments ?? []) as unknown as Comment[];
  const docs = comments.filter((c) => c.type === 'CommentBlock' && c.value.startsWith('*'));
  const collector = new Collector(code, docs);
  const program = ast.program as unknown as Node;
  const info = typeInfo(program);
  if (info !== null) collector.visit(program, null, info);
  collector.finish();
  return {
    symbols: collector.symbols,
    imports: [...collector.imports],
    exports: [...collector.exports],
    docText: docs.map((d) => d.value).join('\n'),
  };
}

/** Parses `code`; never throws: a file babel cannot parse comes back with `error` set and no symbols. */
export function parseSource(code: string, lang: Language): ParseResult {
  const parsed = parseProgram(code, lang);
  if (parsed.ast === null) return { symbols: [], imports: [], exports: [], docText: '', error: parsed.error.message };
  const result = collectSymbols(parsed.ast, code);
  if (parsed.error) result.error = parsed.error.message;
  return result;
}

class Collector {
  readonly symbols: ParsedSymbol[] = [];
  readonly imports = new Set<string>();
  readonly exports = new Set<string>();
  private readonly exportedLocals = new Set<string>();
  /** How many functions enclose the node being visited: their plain local variables are not symbols. */
  private fnDepth = 0;

  constructor(
    private readonly code: string,
    private readonly docs: Comment[],
  ) {}

  /** Walks the subtree of `node` (not a skipped type): the hot loop of parsing, so no iterators or closures. */
  visit(node: Node, parent: Node | null, info: TypeInfo): void {
    if (info.enter) this.enter(node, parent);
    if (info.fn) this.fnDepth++;
    const keys = info.keys;
    for (let k = 0; k < keys.length; k++) {
      const value = node[keys[k]!];
      if (value === null || typeof value !== 'object') continue;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const child: unknown = value[i];
          if (child === null || typeof child !== 'object') continue;
          const childInfo = typeInfo(child as Node);
          if (childInfo !== null) this.visit(child as Node, node, childInfo);
        }
      } else if (typeof (value as Node).type === 'string') {
        const childInfo = typeInfo(value as Node);
        if (childInfo !== null) this.visit(value as Node, node, childInfo);
      }
    }
    if (info.fn) this.fnDepth--;
  }

  private enter(node: Node, parent: Node | null): void {
    const exported = parent !== null && (parent.type === 'ExportNamedDeclaration' || parent.type === 'ExportDefaultDeclaration');
    const docAnchor = exported ? parent : node;
    switch (node.type) {
      case 'FunctionDeclaration':
      case 'TSDeclareFunction':
        this.add(node.id, 'function', node, docAnchor, exported);
        if (parent?.type === 'ExportDefaultDeclaration') this.exports.add('default');
        break;
      case 'ClassDeclaration':
        this.add(node.id, 'class', node, docAnchor, exported);
        if (parent?.type === 'ExportDefaultDeclaration') this.exports.add('default');
        break;
      case 'ClassExpression':
        if (node.id) this.add(node.id, 'class', node, node, false);
        break;
      case 'TSInterfaceDeclaration':
      case 'TSTypeAliasDeclaration':
      case 'TSEnumDeclaration':
      case 'TSModuleDeclaration':
        this.add(node.id, TS_DECLARATION_KINDS[node.type]!, node, docAnchor, exported);
        break;
      case 'ClassMethod':
      case 'ClassPrivateMethod':
      case 'TSDeclareMethod':
      case 'ObjectMethod':
        if ((node.kind as string) !== 'constructor') this.add(node.key, 'method', node, node, false);
        break;
      case 'ClassProperty':
      case 'ClassPrivateProperty':
      case 'ClassAccessorProperty': {
        const value = node.value as Node | null;
        this.add(node.key, value && isFunction(value) ? 'method' : 'property', node, node, false);
        break;
      }
      case 'ObjectProperty': {
        const value = node.value as Node | null;
        if (value && isFunction(value) && !node.computed) this.add(node.key, 'method', node, node, false);
        break;
      }
      case 'TSPropertySignature':
        this.add(node.key, 'property', node, node, false);
        break;
      case 'TSMethodSignature':
        this.add(node.key, 'method', node, node, false);
        break;
      case 'VariableDeclaration': {
        const decls = node.declarations as Node[];
        for (const d of decls) {
          const init = d.init as Node | null;
          const kind: SymbolKind = init && isFunction(init) ? 'function' : init?.type === 'ClassExpression' ? 'class' : 'variable';
          const id = d.id as Node;
          // A local variable of a function is not a definition anyone searches for; a local function is.
          if (kind === 'variable' && this.fnDepth > 0) continue;
          if (id.type === 'Identifier') this.add(id, kind, d, decls.length === 1 ? docAnchor : d, exported);
          else if (exported) for (const name of patternNames(id)) this.exports.add(name);
        }
        break;
      }
      case 'AssignmentExpression': {
        // module.exports.foo = function () {} / exports.foo = … / Foo.prototype.bar = function () {}
        const left = node.left as Node;
        const right = node.right as Node;
        if (left.type === 'MemberExpression' && !left.computed && isFunction(right)) {
          const prop = left.property as Node;
          const obj = left.object as Node;
          const isExport = (obj.type === 'Identifier' && obj.name === 'exports') || isModuleExports(obj);
          this.add(prop, obj.type === 'MemberExpression' && !isExport ? 'method' : 'function', right, node, isExport);
        }
        if (isModuleExports(left) || (left.type === 'MemberExpression' && isModuleExports(left.object as Node)))
          this.exports.add(
            left.type === 'MemberExpression' && !isModuleExports(left) ? String((left.property as Node).name ?? '') : 'default',
          );
        break;
      }
      case 'ImportDeclaration':
      case 'ExportAllDeclaration':
        this.addImport(node.source);
        if (node.type === 'ExportAllDeclaration') this.exports.add('*');
        break;
      case 'ExportNamedDeclaration':
        if (node.source) this.addImport(node.source);
        for (const spec of (node.specifiers as Node[] | undefined) ?? []) {
          const exp = spec.exported as Node | undefined;
          const local = spec.local as Node | undefined;
          if (exp) this.exports.add(nameOf(exp));
          if (local && !node.source) this.exportedLocals.add(nameOf(local));
        }
        break;
      case 'ExportDefaultDeclaration':
        this.exports.add('default');
        break;
      case 'TSExportAssignment':
        this.exports.add('default');
        break;
      case 'ImportExpression':
        this.addImport(node.source);
        break;
      case 'TSImportEqualsDeclaration': {
        // `import x = require('./x')`: a run-time import in TypeScript's CommonJS syntax.
        const ref = node.moduleReference as Node | null;
        if (ref?.type === 'TSExternalModuleReference') this.addImport(ref.expression);
        break;
      }
      case 'CallExpression': {
        const callee = node.callee as Node;
        const args = node.arguments as Node[];
        if (((callee.type === 'Identifier' && callee.name === 'require') || callee.type === 'Import') && args.length >= 1)
          this.addImport(args[0]);
        break;
      }
      default:
        break;
    }
  }

  private add(id: unknown, kind: SymbolKind, node: Node, docAnchor: Node | null, exported: boolean): void {
    if (!isNode(id)) return;
    const name = nameOf(id);
    if (!name) return;
    const line = id.loc?.start.line ?? node.loc?.start.line ?? 0;
    const endLine = node.loc?.end.line ?? line;
    this.symbols.push({ name, kind, line, endLine, exported, doc: this.docBefore(docAnchor?.start ?? node.start ?? 0) });
    if (exported) this.exports.add(name);
  }

  private addImport(source: unknown): void {
    if (isNode(source) && (source.type === 'StringLiteral' || source.type === 'Literal') && typeof source.value === 'string')
      this.imports.add(source.value);
    else if (isNode(source) && source.type === 'TemplateLiteral' && (source.expressions as unknown[]).length === 0) {
      const q = (source.quasis as Node[])[0];
      const cooked = (q?.value as { cooked?: string } | undefined)?.cooked;
      if (cooked) this.imports.add(cooked);
    }
  }

  /** The doc comment that ends right before `start`, separated only by white space. */
  private docBefore(start: number): string {
    const docs = this.docs;
    let lo = 0;
    let hi = docs.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (docs[mid]!.end <= start) ((found = mid), (lo = mid + 1));
      else hi = mid - 1;
    }
    if (found < 0) return '';
    const doc = docs[found]!;
    for (let i = doc.end; i < start; i++) {
      const c = this.code.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return '';
    }
    return docSummary(doc.value);
  }

  finish(): void {
    for (const s of this.symbols) {
      if (!s.exported && this.exportedLocals.has(s.name)) {
        s.exported = true;
        this.exports.add(s.name);
      }
    }
  }
}

const TS_DECLARATION_KINDS: Record<string, SymbolKind> = {
  TSInterfaceDeclaration: 'interface',
  TSTypeAliasDeclaration: 'type',
  TSEnumDeclaration: 'enum',
  TSModuleDeclaration: 'namespace',
};

/** Node types whose subtrees hold no definitions, imports or exports worth collecting. */
const SKIPPED = new Set([
  'Identifier',
  'StringLiteral',
  'NumericLiteral',
  'BooleanLiteral',
  'NullLiteral',
  'RegExpLiteral',
  'BigIntLiteral',
  'TemplateElement',
  'ThisExpression',
  'Super',
  'EmptyStatement',
  'DebuggerStatement',
  'JSXText',
  'JSXIdentifier',
  'TSTypeAnnotation',
  'TSTypeParameterInstantiation',
  'TSTypeParameterDeclaration',
  'TSTypeReference',
  'TSTypeQuery',
  'TSLiteralType',
  'TSUnionType',
  'TSIntersectionType',
  'TSArrayType',
  'TSTupleType',
  'TSFunctionType',
  'TSStringKeyword',
  'TSNumberKeyword',
  'TSBooleanKeyword',
  'TSAnyKeyword',
  'TSUnknownKeyword',
  'TSVoidKeyword',
  'TSUndefinedKeyword',
  'TSNullKeyword',
  'TSNeverKeyword',
  'TSObjectKeyword',
  'TSSymbolKeyword',
  'TSBigIntKeyword',
  'TSIndexedAccessType',
  'TSConditionalType',
  'TSMappedType',
  'TSTypeOperator',
  'TSTypePredicate',
]);

/** What the walk does with a node type: the keys that can hold child nodes, and whether `enter` looks at it. */
interface TypeInfo {
  keys: string[];
  enter: boolean;
  /** A function: its body is a function scope. */
  fn: boolean;
}

/** Node types `Collector.enter` handles; the others are only walked through. */
export const ENTERED = new Set([
  'FunctionDeclaration',
  'TSDeclareFunction',
  'ClassDeclaration',
  'ClassExpression',
  'TSInterfaceDeclaration',
  'TSTypeAliasDeclaration',
  'TSEnumDeclaration',
  'TSModuleDeclaration',
  'ClassMethod',
  'ClassPrivateMethod',
  'TSDeclareMethod',
  'ObjectMethod',
  'ClassProperty',
  'ClassPrivateProperty',
  'ClassAccessorProperty',
  'ObjectProperty',
  'TSPropertySignature',
  'TSMethodSignature',
  'VariableDeclaration',
  'AssignmentExpression',
  'ImportDeclaration',
  'ExportAllDeclaration',
  'ExportNamedDeclaration',
  'ExportDefaultDeclaration',
  'TSExportAssignment',
  'ImportExpression',
  'TSImportEqualsDeclaration',
  'CallExpression',
]);

/**
 * Per node type (null: skipped). Child keys come from babel's own table (VISITOR_KEYS), not from the first node of a
 * type: babel leaves optional keys (`decorators`, `typeParameters`, …) off the nodes that lack them, so a key list
 * learnt from one node missed children of the next, and what a thread found depended on which file it parsed first.
 */
const TYPE_INFO = new Map<string, TypeInfo | null>();
for (const type of SKIPPED) TYPE_INFO.set(type, null);

function typeInfo(node: Node): TypeInfo | null {
  let info = TYPE_INFO.get(node.type);
  if (info === undefined) {
    const known = Object.hasOwn(VISITOR_KEYS, node.type);
    // A type babel's table does not list (a newer parser's): its children are read off each node, not cached.
    info = {
      keys: known ? (VISITOR_KEYS[node.type] as string[]) : childKeysOf(node),
      enter: ENTERED.has(node.type),
      fn: FUNCTION_SCOPES.has(node.type),
    };
    if (known) TYPE_INFO.set(node.type, info);
  }
  return info;
}

/** The keys of `node` that may hold child nodes (a null may be a missing optional child). */
function childKeysOf(node: Node): string[] {
  return Object.keys(node).filter(
    (k) => !NON_CHILD_KEY_SET.has(k) && typeof node[k] !== 'string' && typeof node[k] !== 'number' && typeof node[k] !== 'boolean',
  );
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}

/** The longest doc summary kept: a longer one is cut to one character less, and ends with an ellipsis. */
const SUMMARY_MAX = 240;

/**
 * The summary the symbol table keeps of a doc comment (`value`: its text between the slash-stars, see docBefore): the
 * first sentence of its first paragraph, white space folded, at most SUMMARY_MAX characters; the full text is still
 * tokenized. Each line loses its leading `*`s (and one space after them); the paragraph ends at a blank line or a
 * line that starts with an `@tag`; the sentence at the first `.`, `!` or `?` followed by white space or the end.
 *
 * One pass over the lines of the first paragraph, which stops there: cleaning every line of the comment, then
 * splitting, folding and matching it with regular expressions, took 1.4% of a cold index's worker time on the
 * corpus, where JSDoc comments run on for many lines of `@param`s (test/index/docSummary.test.ts checks it against
 * that definition).
 */
export function docSummary(value: string): string {
  const n = value.length;
  let para = '';
  let pos = 0;
  while (pos <= n) {
    let end = value.indexOf('\n', pos);
    if (end === -1) end = n;
    const line = cleanLine(value, pos, end);
    pos = end + 1;
    if (para === '') {
      // Blank lines before the first text are not a paragraph break.
      para = line.trimStart();
      continue;
    }
    // A line of white space only is '' once trimmed.
    if (line === '' || line.trimStart().startsWith('@')) break;
    para += `\n${line}`;
  }
  const flat = para.replace(/\s+/g, ' ').trimEnd();
  let cut = flat.length;
  for (let i = 1; i < flat.length; i++) {
    const c = flat.charCodeAt(i);
    // '.', '!', '?', then white space (a single space, once folded) or the end.
    if ((c === 46 || c === 33 || c === 63) && (i + 1 === flat.length || flat.charCodeAt(i + 1) === 32)) {
      cut = i + 1;
      break;
    }
  }
  return cut > SUMMARY_MAX ? `${flat.slice(0, SUMMARY_MAX - 1)}…` : flat.slice(0, cut);
}

/** value[from, to) without its leading white space and `*`s (and one space after them) and its trailing white space. */
function cleanLine(value: string, from: number, to: number): string {
  let i = from;
  while (i < to && isSpace(value.charCodeAt(i))) i++;
  if (i < to && value.charCodeAt(i) === 42) {
    while (i < to && value.charCodeAt(i) === 42) i++;
    if (i < to && value.charCodeAt(i) === 32) i++;
  } else i = from;
  return value.slice(i, to).trimEnd();
}

/** Whether the UTF-16 code unit `c` is white space as `\s` and String.prototype.trim see it. */
function isSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}
