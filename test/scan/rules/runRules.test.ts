import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../../src/scan/rule.js';
import { isCliEntry, RULES, ruleById, runRules } from '../../../src/scan/runRules.js';
import { REPO } from '../../helpers.js';
import { parseForTest } from './ruleTester.js';

const ALL = RULES.map((rule) => ({ rule, severity: rule.meta.severity }));

/** A file with one finding for most rules. */
const SLOW_SERVICE = `import fs from 'node:fs';
import { execSync } from 'node:child_process';
const cache = new Map<string, User>();
export async function loadAll(ids: string[], banned: string[]) {
  const config = fs.readFileSync('config.json', 'utf8');
  for (const id of ids) {
    if (banned.includes(id)) continue;
    const user = await fetchUser(id);
    cache.set(id, JSON.parse(JSON.stringify(user)));
    fs.appendFileSync('audit.log', id + '\\n');
    new RegExp('^admin').test(user.name);
  }
  return execSync('whoami') + config;
}`;

describe('runRules', () => {
  it('finds every rule’s findings in one file, sorted by line and column', () => {
    const found = runRules(parseForTest(SLOW_SERVICE), ALL, { path: 'src/service.ts', source: SLOW_SERVICE });
    expect(found.map((f) => [f.line, f.column, f.ruleId])).toEqual([
      [3, 7, 'unbounded-module-cache'],
      [5, 18, 'sync-fs-in-async'],
      [7, 9, 'quadratic-lookup'],
      [8, 18, 'await-in-loop'],
      [9, 19, 'json-deep-clone'],
      // Same position: ordered by rule id.
      [10, 5, 'sync-fs-in-async'],
      [10, 5, 'write-in-loop'],
      [11, 5, 'constructor-in-loop'],
      [13, 10, 'sync-child-process'],
    ]);
    expect(found[1]).toMatchObject({ severity: 'warning', endLine: 5, endColumn: 56 });
  });

  it('walks the tree once, giving every rule each node in turn, with its ancestors', () => {
    const log: string[] = [];
    const spy = (name: string): Rule => ({
      meta: { id: name, severity: 'note', description: 'spy', docs: 'spy', messages: {} },
      create: () => ({
        Identifier(node, ancestors) {
          log.push(`${name}:${node.name}:${ancestors.map((a) => a.type).join('>')}`);
        },
        'Program:exit'() {
          log.push(`${name}:exit`);
        },
      }),
    });
    const code = 'f(x);';
    runRules(
      parseForTest(code),
      [spy('a'), spy('b')].map((rule) => ({ rule, severity: 'note' as const })),
      { path: 'a.ts', source: code },
    );
    expect(log).toEqual([
      'a:f:File>Program>ExpressionStatement>CallExpression',
      'b:f:File>Program>ExpressionStatement>CallExpression',
      'a:x:File>Program>ExpressionStatement>CallExpression',
      'b:x:File>Program>ExpressionStatement>CallExpression',
      'a:exit',
      'b:exit',
    ]);
  });

  it('turns a rule that throws into one rule-error note and keeps the other rules’ findings', () => {
    let calls = 0;
    const broken: Rule = {
      meta: { id: 'broken', severity: 'error', description: 'x', docs: 'x', messages: { hit: 'hit {{name}}' } },
      create: (context) => ({
        Identifier(node) {
          calls++;
          if (node.name === 'boom') throw new Error('cannot handle boom');
          context.report(node, 'hit', { name: node.name });
        },
      }),
    };
    const code = `a;\nboom;\nc;\nconst copy = JSON.parse(JSON.stringify(a));`;
    const jsonRule = ruleById('json-deep-clone')!;
    const found = runRules(
      parseForTest(code),
      [
        { rule: broken, severity: 'error' },
        { rule: jsonRule, severity: 'error' },
      ],
      { path: 'x.ts', source: code },
    );
    expect(found.map((f) => [f.ruleId, f.line, f.severity])).toEqual([
      ['broken', 1, 'error'],
      ['rule-error', 2, 'note'],
      ['json-deep-clone', 4, 'error'],
    ]);
    expect(found[1]!.message).toBe('rule broken failed on this file and was skipped for the rest of it: cannot handle boom');
    expect(calls).toBe(2);
  });

  it('reports a rule whose create() throws, or that reports an unknown messageId, as a rule-error', () => {
    const failing = (create: Rule['create']): Rule => ({
      meta: { id: 'failing', severity: 'warning', description: 'x', docs: 'x', messages: {} },
      create,
    });
    const code = 'x;';
    const run = (rule: Rule) => runRules(parseForTest(code), [{ rule, severity: 'warning' }], { path: 'x.ts', source: code });
    expect(
      run(
        failing(() => {
          throw new Error('no');
        }),
      ),
    ).toEqual([
      {
        ruleId: 'rule-error',
        messageId: 'ruleError',
        severity: 'note',
        message: expect.stringContaining('failing'),
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 1,
      },
    ]);
    const [f] = run(failing((context) => ({ Identifier: (node) => context.report(node, 'missing') })));
    expect(f).toMatchObject({ ruleId: 'rule-error', message: expect.stringContaining("unknown messageId 'missing'") });
  });

  it('returns nothing and walks nothing without rules', () => {
    expect(runRules(parseForTest('a;'), [], { path: 'a.ts', source: 'a;' })).toEqual([]);
  });
});

describe('isCliEntry', () => {
  it.each([
    ['src/lib.ts', '#!/usr/bin/env node\n', true],
    ['bin/quarry.js', '', true],
    ['packages/x/scripts/release.mjs', '', true],
    ['src/cli.ts', '', true],
    ['tools\\bin\\run.js', '', true],
    ['src/cli/index.ts', '', false],
    ['src/clients.ts', '', false],
    ['src/binary.ts', '', false],
    ['src/lib.ts', '// #!/not/a/shebang\n', false],
  ])('%s → %s', (path, source, expected) => {
    expect(isCliEntry(path, source)).toBe(expected);
  });
});

describe('the rule registry', () => {
  const rulesDir = join(REPO, 'src', 'scan', 'rules');
  const testDir = join(REPO, 'test', 'scan', 'rules');
  const ruleFiles = readdirSync(rulesDir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && e.name !== 'index.ts')
    .map((e) => e.name.slice(0, -'.ts'.length));

  it('registers every rule file under its file name, once', () => {
    expect(RULES.map((r) => r.meta.id).sort()).toEqual([...ruleFiles].sort());
    for (const rule of RULES) expect(ruleById(rule.meta.id)).toBe(rule);
    expect(ruleById('no-such-rule')).toBeUndefined();
  });

  it.each(RULES.map((r) => [r.meta.id, r] as const))('%s has one-line docs, messages and a test file', (id, rule) => {
    for (const line of [rule.meta.description, rule.meta.docs]) {
      expect(line.length).toBeGreaterThan(10);
      expect(line).not.toContain('\n');
    }
    expect(['error', 'warning', 'note']).toContain(rule.meta.severity);
    expect(Object.keys(rule.meta.messages).length).toBeGreaterThan(0);
    expect(readdirSync(testDir)).toContain(`${id}.test.ts`);
  });
});
