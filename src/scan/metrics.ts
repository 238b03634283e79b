// Per-file metrics for `quarry scan`: cloc-compatible line counts, and the functions and classes of a babel AST with
// their line spans and ESLint-style cyclomatic complexity.
import { NOT_CHILDREN } from './astChildren.js';

/** Lines of one file by what they hold, counted the way cloc counts JavaScript and TypeScript. */
export interface LineCounts {
  /** Lines with at least one character of code, even when they also hold a comment. */
  code: number;
  /** Lines that hold comment text and nothing else but white space. */
  comment: number;
  /** Lines of white space only, including those inside a block comment (cloc drops blank lines first). */
  blank: number;
}

/** Where a comment sits in the source: UTF-16 offsets, `end` exclusive. A babel `Comment` is one. */
export interface CommentSpan {
  start?: number | null | undefined;
  end?: number | null | undefined;
}

/**
 * Counts code, comment and blank lines of `source` as cloc 1.96 does for JavaScript/TypeScript, with the comment
 * positions taken from the parser (`ast.comments`), so `//` or `/*` inside a string, template or regex is code.
 * `comments` must be sorted by position, as babel gives them. Without `comments` (a file babel could not parse) a
 * small lexer of its own finds them.
 *
 * cloc's quirks that are reproduced (see bench/scan-lines-vs-cloc.sh for the measured agreement):
 * - lines split on `\n` only; a last line without `\n` counts; a UTF-8 BOM is ignored; white space is ASCII only;
 * - a blank line inside a block comment is blank, not comment;
 * - cloc deletes a comment that spans lines together with the line breaks inside it, so `a(); /* … *\/ b();` over
 *   several lines is one code line and the rest comment lines, not two code lines;
 * - a `//` comment whose line ends in a backslash swallows the next line, as cloc's regex does;
 * - a white-space line right after a line ending in a backslash is not blank (cloc's line-continuation rule).
 */
export function countLines(source: string, comments?: readonly CommentSpan[] | null): LineCounts {
  const spans = comments ?? lexComments(source);
  const n = source.length;
  let code = 0;
  let comment = 0;
  let blank = 0;
  // The comment that ends after the current position, as plain numbers so the loop touches no objects.
  let ci = -1;
  let cs = Infinity;
  let ce = Infinity;
  const nextComment = (): void => {
    for (ci++; ci < spans.length; ci++) {
      const c = spans[ci]!;
      if (typeof c.start === 'number' && typeof c.end === 'number' && c.end > c.start) {
        cs = c.start;
        ce = c.end;
        return;
      }
    }
    cs = ce = Infinity;
  };
  nextComment();

  // A run of non-blank lines that cloc merges into one because comments join them.
  let groupLines = 0;
  let groupCode = false;
  let prevBackslash = false;
  let ls = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (ls < n) {
    let le = source.indexOf('\n', ls);
    if (le < 0) le = n;
    const continued = groupLines > 0; // joined to the line before by a comment
    let nonBlank = false;
    for (let p = ls; p < le; p++) {
      if (!isSpace(source.charCodeAt(p))) {
        nonBlank = true;
        break;
      }
    }
    let joinNext = false;
    let hasCode = false;
    if (nonBlank) {
      let p = ls;
      while (p < le) {
        while (ce <= p) nextComment();
        if (cs <= p) {
          if (ce > le) {
            joinNext = true; // a block comment that goes on past this line
            break;
          }
          // A `//` comment whose line ends in a backslash: cloc's `//[^\n]*\n` eats the line break too.
          if (ce === le && source.charCodeAt(cs + 1) === 0x2f && source.charCodeAt(le - 1) === 0x5c) joinNext = true;
          p = ce;
          continue;
        }
        const stop = cs < le ? cs : le;
        if (!hasCode) {
          for (; p < stop; p++) {
            if (!isSpace(source.charCodeAt(p))) {
              hasCode = true;
              break;
            }
          }
        }
        p = stop;
      }
    } else if (prevBackslash) {
      // cloc keeps a white-space line after a backslash line; on its own it is code, inside a comment it is comment.
      nonBlank = true;
      hasCode = !continued && !(cs < ls && ce > le);
      joinNext = cs < ls && ce > le;
    }
    if (nonBlank) {
      groupLines++;
      if (hasCode) groupCode = true;
      if (!joinNext) {
        if (groupCode) {
          code++;
          comment += groupLines - 1;
        } else {
          comment += groupLines;
        }
        groupLines = 0;
        groupCode = false;
      }
    } else {
      blank++;
    }
    prevBackslash = le > ls && source.charCodeAt(le - 1) === 0x5c;
    ls = le + 1;
  }
  if (groupLines > 0) {
    if (groupCode) {
      code++;
      comment += groupLines - 1;
    } else {
      comment += groupLines;
    }
  }
  return { code, comment, blank };
}

