// json-deep-clone: `JSON.parse(JSON.stringify(x))` used to deep-copy a value.
import type * as t from '@babel/types';
import type { Rule } from '../rule.js';
import { chainRoot, staticPropertyName } from './utils/memberNames.js';

/** Longest argument text quoted in the message; longer ones are shown as `…`. */
const MAX_QUOTED = 40;

/** Whether `node` calls `JSON.<method>(…)`. */
function isJsonCall(node: t.Node | undefined, method: 'parse' | 'stringify'): node is t.CallExpression {
  return (
    node?.type === 'CallExpression' &&
    node.callee.type === 'MemberExpression' &&
    node.callee.object.type === 'Identifier' &&
    node.callee.object.name === 'JSON' &&
    staticPropertyName(node.callee) === method
  );
}

/** Whether `JSON.stringify`'s extra arguments leave the value as it is: none, or a `null` replacer with an indent. */
function isPlainStringify(call: t.CallExpression): boolean {
  const replacer = call.arguments[1];
  return call.arguments.length === 1 || (replacer?.type === 'NullLiteral' && call.arguments.length <= 3);
}

/** Whether the round trip is what a test checks (`expect(JSON.parse(JSON.stringify(x))).toEqual(x)`): not a copy. */
function isAssertionSubject(node: t.CallExpression, parent: t.Node | undefined): boolean {
  if (parent?.type !== 'CallExpression' || !parent.arguments.includes(node)) return false;
  const callee = parent.callee;
  const name = callee.type === 'Identifier' ? callee.name : callee.type === 'MemberExpression' ? chainRoot(callee)?.name : undefined;
  return name === 'expect' || name === 'assert';
}

export const jsonDeepClone: Rule<'jsonClone'> = {
  meta: {
    id: 'json-deep-clone',
    severity: 'warning',
    description: 'JSON.parse(JSON.stringify(x)) used as a deep copy.',
    docs: 'Round-tripping through JSON builds the whole value as a string and parses it back, and silently turns Dates into strings and drops undefined, Maps and Sets; structuredClone copies directly and keeps them.',
    messages: {
      jsonClone:
        'JSON.parse(JSON.stringify({{value}})) serializes the whole value to a string and parses it back; use structuredClone({{value}}).',
    },
  },
  create(context) {
    return {
      CallExpression(node, ancestors) {
        // A reviver makes it a transformation, not a copy.
        if (!isJsonCall(node, 'parse') || node.arguments.length !== 1) return;
        if (isAssertionSubject(node, ancestors[ancestors.length - 1])) return;
        const inner = node.arguments[0];
        if (!isJsonCall(inner, 'stringify') || !isPlainStringify(inner)) return;
        const value = inner.arguments[0];
        if (!value || value.type === 'SpreadElement') return;
        const text = context.getText(value);
        context.report(node, 'jsonClone', { value: text.length <= MAX_QUOTED && !text.includes('\n') ? text : '…' });
      },
    };
  },
};
