// write-in-loop: an fs call that writes or appends to the same file on every iteration of a loop.
import type * as t from '@babel/types';
import type { Rule } from '../rule.js';
import { combineVisitors } from './utils/combineVisitors.js';
import { enclosingLoop, type EnclosingLoop } from './utils/enclosing.js';
import { referencedNames } from './utils/identifiers.js';
import { ModuleBindings } from './utils/moduleBindings.js';
import { NameSites } from './utils/nameSites.js';

type MessageId = 'append' | 'rewrite';

/** Modules whose whole-file write calls open, write and close a file per call. */
const FS_MODULES: ReadonlySet<string> = new Set(['fs', 'fs-extra', 'graceful-fs']);

/** Whole-file writes by export name: which message each gets. */
const WRITES: ReadonlyMap<string, MessageId> = new Map([
  ['appendFile', 'append'],
  ['appendFileSync', 'append'],
  ['writeFile', 'rewrite'],
  ['writeFileSync', 'rewrite'],
  // fs-extra's helpers write whole files the same way.
  ['outputFile', 'rewrite'],
  ['outputFileSync', 'rewrite'],
  ['writeJson', 'rewrite'],
  ['writeJsonSync', 'rewrite'],
  ['outputJson', 'rewrite'],
  ['outputJsonSync', 'rewrite'],
]);

/** Longest target text quoted in the message. */
const MAX_QUOTED = 40;

/** A write inside a loop, judged after the walk, once every assignment in the file is known. */
interface Pending {
  node: t.Node;
  messageId: MessageId;
  name: string;
  target: string;
  /** Variables the target path reads; a path that changes per iteration names a different file each time. */
  reads: Set<string>;
  loop: EnclosingLoop;
}

export const writeInLoop: Rule<MessageId> = {
  meta: {
    id: 'write-in-loop',
    severity: 'warning',
    description: 'fs writes or appends to the same file inside loops.',
    docs: 'Each writeFile/appendFile call opens, writes and closes the file, and a rewrite in a loop copies the growing content n times; collect the output and write once after the loop, or keep one write stream open.',
    messages: {
      append:
        '{{name}}() inside a {{loop}} opens, appends to and closes {{target}} on every iteration; collect the output and write once, or keep one fs.createWriteStream() open.',
      rewrite: '{{name}}() inside a {{loop}} rewrites {{target}} on every iteration; write it once after the loop.',
    },
  },
  create(context) {
    const fs = new ModuleBindings(FS_MODULES);
    const sites = new NameSites();
    const pending: Pending[] = [];

    const check = (node: t.CallExpression | t.OptionalCallExpression, ancestors: readonly t.Node[]): void => {
      const call = fs.resolveCallee(node.callee);
      const messageId = call ? WRITES.get(call.name) : undefined;
      const target = node.arguments[0];
      if (!call || !messageId || !target) return;
      const loop = enclosingLoop(node, ancestors, true);
      if (!loop) return;
      const text = context.getText(target);
      pending.push({
        node,
        messageId,
        name: call.name,
        target: text.length <= MAX_QUOTED && !text.includes('\n') ? text : 'the same file',
        reads: referencedNames(target),
        loop,
      });
    };

    const own = {
      Program: (node: t.Program) => fs.addProgram(node),
      VariableDeclarator: (node: t.VariableDeclarator) => fs.addDeclarator(node),
      CallExpression: check,
      OptionalCallExpression: check,
      'Program:exit'() {
        for (const p of pending) {
          // One file per item (`join(outDir, item.name)`) is output that has to be written; that is not this pattern.
          if ([...p.reads].some((name) => sites.changesWithin(name, p.loop.scope))) continue;
          context.report(p.node, p.messageId, { name: p.name, target: p.target, loop: p.loop.label });
        }
      },
    };
    return combineVisitors(sites.visitors, own);
  },
};
