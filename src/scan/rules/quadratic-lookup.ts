// quadratic-lookup: a linear search (`includes`, `indexOf`, `find`, `some`, …) of one collection inside a loop over another.
import type * as t from '@babel/types';
import type { Rule } from '../rule.js';
import { combineVisitors } from './utils/combineVisitors.js';
import { enclosingLoop, isFunction, type EnclosingLoop } from './utils/enclosing.js';
import { chainRoot, isMember, staticPropertyName } from './utils/memberNames.js';
import { NameSites } from './utils/nameSites.js';

type MessageId = 'membership' | 'search';

/** Methods that test membership by value: a Set does it in O(1). Strings have them too. */
const MEMBERSHIP_METHODS: ReadonlySet<string> = new Set(['includes', 'indexOf', 'lastIndexOf']);

/** Methods that search by predicate: a Map keyed by what the predicate compares does it in O(1). Arrays only. */
const SEARCH_METHODS: ReadonlySet<string> = new Set(['find', 'findIndex', 'findLast', 'findLastIndex', 'some']);

/**
 * Names that usually hold a string (`text`, `line`, `filePath`, `fooName`, `filename`, `pathname`), whose `.includes` is
 * a substring search. Run together in lower case only the endings that do not also end collection names (`timeline`,
 * `context`, `resource` can be arrays; no `filename` is).
 */
const STRING_NAME =
  /^(s|str|string|text|line|source|src|content|contents|name|path|file|url|code|body|html|message|msg|prefix|suffix|word|query|input|char|ch|key|id|ext|dir|hay|haystack)$|(Str|String|Text|Line|Source|Src|Content|Contents|Name|Path|Url|Code|Body|Html|Message|Msg|Prefix|Suffix|Word|Query|Input|Key|Id|Ext|Dir|Haystack)$|[a-z](name|path|url|str|string|message)$/;

/** SCREAMING_CASE names: constants written in the code, whose size does not grow with the input. */
const CONSTANT_NAME = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/** Utility libraries whose `includes`/`find` take the collection as an argument (`_.includes(list, x)`). */
const UTILITY_NAMESPACES: ReadonlySet<string> = new Set(['_', 'lodash', 'R']);

/** Largest literal array treated as a small constant table rather than a collection worth indexing. */
const SMALL_TABLE = 16;

/** String-returning methods, for telling a declared string from a declared array. */
const STRING_METHODS: ReadonlySet<string> = new Set([
  'toString',
  'join',
  'trim',
  'trimStart',
  'trimEnd',
  'toLowerCase',
  'toUpperCase',
  'replace',
  'replaceAll',
  'padStart',
  'padEnd',
  'substring',
  'normalize',
]);

/** A lookup inside a loop, judged after the walk, once every declaration and assignment is known. */
interface Pending {
  node: t.Node;
  messageId: MessageId;
  method: string;
  collection: string;
  root: string | undefined;
  loop: EnclosingLoop;
}

/** `x as const`, `x satisfies T`, `x!` without the TypeScript wrapper. */
function unwrapTs(node: t.Node): t.Node {
  let n = node;
  while (n.type === 'TSAsExpression' || n.type === 'TSSatisfiesExpression' || n.type === 'TSNonNullExpression') n = n.expression;
  return n;
}

/** Whether an initializer evidently produces a string; `strings` holds the names already known to. */
function isStringValue(init: t.Node, strings: ReadonlySet<string>): boolean {
  const n = unwrapTs(init);
  switch (n.type) {
    case 'StringLiteral':
    case 'TemplateLiteral':
      return true;
    case 'Identifier':
      return strings.has(n.name);
    case 'BinaryExpression':
      return n.operator === '+' && (isStringValue(n.left, strings) || isStringValue(n.right, strings));
    case 'ConditionalExpression':
      return isStringValue(n.consequent, strings) || isStringValue(n.alternate, strings);
    case 'LogicalExpression':
      return isStringValue(n.left, strings) || isStringValue(n.right, strings);
    case 'CallExpression': {
      if (n.callee.type === 'Identifier') return n.callee.name === 'String';
      const method = isMember(n.callee) ? staticPropertyName(n.callee) : undefined;
      return method !== undefined && STRING_METHODS.has(method);
    }
    default:
      return false;
  }
}

/** Whether an initializer is a short array of literals: a constant table, cheap to scan. */
function isSmallTable(init: t.Node): boolean {
  const n = unwrapTs(init);
  return (
    n.type === 'ArrayExpression' &&
    n.elements.length > 0 &&
    n.elements.length <= SMALL_TABLE &&
    n.elements.every((e) => e?.type === 'StringLiteral' || e?.type === 'NumericLiteral' || e?.type === 'BooleanLiteral')
  );
}

/** Whether a declared identifier carries a `string` type annotation. */
function isAnnotatedString(id: t.Node): boolean {
  if (id.type !== 'Identifier' || id.typeAnnotation?.type !== 'TSTypeAnnotation') return false;
  return id.typeAnnotation.typeAnnotation.type === 'TSStringKeyword';
}

/** Whether a literal could be the argument: a constant check or a substring search, not a join of two collections. */
function isLiteral(node: t.Node): boolean {
  return (
    node.type === 'StringLiteral' ||
    node.type === 'TemplateLiteral' ||
    node.type === 'NumericLiteral' ||
    node.type === 'BooleanLiteral' ||
    node.type === 'NullLiteral'
  );
}

