// Runs every active rule over one parsed file in a single walk of its AST and returns their findings, sorted.
import type { parse } from '@babel/parser';
import type { File, Node } from '@babel/types';
import { messageOf } from '../util/errors.js';
import { isTypeOnly, pushChildNodes } from './astChildren.js';
import type { ModuleLinks } from './moduleLinks.js';
import type { ActiveRule, Finding, RuleContext, Severity, Visitor } from './rule.js';

export { RULES, ruleById } from './rules/index.js';

/**
 * What @babel/parser's `parse` returns. The parser is typed against its own copy of @babel/types, which can be a
 * different version from the one the rules are typed with (7.29.14 vs 7.29.0 today); either is accepted.
 */
export type ParsedFile = ReturnType<typeof parse>;

/** The file a rule runs on. */
export interface FileInfo {
  /** Path as the scan names it; decides `isCliEntry` and nothing else. */
  path: string;
  /** The text `ast` was parsed from. */
  source: string;
}

/** One rule's visitor for one node type, and the rule's state in this run. */
interface Handler {
  run: RuleRun;
  visit: Visitor;
}

/** A rule in this run: once it throws, it is skipped for the rest of the file. */
interface RuleRun {
  id: string;
  failed: boolean;
}

/** Whether a file is a command-line entry point, where blocking calls are the norm rather than a stall. */
export function isCliEntry(path: string, source: string): boolean {
  return source.startsWith('#!') || isCliPath(path);
}

/** The path half of isCliEntry: under bin/ or scripts/, or named cli.*. */
export function isCliPath(path: string): boolean {
  const normalized = '/' + path.replace(/\\/g, '/');
  return /\/(bin|scripts)\//.test(normalized) || /\/cli\.[^/]+$/.test(normalized);
}

/** `{{name}}` placeholders of `template` filled from `data`; unknown names are left as they are, like ESLint. */
function fillTemplate(template: string, data: Readonly<Record<string, string | number>> | undefined): string {
  if (!data) return template;
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => {
    const value = data[name];
    return value === undefined ? whole : String(value);
  });
}

/** The finding's span from babel's location (0-based columns) in 1-based lines and columns. */
function span(node: Node | undefined): Pick<Finding, 'line' | 'column' | 'endLine' | 'endColumn'> {
  const loc = node?.loc;
  if (!loc) return { line: 1, column: 1, endLine: 1, endColumn: 1 };
  return { line: loc.start.line, column: loc.start.column + 1, endLine: loc.end.line, endColumn: loc.end.column + 1 };
}

/** The note that stands in for a rule that threw, so one broken rule costs its own findings and not the scan. */
function ruleError(ruleId: string, err: unknown, node: Node | undefined): Finding {
  return {
    ruleId: 'rule-error',
    messageId: 'ruleError',
    severity: 'note',
    message: `rule ${ruleId} failed on this file and was skipped for the rest of it: ${messageOf(err)}`,
    ...span(node),
  };
}

/** What a pending item of the walk does with its node (the low two bits of its tag; the rest is its depth). */
const ENTER = 0;
const EXIT = 1;
/** A type-only declaration: rules never see it (see astChildren.ts); only the module links look into it. */
const TYPE_ONLY = 2;

/**
 * Depth-first walk calling enter handlers before a node's children and exit handlers after, with `ancestors` holding
 * the path from the root to the current node's parent; `links` sees every node entered and, in their place in the
 * walk, the type-only declarations. Iterative, since generated code can nest deeper than the stack. The children
 * are forEachChild's (same nodes, same order), pushed straight onto the stack: this is the scan's hottest loop.
 * Each pending node carries its depth, so `ancestors` is cut back to it on entry, and only nodes with exit handlers
 * (in practice the Program) are pushed a second time to be left.
 */
