// unbounded-module-cache: a module-level Map/Set/array/object that functions add to and nothing ever removes from.
import type * as t from '@babel/types';
import type { Rule } from '../rule.js';
import { isFunction, type FunctionNode } from './utils/enclosing.js';
import { isNonReference } from './utils/identifiers.js';
import { isMember, staticPropertyName } from './utils/memberNames.js';

/** Methods that add an entry. */
const GROWING_METHODS: ReadonlySet<string> = new Set(['set', 'add', 'push', 'unshift']);

/** Methods that remove entries: any of them means the file manages the size. */
const SHRINKING_METHODS: ReadonlySet<string> = new Set(['delete', 'clear', 'splice', 'pop', 'shift']);

/** Comparisons, as in `if (cache.size > MAX)`: a size check is a bound. */
const COMPARISONS: ReadonlySet<string> = new Set(['<', '<=', '>', '>=', '==', '===', '!=', '!==']);

/** Key properties whose values come from a small fixed set (`node.type`), so a collection keyed by them stays small. */
const BOUNDED_KEYS: ReadonlySet<string> = new Set(['type', 'kind']);

/** Functions named like one-time setup (`registerRule`, `defineCommand`): their additions are bounded by the code. */
const SETUP_FUNCTION = /^(register|define|install|use)([A-Z_]|$)/;

type Kind = 'Map' | 'Set' | 'array' | 'object';

/** A module-level collection under watch. */
interface Candidate {
  declarator: t.VariableDeclarator;
  kind: Kind;
  /** First place a function adds to it. */
  growth: t.Node | undefined;
  /** Something removes from it, bounds it, replaces it, or lets it escape where the file cannot see. */
  managed: boolean;
}

/** What collection an initializer creates (`new Map(…)`, `new Set(…)`, or an empty `[]`/`{}`: a filled literal is a table of data), or undefined. */
function collectionKind(init: t.Node | null | undefined): Kind | undefined {
  if (!init) return undefined;
  if (init.type === 'NewExpression' && init.callee.type === 'Identifier') {
    if (init.callee.name === 'Map') return 'Map';
    if (init.callee.name === 'Set') return 'Set';
    return undefined;
  }
  if (init.type === 'ArrayExpression' && init.elements.length === 0) return 'array';
  if (init.type === 'ObjectExpression' && init.properties.length === 0) return 'object';
  // Object.create(null): the prototype-free dictionary.
  if (
    init.type === 'CallExpression' &&
    init.callee.type === 'MemberExpression' &&
    init.callee.object.type === 'Identifier' &&
    init.callee.object.name === 'Object' &&
    staticPropertyName(init.callee) === 'create' &&
    init.arguments[0]?.type === 'NullLiteral'
  )
    return 'object';
  return undefined;
}

/** The name a function is known by: its own, or the variable, property or method it is assigned to. */
function functionName(fn: FunctionNode, parent: t.Node | undefined): string | undefined {
  if ((fn.type === 'FunctionDeclaration' || fn.type === 'FunctionExpression') && fn.id) return fn.id.name;
  if ((fn.type === 'ObjectMethod' || fn.type === 'ClassMethod') && fn.key.type === 'Identifier') return fn.key.name;
  if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier') return parent.id.name;
  if (parent?.type === 'ObjectProperty' && parent.key.type === 'Identifier') return parent.key.name;
  return undefined;
}

/** Positions where reading the collection neither grows, shrinks nor hands it elsewhere (`for (x of c)`, `...c`, `!c`). */
function isNeutralUse(node: t.Identifier, parent: t.Node): boolean {
  switch (parent.type) {
    case 'ForOfStatement':
    case 'ForInStatement':
      return parent.right === node;
    case 'SpreadElement':
      return true;
    case 'UnaryExpression':
      return parent.operator !== 'delete';
    case 'BinaryExpression':
    case 'LogicalExpression':
      return true;
    case 'IfStatement':
    case 'ConditionalExpression':
    case 'WhileStatement':
      return parent.test === node;
    default:
      return false;
  }
}

