// What encloses a node, read from the walker's ancestor stack: its function, and the loop it runs once per iteration of.
import type * as t from '@babel/types';
import { staticPropertyName } from './memberNames.js';

export type FunctionNode =
  t.FunctionDeclaration | t.FunctionExpression | t.ArrowFunctionExpression | t.ObjectMethod | t.ClassMethod | t.ClassPrivateMethod;

/** Array methods whose first argument is called once per element, so its body is a loop body. */
export const ITERATING_METHODS: ReadonlySet<string> = new Set([
  'forEach',
  'map',
  'flatMap',
  'filter',
  'reduce',
  'reduceRight',
  'some',
  'every',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
]);

export interface EnclosingLoop {
  /** The loop statement, or the array-method call whose callback runs per element. */
  loop:
    | t.ForStatement
    | t.ForInStatement
    | t.ForOfStatement
    | t.WhileStatement
    | t.DoWhileStatement
    | t.CallExpression
    | t.OptionalCallExpression;
  /** Where the node sits: the body, or a loop test/update that also runs each iteration ('body' for callbacks). */
  part: 'body' | 'test' | 'update';
  /** The node whose source range is per-iteration: the loop statement, or the callback function. */
  scope: t.Node;
  /** The collection iterated: a for-of/for-in's right side or the array method's receiver; undefined for for/while. */
  iterated: t.Node | undefined;
  /** How a message names the loop: 'for loop', 'for-of loop', 'while loop', '.map() callback', … */
  label: string;
}

/** Whether `node` is a function of any kind (the boundary of "runs in this loop/function"). */
export function isFunction(node: t.Node): node is FunctionNode {
  switch (node.type) {
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
    case 'ObjectMethod':
    case 'ClassMethod':
    case 'ClassPrivateMethod':
      return true;
    default:
      return false;
  }
}

/** The innermost function around the node whose ancestors these are; undefined at module level. */
export function nearestFunction(ancestors: readonly t.Node[]): FunctionNode | undefined {
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const a = ancestors[i]!;
    if (isFunction(a)) return a;
  }
  return undefined;
}

/** The method name when `fn` is the per-element callback of `parent` (`xs.map(fn)`), else undefined. */
function iteratingMethod(fn: FunctionNode, parent: t.CallExpression | t.OptionalCallExpression): string | undefined {
  if (parent.arguments[0] !== fn) return undefined;
  const callee = parent.callee;
  if (callee.type !== 'MemberExpression' && callee.type !== 'OptionalMemberExpression') return undefined;
  const name = staticPropertyName(callee);
  return name !== undefined && ITERATING_METHODS.has(name) ? name : undefined;
}

/** Which per-iteration part of `loop` holds `child`, or undefined when `child` runs once (init, for-of's right side). */
function loopPart(loop: t.Node, child: t.Node): EnclosingLoop['part'] | undefined {
  switch (loop.type) {
    case 'ForStatement':
      return child === loop.body ? 'body' : child === loop.test ? 'test' : child === loop.update ? 'update' : undefined;
    case 'WhileStatement':
    case 'DoWhileStatement':
      return child === loop.body ? 'body' : child === loop.test ? 'test' : undefined;
    case 'ForInStatement':
    case 'ForOfStatement':
      return child === loop.body ? 'body' : undefined;
    default:
      return undefined;
  }
}

/** How a message names a loop statement. */
function statementLabel(loop: t.ForStatement | t.ForInStatement | t.ForOfStatement | t.WhileStatement | t.DoWhileStatement): string {
  switch (loop.type) {
    case 'ForStatement':
      return 'for loop';
    case 'ForInStatement':
      return 'for-in loop';
    case 'ForOfStatement':
      return loop.await ? 'for-await-of loop' : 'for-of loop';
    case 'WhileStatement':
      return 'while loop';
    case 'DoWhileStatement':
      return 'do-while loop';
  }
}

/**
 * The innermost loop that runs `node` once per iteration, looking outwards from `node` (whose ancestors are given)
 * and stopping at the first function: a function defined in a loop runs when called, not per iteration — unless
 * `callbacks` is set and the function is an array method's callback (`xs.forEach(x => …)`), which counts as a loop.
 */
export function enclosingLoop(node: t.Node, ancestors: readonly t.Node[], callbacks: boolean): EnclosingLoop | undefined {
  let child = node;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const a = ancestors[i]!;
    if (isFunction(a)) {
      const parent = ancestors[i - 1];
      if (!callbacks || (parent?.type !== 'CallExpression' && parent?.type !== 'OptionalCallExpression')) return undefined;
      const method = iteratingMethod(a, parent);
      if (method === undefined) return undefined;
      const callee = parent.callee;
      const receiver = callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression' ? callee.object : undefined;
      return { loop: parent, part: 'body', scope: a, iterated: receiver, label: `.${method}() callback` };
    }
    if (
      a.type === 'ForStatement' ||
      a.type === 'ForInStatement' ||
      a.type === 'ForOfStatement' ||
      a.type === 'WhileStatement' ||
      a.type === 'DoWhileStatement'
    ) {
      const part = loopPart(a, child);
      if (part !== undefined) {
        const iterated = a.type === 'ForInStatement' || a.type === 'ForOfStatement' ? a.right : undefined;
        return { loop: a, part, scope: a, iterated, label: statementLabel(a) };
      }
    }
    child = a;
  }
  return undefined;
}
