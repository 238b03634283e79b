// One visitor table from several, so a rule can reuse a helper's visitors (NameSites) beside its own.
import type { Node } from '@babel/types';
import type { Visitor, Visitors } from '../../rule.js';

/** Visitors that call each table's visitor for a key, in the order given. */
export function combineVisitors(...tables: Visitors[]): Visitors {
  const combined = new Map<string, Visitor[]>();
  for (const table of tables) {
    // Keys and node types agree by construction; the mapped type cannot say so across tables.
    for (const [key, visit] of Object.entries(table as Record<string, Visitor | undefined>)) {
      if (!visit) continue;
      const list = combined.get(key);
      if (list) list.push(visit);
      else combined.set(key, [visit]);
    }
  }
  const result: Record<string, Visitor> = {};
  for (const [key, list] of combined) {
    const [only] = list;
    result[key] =
      list.length === 1 && only
        ? only
        : (node: Node, ancestors: readonly Node[]) => {
            for (const visit of list) visit(node, ancestors);
          };
  }
  return result as Visitors;
}
