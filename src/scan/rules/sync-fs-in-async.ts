// sync-fs-in-async: a blocking fs.*Sync call made from inside an async function.
import type * as t from '@babel/types';
import type { Rule } from '../rule.js';
import { nearestFunction } from './utils/enclosing.js';
import { ModuleBindings, type ModuleExport } from './utils/moduleBindings.js';

/** Modules whose `*Sync` exports block: node's fs and its drop-in wrappers. */
const FS_MODULES: ReadonlySet<string> = new Set(['fs', 'fs-extra', 'graceful-fs']);

/** The awaitable call to suggest instead of a sync one. */
function asyncAlternative(call: ModuleExport): string {
  const base = call.name.slice(0, -'Sync'.length);
  if (call.module !== 'fs') return `${base}() from ${call.module}`;
  // fs.exists was deprecated without a promise version; access() answers the same question.
  return base === 'exists' ? 'fs.promises.access()' : `fs.promises.${base}()`;
}

export const syncFsInAsync: Rule<'syncFs'> = {
  meta: {
    id: 'sync-fs-in-async',
    severity: 'warning',
    description: 'Synchronous fs calls (readFileSync, existsSync, …) inside async functions.',
    docs: 'A *Sync fs call blocks the event loop, stalling every other pending request or task while the disk works; in async code await the fs.promises version instead.',
    messages: {
      syncFs: '{{name}}() blocks the event loop inside an async function; await {{alternative}} instead.',
    },
  },
  create(context) {
    const fs = new ModuleBindings(FS_MODULES);
    const check = (node: t.CallExpression | t.OptionalCallExpression, ancestors: readonly t.Node[]): void => {
      const call = fs.resolveCallee(node.callee);
      if (!call || call.promises || !call.name.endsWith('Sync')) return;
      // Only the innermost function matters: a sync callback nested in an async function runs on its own schedule.
      if (!nearestFunction(ancestors)?.async) return;
      context.report(node, 'syncFs', { name: call.name, alternative: asyncAlternative(call) });
    };
    return {
      Program: (node) => fs.addProgram(node),
      VariableDeclarator: (node) => fs.addDeclarator(node),
      CallExpression: check,
      OptionalCallExpression: check,
    };
  },
};