/** The expression a one-expression callback returns (`x => e`, `function (x) { return e; }`), or undefined. */
function returnedExpression(fn: t.Node): t.Node | undefined {
  if (fn.type !== 'ArrowFunctionExpression' && fn.type !== 'FunctionExpression') return undefined;
  if (fn.body.type !== 'BlockStatement') return fn.body;
  const [only] = fn.body.body;
  return fn.body.body.length === 1 && only?.type === 'ReturnStatement' ? (only.argument ?? undefined) : undefined;
}

/** Whether a predicate matches by equality (`c => c.id === id`, possibly among `&&` terms): what a Map lookup replaces. */
function isEqualityPredicate(fn: t.Node): boolean {
  const test = (e: t.Node): boolean =>
    (e.type === 'BinaryExpression' && (e.operator === '===' || e.operator === '==')) ||
    (e.type === 'LogicalExpression' && e.operator === '&&' && (test(e.left) || test(e.right)));
  const body = returnedExpression(fn);
  return body !== undefined && test(body);
}

/** The last name in a receiver (`ids` in `this.config.ids`), for the name heuristic. */
function lastName(node: t.Node): string | undefined {
  if (node.type === 'Identifier') return node.name;
  return isMember(node) ? staticPropertyName(node) : undefined;
}

/** Whether a receiver is a name or a chain of static property reads (`ids`, `this.ids`, `config.allowed`). */
function isStableReceiver(node: t.Node): boolean {
  if (node.type === 'Identifier' || node.type === 'ThisExpression') return true;
  return isMember(node) && staticPropertyName(node) !== undefined && isStableReceiver(node.object);
}

export const quadraticLookup: Rule<MessageId> = {
  meta: {
    id: 'quadratic-lookup',
    severity: 'note',
    description: 'array.includes/indexOf/find/some inside a loop over another collection.',
    docs: 'A linear search inside a loop costs the product of the two sizes (O(n·m)), which explodes as both grow; build a Set (membership) or a Map keyed by the searched field once before the loop.',
    messages: {
      membership:
        '{{collection}}.{{method}}() inside a {{loop}} scans {{collection}} on every iteration (O(n·m)); build a Set from it once before the loop and use .has().',
      search:
        '{{collection}}.{{method}}() inside a {{loop}} scans {{collection}} on every iteration (O(n·m)); index it once before the loop in a Map keyed by the field you search for.',
    },
  },
  create(context) {
    const sites = new NameSites();
    /** Names some declaration gives a string or a small constant table: their lookups are cheap or not array lookups. */
    const exempt = new Set<string>();
    const pending: Pending[] = [];

    const markParams = (fn: t.Node): void => {
      if (!isFunction(fn)) return;
      for (const param of fn.params) if (param.type === 'Identifier' && isAnnotatedString(param)) exempt.add(param.name);
    };

    const check = (node: t.CallExpression | t.OptionalCallExpression, ancestors: readonly t.Node[]): void => {
      const callee = node.callee;
      if (!isMember(callee)) return;
      const method = staticPropertyName(callee);
      if (method === undefined) return;
      const membership = MEMBERSHIP_METHODS.has(method);
      if (!membership && !SEARCH_METHODS.has(method)) return;
      const receiver = callee.object;
      if (!isStableReceiver(receiver)) return;
      if (receiver.type === 'Identifier' && UTILITY_NAMESPACES.has(receiver.name)) return;
      if (CONSTANT_NAME.test(lastName(receiver) ?? '')) return;
      const arg = node.arguments[0];
      if (!arg) return;
      if (membership) {
        // A second argument (fromIndex) makes it a cursor moving through the collection, not a membership test.
        if (isLiteral(arg) || node.arguments.length > 1) return;
        if (STRING_NAME.test(lastName(receiver) ?? '')) return;
      } else if (!isEqualityPredicate(arg)) {
        // Only an equality match can be answered by a Map; `patterns.some(p => p.test(line))` has to try each one.
        return;
      }
      const loop = enclosingLoop(node, ancestors, true);
      if (!loop) return;
      const collection = context.getText(receiver);
      // Searching the collection being iterated is a different pattern (dedupe by index), not a join; and a loop over
      // a constant table, named or written out (`['all', 'js'].map(…)`), runs a fixed number of times.
      const iterated = loop.iterated ? context.getText(loop.iterated) : undefined;
      if (iterated === collection || CONSTANT_NAME.test(iterated ?? '')) return;
      if (loop.iterated && isSmallTable(loop.iterated)) return;
      pending.push({ node, messageId: membership ? 'membership' : 'search', method, collection, root: chainRoot(receiver)?.name, loop });
    };

    const own = {
      VariableDeclarator(node: t.VariableDeclarator) {
        if (node.id.type !== 'Identifier') return;
        if (isAnnotatedString(node.id) || (node.init && (isStringValue(node.init, exempt) || isSmallTable(node.init))))
          exempt.add(node.id.name);
      },
      FunctionDeclaration: markParams,
      FunctionExpression: markParams,
      ArrowFunctionExpression: markParams,
      ObjectMethod: markParams,
      ClassMethod: markParams,
      CallExpression: check,
      OptionalCallExpression: check,
      'Program:exit'() {
        for (const p of pending) {
          if (p.root !== undefined) {
            // Declared or reassigned inside the loop: a per-item collection (`item.tags`), not a fixed one searched n times.
            if (sites.changesWithin(p.root, p.loop.scope)) continue;
            if (exempt.has(p.root) && p.root === p.collection) continue;
          }
          context.report(p.node, p.messageId, { collection: p.collection, method: p.method, loop: p.loop.label });
        }
      },
    };
    return combineVisitors(sites.visitors, own);
  },
};
