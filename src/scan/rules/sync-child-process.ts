// sync-child-process: execSync/execFileSync/spawnSync outside a command-line entry point.
import type * as t from '@babel/types';
import type { Rule } from '../rule.js';
import { ModuleBindings } from './utils/moduleBindings.js';

/** Blocking child_process calls and the asynchronous call to use instead. */
const BLOCKING: ReadonlyMap<string, string> = new Map([
  ['execSync', 'exec'],
  ['execFileSync', 'execFile'],
  ['spawnSync', 'spawn'],
]);

export const syncChildProcess: Rule<'syncChild'> = {
  meta: {
    id: 'sync-child-process',
    severity: 'warning',
    exemptInCliEntry: true,
    description: 'execSync/execFileSync/spawnSync outside CLI entry points.',
    docs: 'A synchronous child process freezes the whole Node process (timers, I/O, other requests) until the child exits; fine in a CLI script, but library and server code should use the async exec/execFile/spawn.',
    messages: {
      syncChild:
        '{{name}}() blocks the whole process until the child exits; outside a CLI entry point use the asynchronous {{alternative}}() (promisified) instead.',
    },
  },
  create(context) {
    // A script's own top level may block: nothing else is running while it does.
    if (context.isCliEntry) return {};
    const childProcess = new ModuleBindings(new Set(['child_process']));
    const check = (node: t.CallExpression | t.OptionalCallExpression): void => {
      const call = childProcess.resolveCallee(node.callee);
      const alternative = call ? BLOCKING.get(call.name) : undefined;
      if (call && alternative) context.report(node, 'syncChild', { name: call.name, alternative });
    };
    return {
      Program: (node) => childProcess.addProgram(node),
      VariableDeclarator: (node) => childProcess.addDeclarator(node),
      CallExpression: check,
      OptionalCallExpression: check,
    };
  },
};
