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

/** Whether nothing in `node` runs (an interface, a type alias, a `declare function`, …): walks skip it whole. */
export function isTypeOnly(node: Node): boolean {
  return TYPE_ONLY.has(node.type);
}

/** Whether `value` is a babel node (an object with a string `type`). */
export function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/**
 * Appends the runtime children of `node` to `out` in babel's property order (which follows the source), type-only
 * declarations among them included: the walks' hot loop, with no call per child.
 */
export function pushChildNodes(node: Node, out: Node[]): void {
  // Babel nodes are plain records; reading them by key is what lets the walker skip @babel/types' VISITOR_KEYS.
  const record = node as unknown as Record<string, unknown>;
  // Object.keys, not for…in: babel's Node.prototype has an enumerable `__clone`, which keeps V8's for…in off its
  // fast path (the walks spent more time enumerating keys than visiting). Own keys, same order, same children.
  const keys = Object.keys(record);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    if (NOT_CHILDREN.has(key)) continue;
    const value = record[key];
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (isNode(item)) out.push(item);
      }
    } else if (isNode(value)) out.push(value);
  }
}

/** Children found by forEachChild calls still running (a visit may walk deeper): each call owns the stretch it pushed. */
const found: Node[] = [];

/** Calls `visit` on each runtime child of `node` that is not type-only, in order; nothing inside a type-only node. */
export function forEachChild(node: Node, visit: (child: Node) => void): void {
  if (TYPE_ONLY.has(node.type)) return;
  const from = found.length;
  pushChildNodes(node, found);
  const to = found.length;
  try {
    for (let i = from; i < to; i++) {
      const child = found[i]!;
      if (!TYPE_ONLY.has(child.type)) visit(child);
    }
  } finally {
    found.length = from;
  }
}
