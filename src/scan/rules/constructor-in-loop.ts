// constructor-in-loop: `new RegExp`, `new Worker`, `require()` and `import()` redone on every iteration of a loop.
import type * as t from '@babel/types';
import type { Rule } from '../rule.js';
import { combineVisitors } from './utils/combineVisitors.js';
import { enclosingLoop, type EnclosingLoop } from './utils/enclosing.js';
import { isMember, staticPropertyName } from './utils/memberNames.js';
import { NameSites } from './utils/nameSites.js';

type MessageId = 'regexp' | 'worker' | 'require' | 'import';

/** A construction the loop repeats, judged after the walk, once every assignment in the file is known. */
interface Pending {
  node: t.Node;
  messageId: MessageId;
  loop: EnclosingLoop;
  /** Variables the arguments read; the construction can move out of the loop only if none changes inside it. */
  reads: Set<string>;
  /** Shown in the message: the pattern or specifier. */
  what: string;
}

/** Longest argument text quoted in a message. */
const MAX_QUOTED = 40;

/**
 * The variables `args` read, when every argument is a literal, a variable, or a template of those — the shapes that
 * could be computed once before the loop; undefined for anything else (a member, a call), which may differ per item.
 */
function hoistableReads(args: readonly t.Node[]): Set<string> | undefined {
  const reads = new Set<string>();
  const visit = (node: t.Node): boolean => {
    switch (node.type) {
      case 'StringLiteral':
      case 'NumericLiteral':
      case 'BooleanLiteral':
      case 'NullLiteral':
      case 'RegExpLiteral':
        return true;
      case 'Identifier':
        reads.add(node.name);
        return true;
      case 'TemplateLiteral':
        return node.expressions.every(visit);
      default:
        return false;
    }
  };
  return args.every(visit) ? reads : undefined;
}

/** Whether the iterated value just counts out a pool's size (`Array(n)`, `Array.from({ length: n })`, `os.cpus()`, `[0, 1]`). */
function countsOutPool(iterated: t.Node, text: string): boolean {
  if (iterated.type === 'ArrayExpression' && !iterated.elements.some((e) => e?.type === 'SpreadElement')) return true;
  return /^(\[\s*\.\.\.\s*)?(new\s+)?Array(\.from)?\s*\(/.test(text) || /\b(cpus|availableParallelism)\s*\(/.test(text);
}

/** Whether `callee` is the Worker class (`Worker` or `threads.Worker`). */
function isWorkerClass(callee: t.Node): boolean {
  return callee.type === 'Identifier' ? callee.name === 'Worker' : isMember(callee) && staticPropertyName(callee) === 'Worker';
}

/** A short quotation of the arguments for the message. */
function quote(text: string): string {
  return text.length <= MAX_QUOTED && !text.includes('\n') ? text : '…';
}

export const constructorInLoop: Rule<MessageId> = {
  meta: {
    id: 'constructor-in-loop',
    severity: 'warning',
    description: 'new RegExp/new Worker/require()/import() inside loops.',
    docs: 'Compiling the same RegExp, resolving the same module or starting a thread on every iteration repeats work that can be done once: build constant RegExps and load modules before the loop, and send work to a fixed pool of workers.',
    messages: {
      regexp:
        'new RegExp({{what}}) is compiled again on every iteration of this {{loop}}; build it once before the loop (reset lastIndex if it has the g flag).',
      worker: 'new Worker() inside a {{loop}} starts a thread per iteration; start a fixed pool once and send it the items.',
      require: 'require({{what}}) inside a {{loop}} resolves the module again on every iteration; require it once at the top.',
      import: 'import({{what}}) inside a {{loop}} goes through the module loader on every iteration; import it once before the loop.',
    },
  },
  create(context) {
    const sites = new NameSites();
    const pending: Pending[] = [];

    /** Queues `node` when it sits in a loop and its arguments could be computed before it. */
    const consider = (
      node: t.Node,
      messageId: Exclude<MessageId, 'worker'>,
      args: readonly t.Node[],
      ancestors: readonly t.Node[],
    ): void => {
      const loop = enclosingLoop(node, ancestors, true);
      if (!loop) return;
      const reads = hoistableReads(args);
      if (!reads) return;
      pending.push({ node, messageId, loop, reads, what: quote(args.map((a) => context.getText(a)).join(', ')) });
    };

    const own = {
      NewExpression(node: t.NewExpression, ancestors: readonly t.Node[]) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'RegExp') {
          consider(node, 'regexp', node.arguments, ancestors);
          return;
        }
        if (!isWorkerClass(node.callee)) return;
        const loop = enclosingLoop(node, ancestors, true);
        // Counting loops are how a pool gets started: one worker per slot, not per item.
        if (!loop || loop.loop.type === 'ForStatement') return;
        if (loop.iterated && countsOutPool(loop.iterated, context.getText(loop.iterated))) return;
        context.report(node, 'worker', { loop: loop.label });
      },
      CallExpression(node: t.CallExpression, ancestors: readonly t.Node[]) {
        const callee = node.callee;
        if (callee.type === 'Identifier' && callee.name === 'RegExp') consider(node, 'regexp', node.arguments, ancestors);
        else if (callee.type === 'Identifier' && callee.name === 'require') consider(node, 'require', node.arguments, ancestors);
        else if (callee.type === 'Import') consider(node, 'import', node.arguments, ancestors);
      },
      ImportExpression(node: t.ImportExpression, ancestors: readonly t.Node[]) {
        consider(node, 'import', [node.source], ancestors);
      },
      'Program:exit'() {
        for (const p of pending) {
          // An argument that changes inside the loop (`new RegExp(item.pattern)`) makes a different object each time.
          if ([...p.reads].some((name) => sites.changesWithin(name, p.loop.scope))) continue;
          context.report(p.node, p.messageId, { what: p.what, loop: p.loop.label });
        }
      },
    };
    return combineVisitors(sites.visitors, own);
  },
};