/** Perl's `\s` on bytes, which is what cloc tests: space, \t, \n, \v, \f, \r. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * The comments of JS/TS source that a parser rejected: a small lexer that knows strings, template literals (with
 * nested `${}`), regular expression literals (by the previous token) and comments — enough to tell a comment from
 * code on any line. An unterminated block comment is not a comment (cloc's regex does not match it either).
 */
export function lexComments(source: string): CommentSpan[] {
  const spans: CommentSpan[] = [];
  const n = source.length;
  // Brace depth at which each open template's `${` started: `}` at that depth resumes the template.
  const templates: number[] = [];
  let depth = 0;
  // Whether a `/` here would start a regex: true after an operator, `(`, `,`, a keyword such as `return`, or at start.
  let regexAllowed = true;
  let i = 0;
  while (i < n) {
    const c = source.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === 0x2f /* / */) {
      const d = source.charCodeAt(i + 1);
      if (d === 0x2f) {
        let e = i + 2;
        while (e < n && !isLineBreak(source.charCodeAt(e))) e++;
        spans.push({ start: i, end: e });
        i = e;
        continue;
      }
      if (d === 0x2a) {
        const e = source.indexOf('*/', i + 2);
        if (e >= 0) {
          spans.push({ start: i, end: e + 2 });
          i = e + 2;
          continue;
        }
        i += 2;
        regexAllowed = true;
        continue;
      }
      if (regexAllowed) {
        i = skipRegex(source, i);
        regexAllowed = false;
        continue;
      }
      i++;
      regexAllowed = true;
      continue;
    }
    if (c === 0x22 || c === 0x27) {
      i = skipString(source, i, c);
      regexAllowed = false;
      continue;
    }
    if (c === 0x60 /* ` */) {
      i = skipTemplate(source, i + 1);
      if (source.charCodeAt(i - 1) === 0x7b /* { after $ */) templates.push(depth++);
      regexAllowed = false;
      continue;
    }
    if (c === 0x7b /* { */) {
      depth++;
      i++;
      regexAllowed = true;
      continue;
    }
    if (c === 0x7d /* } */) {
      depth--;
      if (templates.length > 0 && templates[templates.length - 1] === depth) {
        templates.pop();
        i = skipTemplate(source, i + 1);
        if (source.charCodeAt(i - 1) === 0x7b) templates.push(depth++);
        regexAllowed = false;
        continue;
      }
      i++;
      regexAllowed = false; // `}` ending a block may precede a regex, ending an object a division: division is safer
      continue;
    }
    if (isIdentChar(c)) {
      const s = i;
      while (i < n && isIdentChar(source.charCodeAt(i))) i++;
      regexAllowed = REGEX_AFTER_WORD.has(source.slice(s, i));
      continue;
    }
    // `)` and `]` end an operand; every other punctuator expects one next.
    regexAllowed = !(c === 0x29 || c === 0x5d);
    i++;
  }
  return spans;
}

const REGEX_AFTER_WORD = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);

function isLineBreak(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

function isIdentChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x24 || c === 0x5f || c > 0x7f;
}

/** The offset after a quoted string starting at `i`; an unterminated string ends at the line break. */
function skipString(s: string, i: number, quote: number): number {
  for (i++; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === quote) return i + 1;
    else if (c === 10 || c === 13) return i;
  }
  return i;
}

