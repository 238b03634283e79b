import { expect, it } from 'vitest';
import { quadraticLookup } from '../../../src/scan/rules/quadratic-lookup.js';
import { findings, testRule } from './ruleTester.js';

testRule(quadraticLookup, {
  valid: [
    // Substring searches on strings.
    `export function todos(lines: string[]) {
  let n = 0;
  for (const line of lines) if (line.includes('TODO')) n++;
  return n;
}`,
    `export function mentioned(title: string, words: string[], doc: string) {
  const header = \`# \${title}\`;
  return words.filter((w) => header.includes(w) || doc.indexOf(w) >= 0);
}`,
    // Already a Set.
    `export function admins(users: User[], ids: string[]) {
  const allowed = new Set(ids);
  return users.filter((u) => allowed.has(u.id));
}`,
    // Searching the collection being iterated (dedupe by first index) is another pattern.
    `export function unique(items: string[]) {
  return items.filter((x, i) => items.indexOf(x) === i);
}`,
    // A per-item collection, and a lookup outside any loop.
    `export function withRole(users: User[], role: string, list: string[], x: string) {
  const out = [];
  for (const user of users) if (user.roles.includes(role)) out.push(user);
  return list.includes(x) ? out : [];
}`,
    // A small constant table.
    `import { extname } from 'node:path';
const SOURCE_EXTENSIONS = ['.js', '.mjs', '.ts', '.tsx'] as const;
export function sources(files: string[]) {
  return files.filter((f) => SOURCE_EXTENSIONS.includes(extname(f) as never));
}`,
    // A database query, not an array search; and lodash taking the array as an argument.
    `export async function load(ids: string[], users: Collection) {
  const out = [];
  for (const id of ids) out.push(users.find({ id }));
  return ids.map((id) => _.includes(out, id));
}`,
    // Predicates that are not equality matches cannot be answered by a Map.
    `export function matching(lines: string[], patterns: RegExp[], matchers: ((s: string) => boolean)[]) {
  return lines.filter((line) => patterns.some((p) => p.test(line)) || matchers.some((m) => m(line)));
}`,
    // A cursor moving through a buffer, and constant tables named as such.
    `export function count(buf: Buffer, separator: number, kinds: string[]) {
  let lines = 0;
  for (let pos = 0; ; lines++) {
    const nl = buf.indexOf(separator, pos);
    if (nl === -1) break;
    pos = nl + 1;
  }
  return kinds.map((k) => SYMBOL_KINDS.indexOf(k)).concat(COMMANDS.filter((c) => kinds.includes(c)).length, lines);
}`,
    // Lower-case compound names of strings (webpack's lib/Compiler.js: \`hashes.some((hash) => filename.includes(hash))\`).
    `const includesHash = (filename, hashes) => hashes.some((hash) => filename.includes(hash));
export function hosts(urls, hostname, pathname) {
  return urls.filter((u) => hostname.includes(u.host) && pathname.indexOf(u.path) === 0);
}`,
    // A loop over a short literal list runs a fixed number of times (webpack's lib/config/normalization.js).
    `export function preferred(devtool) {
  const [match] = ['all', 'javascript', 'css'].map((type) => devtool.find((item) => item.type === type)).filter(Boolean);
  for (const kind of ['a', 'b']) if (devtool.includes(kind)) return kind;
  return match;
}`,
    // The collection is rebuilt inside the loop.
    `export function layers(nodes: Node[]) {
  let frontier: Node[] = [];
  for (const node of nodes) {
    frontier = node.children;
    if (frontier.includes(node)) return true;
  }
  return false;
}`,
  ],
  invalid: [
    {
      code: `export function adminsOf(users: User[], adminIds: string[]) {
  const admins = [];
  for (const user of users) {
    if (adminIds.includes(user.id)) admins.push(user);
  }
  return admins;
}`,
      errors: [{ line: 4, messageId: 'membership' }],
    },
    {
      code: `export function withCustomer(orders: Order[], customers: Customer[]) {
  return orders.filter((o) => customers.some((c) => c.id === o.customerId));
}`,
      errors: [{ line: 2, messageId: 'search' }],
    },
    {
      filename: 'lib/unique.js',
      code: `export function dedupe(xs) {
  const unique = [];
  for (const x of xs) {
    if (unique.indexOf(x) === -1) unique.push(x);
  }
  return unique;
}`,
      errors: [{ line: 4, messageId: 'membership' }],
    },
    {
      code: `export class Registry {
  private known: Entry[] = [];
  merge(incoming: Entry[]) {
    let i = 0;
    while (i < incoming.length) {
      const hit = this.known.find((e) => e.key === incoming[i]!.key);
      if (!hit) this.known.push(incoming[i]!);
      i++;
    }
  }
}`,
      errors: [{ line: 6, messageId: 'search' }],
    },
    {
      // Only the string-like endings count: \`timeline\` may well be an array; a loop over a variable list still counts.
      code: `export function due(tasks, timeline, kinds) {
  return tasks.filter((t) => timeline.includes(t.date) && ['x'].concat(kinds).some((k) => timeline.find((e) => e.kind === k)));
}`,
      errors: [
        { line: 2, messageId: 'membership' },
        { line: 2, messageId: 'search' },
      ],
    },
    {
      code: `export function pivot(rows: Row[], columns: Column[]) {
  return rows.reduce((acc, row) => {
    const c = columns.findIndex((col) => col.key === row.key);
    acc[c] = row.value;
    return acc;
  }, [] as number[]);
}`,
      errors: [{ line: 3, messageId: 'search' }],
    },
  ],
});

it('names the collection, the method and the loop', () => {
  const [f] = findings(quadraticLookup, `for (const u of users) if (banned.includes(u.id)) drop(u);`);
  expect(f?.message).toBe(
    'banned.includes() inside a for-of loop scans banned on every iteration (O(n·m)); build a Set from it once before the loop and use .has().',
  );
  expect(f?.severity).toBe('note');
});
