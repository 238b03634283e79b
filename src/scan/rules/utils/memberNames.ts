// Names read statically off member expressions: `a.b`, `a['b']`, and the identifier a member chain starts from.
import type * as t from '@babel/types';

export type AnyMember = t.MemberExpression | t.OptionalMemberExpression;

/** Whether `node` is `a.b` or `a?.b`. */
export function isMember(node: t.Node): node is AnyMember {
  return node.type === 'MemberExpression' || node.type === 'OptionalMemberExpression';
}

/** The property name of `a.b`, `a['b']` or a<code>[`b`]</code>; undefined when it is computed at run time. */
export function staticPropertyName(member: AnyMember): string | undefined {
  const p = member.property;
  if (!member.computed) return p.type === 'Identifier' ? p.name : undefined;
  if (p.type === 'StringLiteral') return p.value;
  if (p.type === 'TemplateLiteral' && p.expressions.length === 0) return p.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

/** The identifier a member chain starts from (`a` in `a.b[c].d`), or undefined (`this.x`, `f().x`). */
export function chainRoot(node: t.Node): t.Identifier | undefined {
  let n: t.Node = node;
  while (isMember(n)) n = n.object;
  return n.type === 'Identifier' ? n : undefined;
}