/** The offset after the template part starting at `i`: after its closing backquote, or after a `${`. */
function skipTemplate(s: string, i: number): number {
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x60) return i + 1;
    else if (c === 0x24 && s.charCodeAt(i + 1) === 0x7b) return i + 2;
  }
  return i;
}

/** The offset after a regex literal starting at `i` (a `/`), with its flags; character classes may hold `/`. */
function skipRegex(s: string, i: number): number {
  let inClass = false;
  for (i++; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 10 || c === 13) return i;
    else if (c === 0x5b) inClass = true;
    else if (c === 0x5d) inClass = false;
    else if (c === 0x2f && !inClass) {
      i++;
      while (i < s.length && isIdentChar(s.charCodeAt(i))) i++;
      return i;
    }
  }
  return i;
}

/** What kind of definition a {@link FunctionInfo} is, by its syntax. */
export type FunctionKind = 'function' | 'method' | 'class' | 'arrow' | 'getter' | 'setter' | 'constructor';

/** One function, method or class of a file. */
export interface FunctionInfo {
  /**
   * Its name: its own (`function f`, `class C`, a method's key, `#priv` for a private one), else the name it is
   * bound to (`const f = () => …`, `f = function () {}`, `obj.f = …`, `obj['f'] = …` and `a.prototype.f = …` give `f`,
   * `{ f: () => … }` and a class field `f = () => …` give `f`, a default `f = () => …` gives `f`), `default` for an
   * anonymous `export default`, `[Symbol.iterator]` for a computed key of dotted names, else `<anonymous>`
   * (callbacks are listed too: their complexity matters as much as anyone's).
   */
  name: string;
  kind: FunctionKind;
  /** 1-based line of the name (where ctags puts its tag); of the `function`/`(`/`class` when there is none. */
  line: number;
  /** 1-based last line of the definition. */
  endLine: number;
  /**
   * Cyclomatic complexity as ESLint's `complexity` rule (classic variant) counts it: 1, plus one for each `if`,
   * `?:`, `&&`, `||`, `??`, `&&=`, `||=`, `??=`, `case` with a test, `for`, `for…in`, `for…of`, `while`,
   * `do…while`, `catch`, default value (parameter or destructuring) and `?.` (each optional link). Nested functions
   * count on their own. For a class: 1 plus the branches in its field initializers and static blocks (which ESLint
   * reports one by one). Body-less declarations (overloads, `declare function`, abstract methods, the method
   * signatures of an interface) have 1.
   */
  complexity: number;
}

/**
 * A parsed file: babel's `File`. Typed by shape, not by import, because @babel/parser carries its own copy of
 * @babel/types, whose `File` need not be the same type as that of the project's @babel/types.
 */
export interface ParsedFile {
  program: object;
}

/** A node of babel's AST seen loosely, for a walk that needs only a few fields of a few node types. */
interface AstNode {
  type: string;
  start?: number | null;
  loc?: { start: { line: number }; end: { line: number } } | null;
  [key: string]: unknown;
}

/** Statements that hold types only. */
const TYPE_ONLY = new Set(['TSTypeAliasDeclaration', 'TSIndexSignature']);

/**
 * Every function, method and class of a parsed file, in source order, with names as ctags would give them and
 * ESLint's cyclomatic complexity. One iterative walk: deeply nested or very long expressions cannot overflow the stack.
 */
