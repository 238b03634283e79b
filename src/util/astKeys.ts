// Keys of a babel node that never hold child nodes (positions, comments, parser extras): shared by every hand-written
// AST walk (the index's symbol collector, the scan's metrics and rules), which find children from the node itself.
export const NON_CHILD_KEYS: readonly string[] = [
  'type',
  'start',
  'end',
  'loc',
  'range',
  'extra',
  'errors',
  'comments',
  'tokens',
  'leadingComments',
  'trailingComments',
  'innerComments',
];

/** NON_CHILD_KEYS as a set, for the walks' per-key test. */
export const NON_CHILD_KEY_SET: ReadonlySet<string> = new Set(NON_CHILD_KEYS);