/** Whether a key is drawn from a small fixed set (`node.type`, `token.kind`). */
function isBoundedKey(key: t.Node | undefined): boolean {
  return key !== undefined && isMember(key) && BOUNDED_KEYS.has(staticPropertyName(key) ?? '');
}

/** How a member use of the collection (`c.set(…)`, `c[k] = v`, `c.size > N`) changes it. */
function memberEffect(member: t.Node, grand: t.Node | undefined): 'grow' | 'shrink' | 'none' {
  if (!grand || !isMember(member)) return 'none';
  const name = staticPropertyName(member);
  if ((grand.type === 'CallExpression' || grand.type === 'OptionalCallExpression') && grand.callee === member) {
    if (name !== undefined && GROWING_METHODS.has(name)) return isBoundedKey(grand.arguments[0]) ? 'none' : 'grow';
    if (name !== undefined && SHRINKING_METHODS.has(name)) return 'shrink';
    return 'none';
  }
  if (grand.type === 'AssignmentExpression' && grand.left === member) {
    if (name === 'length') return 'shrink';
    return member.computed && name === undefined && !isBoundedKey(member.property) ? 'grow' : 'none';
  }
  if (grand.type === 'UpdateExpression' && member.computed && name === undefined && !isBoundedKey(member.property)) return 'grow';
  if (grand.type === 'UnaryExpression' && grand.operator === 'delete') return 'shrink';
  if ((name === 'size' || name === 'length') && grand.type === 'BinaryExpression' && COMPARISONS.has(grand.operator)) return 'shrink';
  return 'none';
}

export const unboundedModuleCache: Rule<'unbounded'> = {
  meta: {
    id: 'unbounded-module-cache',
    severity: 'warning',
    description: 'Module-level Map/Set/array/object caches that only grow.',
    docs: 'A module-level collection that functions add to but nothing removes from lives as long as the process and grows with every distinct key; bound it (LRU, size limit, TTL) or scope it to the work it caches for.',
    messages: {
      unbounded:
        "module-level {{kind}} '{{name}}' gains entries (line {{line}}) but nothing ever removes any, so it grows for the life of the process; bound it (LRU, size limit or TTL) or clear it.",
    },
  },
  create(context) {
    const candidates = new Map<string, Candidate>();
    return {
      Program(program) {
        // Collected up front, since functions above the declaration can add to it too. `export const` is left out:
        // importers can clear an exported collection out of this file's sight.
        for (const statement of program.body) {
          if (statement.type !== 'VariableDeclaration') continue;
          for (const declarator of statement.declarations) {
            const kind = collectionKind(declarator.init);
            if (kind && declarator.id.type === 'Identifier')
              candidates.set(declarator.id.name, { declarator, kind, growth: undefined, managed: false });
          }
        }
      },
      Identifier(node, ancestors) {
        const candidate = candidates.get(node.name);
        const parent = ancestors[ancestors.length - 1];
        if (!candidate || candidate.managed || !parent) return;
        if (parent === candidate.declarator && candidate.declarator.id === node) return;
        if (isNonReference(node, parent)) return;
        if (isMember(parent) && parent.object === node) {
          const effect = memberEffect(parent, ancestors[ancestors.length - 2]);
          if (effect === 'shrink') candidate.managed = true;
          if (effect !== 'grow' || candidate.growth) return;
          // Filling a table while the module loads is bounded by the code; growth that matters happens in functions.
          const fnIndex = ancestors.findLastIndex(isFunction);
          const fn = ancestors[fnIndex];
          if (!fn || !isFunction(fn)) return;
          const name = functionName(fn, ancestors[fnIndex - 1]);
          if (name === undefined || !SETUP_FUNCTION.test(name)) candidate.growth = parent;
          return;
        }
        // Reassigned, passed to a function, returned, exported, aliased: someone else may bound it.
        if (!isNeutralUse(node, parent)) candidate.managed = true;
      },
      'Program:exit'() {
        for (const [name, candidate] of candidates) {
          if (candidate.managed || !candidate.growth) continue;
          context.report(candidate.declarator, 'unbounded', {
            kind: candidate.kind,
            name,
            line: candidate.growth.loc?.start.line ?? 0,
          });
        }
      },
    };
  },
};