export function functionsOf(ast: ParsedFile): FunctionInfo[] {
  const out: FunctionInfo[] = [];
  const starts: number[] = [];
  // The walk's stack, as parallel arrays: the node, the index in `out` its branches count for (-1: top level),
  // and the name (with its line) the context gives it if it is an anonymous function or class.
  const nodes: AstNode[] = [];
  const owners: number[] = [];
  const names: (string | null)[] = [];
  const nameLines: number[] = [];
  const push = (value: unknown, owner: number, name: string | null, nameLine: number): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) push(value[i], owner, null, 0);
      return;
    }
    if (typeof (value as AstNode).type !== 'string') return;
    nodes.push(value as AstNode);
    owners.push(owner);
    names.push(name);
    nameLines.push(nameLine);
  };
  const add = (node: AstNode, name: string, kind: FunctionKind, line: number): number => {
    out.push({ name, kind, line, endLine: node.loc?.end.line ?? line, complexity: 1 });
    starts.push(node.start ?? 0);
    return out.length - 1;
  };

  push(ast.program, -1, null, 0);
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const owner = owners.pop()!;
    const hint = names.pop()!;
    const hintLine = nameLines.pop()!;
    switch (node.type) {
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
      case 'TSDeclareFunction': {
        const id = node.id as AstNode | null | undefined;
        const own = id ? keyName(id) : null;
        const name = own ?? hint ?? '<anonymous>';
        const line = own !== null ? lineOf(id!) : hint !== null ? hintLine : lineOf(node);
        const self = add(node, name, node.type === 'ArrowFunctionExpression' ? 'arrow' : 'function', line);
        push(node.params, self, null, 0);
        push(node.body, self, null, 0);
        break;
      }
      case 'ObjectMethod':
      case 'ClassMethod':
      case 'ClassPrivateMethod':
      case 'TSDeclareMethod': {
        const key = node.key as AstNode;
        const kind =
          node.kind === 'get' ? 'getter' : node.kind === 'set' ? 'setter' : node.kind === 'constructor' ? 'constructor' : 'method';
        const self = add(node, memberName(key, node.computed === true), kind, lineOf(key));
        push(node.params, self, null, 0);
        push(node.body, self, null, 0);
        if (node.computed === true) push(key, owner, null, 0);
        push(node.decorators, owner, null, 0);
        break;
      }
      case 'ClassDeclaration':
      case 'ClassExpression': {
        const id = node.id as AstNode | null | undefined;
        const own = id ? keyName(id) : null;
        const line = own !== null ? lineOf(id!) : hint !== null ? hintLine : lineOf(node);
        const self = add(node, own ?? hint ?? '<anonymous>', 'class', line);
        push(node.decorators, owner, null, 0);
        push(node.superClass, owner, null, 0);
        for (const member of ((node.body as AstNode).body as AstNode[] | undefined) ?? []) {
          switch (member.type) {
            case 'ClassProperty':
            case 'ClassPrivateProperty':
            case 'ClassAccessorProperty': {
              // A field initializer runs as part of the class (ESLint: its own code path), its key in the outer code.
              const key = member.key as AstNode;
              const computed = member.computed === true;
              push(member.value, self, computed ? null : memberName(key, false), lineOf(key));
              if (computed) push(key, owner, null, 0);
              push(member.decorators, owner, null, 0);
              break;
            }
            case 'StaticBlock':
              push(member.body, self, null, 0);
              break;
            default:
              push(member, owner, null, 0);
          }
        }
        break;
      }
      case 'TSInterfaceDeclaration':
        // Its method signatures are methods without a body, like abstract ones (ctags lists them as methods).
        for (const member of ((node.body as AstNode).body as AstNode[] | undefined) ?? []) {
          if (member.type === 'TSMethodSignature') {
            const key = member.key as AstNode;
            add(member, memberName(key, member.computed === true), 'method', lineOf(key));
          }
        }
        break;
      case 'VariableDeclarator': {
        const id = node.id as AstNode;
        push(node.init, owner, id.type === 'Identifier' ? String(id.name) : null, lineOf(id));
        push(id, owner, null, 0);
        break;
      }
      case 'AssignmentExpression': {
        const op = node.operator;
        if (owner >= 0 && (op === '||=' || op === '&&=' || op === '??=')) out[owner]!.complexity++;
        const left = node.left as AstNode;
        const target = left.type === 'MemberExpression' ? (left.property as AstNode) : left;
        // `a.b = …` and `a['b:exit'] = …` name the function `b` / `b:exit` (ctags does the same); `a[k] = …` does not.
        const name =
          target.type === 'Identifier' && (target === left || left.computed !== true)
            ? String(target.name)
            : target.type === 'StringLiteral'
              ? String(target.value)
              : null;
        push(node.right, owner, name, lineOf(target));
        push(left, owner, null, 0);
        break;
      }
      case 'AssignmentPattern': {
        if (owner >= 0) out[owner]!.complexity++;
        const left = node.left as AstNode;
        push(
          node.right,
          owner,
          left.type === 'Identifier' ? String(left.name) : hint,
          left.type === 'Identifier' ? lineOf(left) : hintLine,
        );
        push(left, owner, null, 0);
        break;
      }
      case 'ObjectProperty': {
        const key = node.key as AstNode;
        const computed = node.computed === true;
        push(node.value, owner, computed ? null : memberName(key, false), lineOf(key));
        if (computed) push(key, owner, null, 0);
        break;
      }
      case 'ExportDefaultDeclaration':
        push(node.declaration, owner, 'default', lineOf(node));
        break;
      case 'TSAsExpression':
      case 'TSSatisfiesExpression':
      case 'TSNonNullExpression':
      case 'TSTypeAssertion':
      case 'ParenthesizedExpression':
        // `const f = (() => {}) as Handler` is still `f`.
        push(node.expression, owner, hint, hintLine);
        break;
      case 'IfStatement':
      case 'ConditionalExpression':
      case 'LogicalExpression':
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
      case 'WhileStatement':
      case 'DoWhileStatement':
      case 'CatchClause':
        if (owner >= 0) out[owner]!.complexity++;
        pushChildren(node, owner, push);
        break;
      case 'SwitchCase':
        if (owner >= 0 && node.test) out[owner]!.complexity++;
        pushChildren(node, owner, push);
        break;
      case 'OptionalMemberExpression':
      case 'OptionalCallExpression':
        if (owner >= 0 && node.optional === true) out[owner]!.complexity++;
        pushChildren(node, owner, push);
        break;
      default:
        if (!TYPE_ONLY.has(node.type)) pushChildren(node, owner, push);
    }
  }

  const order = out.map((_, i) => i).sort((a, b) => starts[a]! - starts[b]!);
  return order.map((i) => out[i]!);
}

