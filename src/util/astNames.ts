// Names and shapes read off babel nodes, shared by the index's symbol walk and the scan's import/export walk.

/** A babel node as the walks read it: a type and keys. */
export interface AstNode {
  type: string;
  [key: string]: unknown;
}

/** The name an identifier, private name or literal key spells; '' for anything else (a computed key). */
export function nameOf(n: AstNode): string {
  switch (n.type) {
    case 'Identifier':
    case 'JSXIdentifier':
      return String(n.name);
    case 'PrivateName':
      return '#' + nameOf(n.id as AstNode);
    case 'StringLiteral':
    case 'NumericLiteral':
      return String(n.value);
    default:
      return '';
  }
}

/** The names a destructuring pattern binds, left to right. */
export function patternNames(n: AstNode): string[] {
  switch (n.type) {
    case 'Identifier':
      return [String(n.name)];
    case 'ObjectPattern':
      return (n.properties as AstNode[]).flatMap((p) => patternNames((p.type === 'RestElement' ? p.argument : p.value) as AstNode));
    case 'ArrayPattern':
      return (n.elements as (AstNode | null)[]).flatMap((e) => (e ? patternNames(e) : []));
    case 'AssignmentPattern':
      return patternNames(n.left as AstNode);
    case 'RestElement':
      return patternNames(n.argument as AstNode);
    default:
      return [];
  }
}

/** Node types whose body is a function scope: a plain variable declared inside one is a local, not a symbol. */
export const FUNCTION_SCOPES: ReadonlySet<string> = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
  'ObjectMethod',
  'ClassMethod',
  'ClassPrivateMethod',
  'StaticBlock',
]);

/** A function or arrow used as a value. */
export function isFunction(n: AstNode): boolean {
  return n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression';
}

/** `module.exports`. */
export function isModuleExports(n: AstNode): boolean {
  if (n.type !== 'MemberExpression') return false;
  const obj = n.object as AstNode;
  return obj.type === 'Identifier' && obj.name === 'module' && nameOf(n.property as AstNode) === 'exports';
}
