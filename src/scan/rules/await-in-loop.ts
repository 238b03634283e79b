// await-in-loop: an `await` in a loop body that serializes iterations which could run concurrently.
import type * as t from '@babel/types';
import type { Rule } from '../rule.js';
import { forEachChild } from '../astChildren.js';
import { enclosingLoop, isFunction } from './utils/enclosing.js';
import { intersects, patternNames, referencedNames } from './utils/identifiers.js';

/** Calls awaited to pace a loop on purpose (polling, backoff), where one-at-a-time is the point. */
const PACING_CALLS: ReadonlySet<string> = new Set(['sleep', 'delay', 'wait', 'setTimeout', 'timeout', 'pause', 'backoff']);

type LoopStatement = t.ForStatement | t.ForInStatement | t.ForOfStatement | t.WhileStatement | t.DoWhileStatement;

/** What a loop body does that can make its iterations depend on each other; computed once per loop. */
interface BodyFacts {
  /** Each assignment or declaration in the body: the names it sets and the names its value reads. */
  flows: { targets: Set<string>; reads: Set<string> }[];
  /** The body can leave the loop early (break, return): iterations after a result are skipped, so order matters. */
  exits: boolean;
}

/** Assignments and early exits of a loop body, not looking into nested functions (they run elsewhere). */
function bodyFacts(body: t.Statement): BodyFacts {
  const facts: BodyFacts = { flows: [], exits: false };
  // depth: how many nested loops/switches an unlabelled `break` would leave instead of this loop.
  const visit = (node: t.Node, depth: number): void => {
    if (isFunction(node)) return;
    switch (node.type) {
      case 'AssignmentExpression':
        facts.flows.push({ targets: patternNames(node.left), reads: referencedNames(node.right) });
        break;
      case 'VariableDeclarator':
        facts.flows.push({ targets: patternNames(node.id), reads: referencedNames(node.init) });
        break;
      case 'UpdateExpression':
        facts.flows.push({ targets: patternNames(node.argument), reads: referencedNames(node.argument) });
        break;
      case 'ReturnStatement':
        facts.exits = true;
        break;
      case 'BreakStatement':
        if (node.label || depth === 0) facts.exits = true;
        break;
      default:
        break;
    }
    const nested =
      node.type === 'SwitchStatement' ||
      node.type === 'ForStatement' ||
      node.type === 'ForInStatement' ||
      node.type === 'ForOfStatement' ||
      node.type === 'WhileStatement' ||
      node.type === 'DoWhileStatement';
    forEachChild(node, (child) => visit(child, nested ? depth + 1 : depth));
  };
  visit(body, 0);
  return facts;
}

/** The names that receive the awaited value: `x` in `x = await …` / `const { x } = await …`, looking up to the statement. */
function awaitTargets(node: t.AwaitExpression, ancestors: readonly t.Node[]): Set<string> {
  let child: t.Node = node;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const a = ancestors[i]!;
    if (a.type === 'VariableDeclarator' && a.init === child) return patternNames(a.id);
    if (a.type === 'AssignmentExpression' && a.right === child) return patternNames(a.left);
    if (a.type.endsWith('Statement') || isFunction(a)) break;
    child = a;
  }
  return new Set();
}

/** Names reached from `seeds` through the body's assignments (`r = await f(); next = r.next` taints `next`). */
function taint(seeds: Set<string>, facts: BodyFacts): Set<string> {
  const tainted = new Set(seeds);
  for (let changed = tainted.size > 0; changed;) {
    changed = false;
    for (const { targets, reads } of facts.flows) {
      if (!intersects(reads, tainted)) continue;
      for (const name of targets) {
        if (tainted.has(name)) continue;
        tainted.add(name);
        changed = true;
      }
    }
  }
  return tainted;
}

/** Whether the loop runs until something inside it decides to stop (`while (true)`, `for (;;)`): a poll or retry loop. */
function isOpenEnded(loop: LoopStatement): boolean {
  if (loop.type === 'ForInStatement' || loop.type === 'ForOfStatement') return false;
  const test = loop.test;
  return !test || (test.type === 'BooleanLiteral' && test.value) || (test.type === 'NumericLiteral' && test.value !== 0);
}

/** Whether the awaited value paces or yields (`await sleep(ms)`, `await new Promise(r => setTimeout(r, ms))`). */
function isPacing(argument: t.Node): boolean {
  if (argument.type === 'CallExpression') {
    const callee = argument.callee;
    const name =
      callee.type === 'Identifier'
        ? callee.name
        : callee.type === 'MemberExpression' && callee.property.type === 'Identifier'
          ? callee.property.name
          : undefined;
    return name !== undefined && PACING_CALLS.has(name);
  }
  if (argument.type !== 'NewExpression') return false;
  const reads = referencedNames(argument);
  return reads.has('setTimeout') || reads.has('setImmediate');
}

export const awaitInLoop: Rule<'awaitInLoop'> = {
  meta: {
    id: 'await-in-loop',
    severity: 'warning',
    description: 'await inside a loop over independent items.',
    docs: 'Awaiting in a loop body runs the iterations one after another, so n independent I/O waits take n round trips; start them together and await Promise.all (bounded for large inputs).',
    messages: {
      awaitInLoop:
        'await inside a {{loop}} waits for each iteration before starting the next; if they are independent, start them together and await Promise.all() (with a concurrency limit for large inputs).',
    },
  },
  create(context) {
    const facts = new WeakMap<t.Node, BodyFacts>();
    const factsOf = (loop: LoopStatement): BodyFacts => {
      let f = facts.get(loop);
      if (!f) facts.set(loop, (f = bodyFacts(loop.body)));
      return f;
    };
    return {
      AwaitExpression(node, ancestors) {
        const found = enclosingLoop(node, ancestors, false);
        // An await in a while test or for update decides whether to go on: sequential by nature.
        if (!found || found.part !== 'body' || found.loop.type === 'CallExpression' || found.loop.type === 'OptionalCallExpression') return;
        const loop = found.loop;
        if (loop.type === 'ForOfStatement' && loop.await) return;
        if (isOpenEnded(loop) || isPacing(node.argument)) return;
        const f = factsOf(loop);
        if (f.exits) return;
        const tainted = taint(awaitTargets(node, ancestors), f);
        if (tainted.size > 0) {
          // The awaited value feeds the next iteration: through the loop's test/update, or into the next await itself.
          if (loop.type === 'ForStatement' && intersects(tainted, referencedNames(loop.update))) return;
          if (loop.type !== 'ForInStatement' && loop.type !== 'ForOfStatement' && intersects(tainted, referencedNames(loop.test))) return;
          if (intersects(tainted, referencedNames(node.argument))) return;
        }
        context.report(node, 'awaitInLoop', { loop: found.label });
      },
    };
  },
};
