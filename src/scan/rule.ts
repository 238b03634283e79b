// The shape of a scan rule, after ESLint's: data (meta) plus a factory of node visitors, run by runRules in one pass.
import type { Node } from '@babel/types';

export type Severity = 'error' | 'warning' | 'note';

export interface RuleMeta<MessageId extends string = string> {
  /** Stable id, also the rule's file name under src/scan/rules/ and its SARIF ruleId. */
  id: string;
  /** Severity when the user does not override it. */
  severity: Severity;
  /** One line saying what the rule finds; SARIF's shortDescription. */
  description: string;
  /** One line: why the pattern is slow and what to do instead; SARIF's fullDescription/help. */
  docs: string;
  /**
   * The rule reports nothing in a command-line entry point (`context.isCliEntry`). Scan results are cached by
   * content, so the path half of that test (bin/, scripts/, cli.*) is applied after the cache: findings of such a
   * rule are dropped for files at such paths.
   */
  exemptInCliEntry?: boolean;
  /** Message templates by id; `{{name}}` is replaced with `data.name` from `report`. */
  messages: Record<MessageId, string>;
}

export interface Finding {
  ruleId: string;
  /** The message template the rule reported with ('ruleError' for a rule-error finding). */
  messageId: string;
  severity: Severity;
  message: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** 1-based. */
  endLine: number;
  /** 1-based and exclusive, as in SARIF. */
  endColumn: number;
}

export interface RuleContext<MessageId extends string = string> {
  /** Path of the file as the scan names it (slashes or backslashes); for path-dependent rules. */
  readonly path: string;
  /** The whole source text; `node.start`/`node.end` index into it. */
  readonly source: string;
  /** True for command-line entry points: a `#!` first line, a path under `bin/` or `scripts/`, or a file named `cli.*`. */
  readonly isCliEntry: boolean;
  /** Records a finding spanning `node`. An unknown messageId throws, which turns into a rule-error finding. */
  report(node: Node, messageId: MessageId, data?: Readonly<Record<string, string | number>>): void;
  /** The source text of `node`. */
  getText(node: Node): string;
}

/** The node type named `T`. */
export type NodeOfType<T extends Node['type']> = Extract<Node, { type: T }>;

/**
 * Called on entering (or, for `'Type:exit'`, leaving) a node. `ancestors` runs from the File node down to the
 * parent; it is the walker's own stack, valid only during the call: copy it to keep it.
 */
export type Visitor<N extends Node = Node> = (node: N, ancestors: readonly Node[]) => void;

/** Visitors by babel node type; `'Type:exit'` runs after the node's children. */
export type Visitors = { [T in Node['type']]?: Visitor<NodeOfType<T>> } & {
  [T in Node['type'] as `${T}:exit`]?: Visitor<NodeOfType<T>>;
};

export interface Rule<MessageId extends string = string> {
  meta: RuleMeta<MessageId>;
  /** Called once per file; per-file state lives in the closure of the returned visitors. */
  create(context: RuleContext<MessageId>): Visitors;
}

/** A rule the scan runs, with the severity it reports at (its default or the user's override). */
export interface ActiveRule {
  rule: Rule;
  severity: Severity;
}