function walk(
  root: Node,
  ancestors: Node[],
  enter: ReadonlyMap<string, Handler[]>,
  exit: ReadonlyMap<string, Handler[]>,
  call: (handlers: Handler[] | undefined, node: Node) => void,
  links: ModuleLinks | undefined,
): void {
  // The stack as parallel arrays: the node, and its depth * 4 + what to do with it.
  const nodes: Node[] = [root];
  const tags: number[] = [ENTER];
  while (nodes.length > 0) {
    const item = nodes.pop()!;
    const tag = tags.pop()!;
    const depth = tag >> 2;
    ancestors.length = depth;
    const action = tag & 3;
    if (action === EXIT) {
      call(exit.get(item.type), item);
      continue;
    }
    if (action === TYPE_ONLY) {
      links?.enterTypeOnly(item, ancestors);
      continue;
    }
    links?.enter(item, ancestors);
    call(enter.get(item.type), item);
    ancestors.push(item);
    if (exit.has(item.type)) {
      nodes.push(item);
      tags.push((depth << 2) | EXIT);
    }
    if (isTypeOnly(item)) continue;
    // Children are pushed in order, then that stretch of the stack is reversed so the first comes off first.
    const first = nodes.length;
    const childTag = (depth + 1) << 2;
    pushChildNodes(item, nodes);
    for (let i = first; i < nodes.length; i++) tags.push(childTag | (isTypeOnly(nodes[i]!) ? TYPE_ONLY : ENTER));
    for (let lo = first, hi = nodes.length - 1; lo < hi; lo++, hi--) {
      const n = nodes[lo]!;
      nodes[lo] = nodes[hi]!;
      nodes[hi] = n;
      const t = tags[lo]!;
      tags[lo] = tags[hi]!;
      tags[hi] = t;
    }
  }
}

/**
 * Runs `rules` over `ast` (parsed from `info.source` with locations) in one traversal; findings sorted by line, column.
 * The same traversal fills `links` (the file's imports and exports) when given.
 */
export function runRules(ast: File | ParsedFile, rules: readonly ActiveRule[], info: FileInfo, links?: ModuleLinks): Finding[] {
  const findings: Finding[] = [];
  const enter = new Map<string, Handler[]>();
  const exit = new Map<string, Handler[]>();
  const cliEntry = isCliEntry(info.path, info.source);

  for (const { rule, severity } of rules) {
    const run: RuleRun = { id: rule.meta.id, failed: false };
    const context = createContext(rule.meta.id, rule.meta.messages, severity, info, cliEntry, findings);
    let visitors: Record<string, Visitor | undefined>;
    try {
      // The mapped Visitors type narrows each key's node type; dispatch is by the node's own type, so it is sound.
      visitors = rule.create(context) as Record<string, Visitor | undefined>;
    } catch (err) {
      findings.push(ruleError(run.id, err, undefined));
      continue;
    }
    for (const [key, visit] of Object.entries(visitors)) {
      if (!visit) continue;
      const isExit = key.endsWith(':exit');
      const table = isExit ? exit : enter;
      const type = isExit ? key.slice(0, -':exit'.length) : key;
      let list = table.get(type);
      if (!list) table.set(type, (list = []));
      list.push({ run, visit });
    }
  }

  const ancestors: Node[] = [];
  const call = (handlers: Handler[] | undefined, node: Node): void => {
    if (!handlers) return;
    for (const { run, visit } of handlers) {
      if (run.failed) continue;
      try {
        visit(node, ancestors);
      } catch (err) {
        run.failed = true;
        findings.push(ruleError(run.id, err, node));
      }
    }
  };
  // The same objects either way; only the two declaration sets differ.
  if (enter.size > 0 || exit.size > 0 || links) walk(ast as File, ancestors, enter, exit, call, links);

  return findings.sort((a, b) => a.line - b.line || a.column - b.column || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
}

/** The context one rule reports through: it knows the rule's id, messages and effective severity. */
function createContext(
  ruleId: string,
  messages: Readonly<Record<string, string>>,
  severity: Severity,
  info: FileInfo,
  cliEntry: boolean,
  findings: Finding[],
): RuleContext {
  return {
    path: info.path,
    source: info.source,
    isCliEntry: cliEntry,
    report(node, messageId, data) {
      const template = Object.hasOwn(messages, messageId) ? messages[messageId] : undefined;
      if (template === undefined) throw new Error(`unknown messageId '${messageId}'`);
      findings.push({ ruleId, messageId, severity, message: fillTemplate(template, data), ...span(node) });
    },
    getText(node) {
      return info.source.slice(node.start ?? 0, node.end ?? 0);
    },
  };
}