/**
 * Pushes every child node of `node`. Object.keys rather than `for…in`: babel's Node.prototype has an enumerable
 * `__clone`, which keeps V8's for…in off its fast path; own keys are the same children in the same order.
 */
function pushChildren(node: AstNode, owner: number, push: (value: unknown, owner: number, name: null, nameLine: number) => void): void {
  const keys = Object.keys(node);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    // Positions, comments and TypeScript types hold no functions.
    if (NOT_CHILDREN.has(key)) continue;
    const value = node[key];
    if (value !== null && typeof value === 'object') push(value, owner, null, 0);
  }
}

function lineOf(node: AstNode): number {
  return node.loc?.start.line ?? 0;
}

/** The name an identifier, literal or private name spells; null for anything else. */
function keyName(key: AstNode): string | null {
  switch (key.type) {
    case 'Identifier':
      return String(key.name);
    case 'PrivateName':
      return '#' + String((key.id as AstNode).name);
    case 'StringLiteral':
    case 'NumericLiteral':
    case 'BigIntLiteral':
      return String(key.value);
    default:
      return null;
  }
}

/** A member's name: its key, `[a.b]` for a computed key of dotted names, `<computed>` for any other. */
function memberName(key: AstNode, computed: boolean): string {
  if (!computed || key.type === 'StringLiteral' || key.type === 'NumericLiteral') return keyName(key) ?? '<computed>';
  const dotted = dottedName(key);
  return dotted === null ? '<computed>' : `[${dotted}]`;
}

function dottedName(node: AstNode): string | null {
  if (node.type === 'Identifier') return String(node.name);
  if (node.type === 'MemberExpression' && node.computed !== true) {
    const object = dottedName(node.object as AstNode);
    const property = node.property as AstNode;
    return object !== null && property.type === 'Identifier' ? `${object}.${String(property.name)}` : null;
  }
  return null;
}
