// The runtime children of a babel node, found from the node itself so the scan needs no @babel/types at runtime.
import type { Node } from '@babel/types';
import { NON_CHILD_KEYS } from '../util/astKeys.js';

/**
 * Keys that never hold runtime children: positions, comments, parser extras, and TypeScript type positions
 * (rules look at what runs, and a type's identifiers would read as references).
 */
export const NOT_CHILDREN: ReadonlySet<string> = new Set([
  ...NON_CHILD_KEYS,
  'typeAnnotation',
  'returnType',
  'typeParameters',
  'typeArguments',
  'superTypeParameters',
  'superTypeArguments',
  'implements',
  'extends',
  'predicate',
]);

/** Declarations that hold types only, so nothing in them runs. */
const TYPE_ONLY = new Set(['TSInterfaceDeclaration', 'TSTypeAliasDeclaration', 'TSDeclareFunction', 'TSDeclareMethod', 'TSIndexSignature']);

/** Whether `value` is a babel node (an object with a string `type`). */
export function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** Calls `visit` on each runtime child of `node`, in babel's property order (which follows the source). */
export function forEachChild(node: Node, visit: (child: Node) => void): void {
  if (TYPE_ONLY.has(node.type)) return;
  // Babel nodes are plain records; reading them by key is what lets the walker skip @babel/types' VISITOR_KEYS.
  const record = node as unknown as Record<string, unknown>;
  for (const key in record) {
    if (NOT_CHILDREN.has(key)) continue;
    const value = record[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item) && !TYPE_ONLY.has(item.type)) visit(item);
    } else if (isNode(value) && !TYPE_ONLY.has(value.type)) {
      visit(value);
    }
  }
}
