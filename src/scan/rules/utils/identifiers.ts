// Identifier names in a subtree: the names a pattern binds or assigns, and the names an expression reads.
import type * as t from '@babel/types';
import { forEachChild } from '../../astChildren.js';

/** Adds to `out` the names a declaration or assignment target binds (`x`, `{ a, b: [c] }`, `...rest`, `x = 1`); members are skipped. */
export function patternNames(pattern: t.Node | null | undefined, out: Set<string> = new Set()): Set<string> {
  if (!pattern) return out;
  switch (pattern.type) {
    case 'Identifier':
      out.add(pattern.name);
      break;
    case 'ObjectPattern':
      for (const prop of pattern.properties) patternNames(prop.type === 'RestElement' ? prop.argument : prop.value, out);
      break;
    case 'ArrayPattern':
      for (const element of pattern.elements) patternNames(element, out);
      break;
    case 'AssignmentPattern':
      patternNames(pattern.left, out);
      break;
    case 'RestElement':
      patternNames(pattern.argument, out);
      break;
    case 'TSParameterProperty':
      patternNames(pattern.parameter, out);
      break;
    default:
      break;
  }
  return out;
}

/** Whether identifier `node`, a child of `parent`, names a property, key or label rather than reading a variable. */
export function isNonReference(node: t.Identifier, parent: t.Node): boolean {
  switch (parent.type) {
    case 'MemberExpression':
    case 'OptionalMemberExpression':
      return parent.property === node && !parent.computed;
    case 'ObjectProperty':
    case 'ObjectMethod':
    case 'ClassMethod':
    case 'ClassPrivateMethod':
    case 'ClassProperty':
    case 'ClassAccessorProperty':
      return parent.key === node && !parent.computed;
    case 'ImportSpecifier':
      return parent.imported === node && parent.local !== node;
    case 'ExportSpecifier':
      return parent.exported === node && parent.local !== node;
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
    case 'MetaProperty':
    case 'TSEnumMember':
    case 'TSQualifiedName':
      return true;
    default:
      return false;
  }
}

/** The names `node` reads anywhere inside it (nested functions included), property names and labels excluded. */
export function referencedNames(node: t.Node | null | undefined, out: Set<string> = new Set()): Set<string> {
  if (!node) return out;
  const visit = (n: t.Node, parent: t.Node | undefined): void => {
    if (n.type === 'Identifier') {
      if (!parent || !isNonReference(n, parent)) out.add(n.name);
      return;
    }
    forEachChild(n, (child) => visit(child, n));
  };
  visit(node, undefined);
  return out;
}

/** Whether the two sets share a name. */
export function intersects(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const name of small) if (large.has(name)) return true;
  return false;
}
