// `quarry scan` end to end: bin/quarry.js as a child process on copies of the fixture trees.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import { REPO, fixture, gitInit, quarry, tempDir } from '../helpers.js';

const schema = JSON.parse(readFileSync(join(REPO, 'fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true });
// ajv-formats is CommonJS: Node hands its module.exports to the default import, and its typings call that `default`.
formats.default(ajv);
const validate = ajv.compile(schema);

/** How the first line gives the scan's duration (formatMs): milliseconds, or seconds on a slow machine. */
const DURATION = String.raw`(?:\d+ ms|\d+\.\d\d s)`;

/** quarry scan with its own cache directory, never the user's. */
function scan(args: string[], cwd: string, env: Record<string, string> = {}) {
  return quarry(['scan', ...args], { cwd, env: { QUARRY_CACHE_DIR: tempDir('quarry-cache-'), ...env } });
}

interface Envelope {
  schemaVersion: number;
  command: string;
  ok: boolean;
  data: {
    root: string;
    files: { path: string; findings: unknown[] }[];
    totals: Record<string, { files: number }>;
    findings: Record<string, number>;
    durationMs: number;
  };
  warnings: string[];
  error?: { code: string; message: string; hint: string | null };
}

/** What fixtures/scan/findings reports at the levels of its .quarry.json: [path, line, column, level, rule]. */
const FINDINGS = [
  ['src/build.js', 5, 10, 'warning', 'sync-child-process'],
  ['src/loader.ts', 5, 18, 'warning', 'sync-fs-in-async'],
  ['src/loader.ts', 8, 14, 'warning', 'await-in-loop'],
  ['src/report.ts', 4, 7, 'warning', 'unbounded-module-cache'],
  ['src/report.ts', 8, 9, 'warning', 'constructor-in-loop'],
  ['src/report.ts', 9, 5, 'note', 'write-in-loop'],
  ['src/state.js', 3, 10, 'error', 'json-deep-clone'],
];

describe('quarry scan --format sarif', () => {
  it('prints a SARIF 2.1.0 log that the official schema accepts, with a result per finding', async () => {
    const root = fixture('scan/findings');
    const r = await scan([root, '--format', 'sarif'], REPO);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const log = JSON.parse(r.stdout) as Log;
    expect(validate(log), ajv.errorsText(validate.errors)).toBe(true);
    const run = log.runs[0]!;
    const results = run.results!.map((x) => {
      const loc = x.locations![0]!.physicalLocation!;
      return [loc.artifactLocation!.uri, loc.region!.startLine, loc.region!.startColumn, x.level, x.ruleId];
    });
    expect(results).toEqual(FINDINGS);
    const rules = run.tool.driver.rules!;
    for (const x of run.results!) expect(rules[x.ruleIndex!]!.id).toBe(x.ruleId);
    // quadratic-lookup is off in the fixture's .quarry.json; json-deep-clone raised to error.
    expect(rules.map((x) => x.id)).not.toContain('quadratic-lookup');
    expect(rules.map((x) => x.id)).toContain('parse-error');
    expect(rules.find((x) => x.id === 'json-deep-clone')!.defaultConfiguration).toEqual({ level: 'error' });
    expect(run.originalUriBaseIds!['%SRCROOT%']!.uri).toBe(`file://${root}/`);
  });

  it('inside a git repository, URIs start at its top, also for a scan of a subdirectory (as code scanning needs)', async () => {
    const repo = fixture('scan/findings');
    gitInit(repo);
    const r = await scan(['src', '--format', 'sarif'], repo);
    expect(r.code, r.stderr).toBe(0);
    const log = JSON.parse(r.stdout) as Log;
    expect(validate(log), ajv.errorsText(validate.errors)).toBe(true);
    const run = log.runs[0]!;
    expect(run.originalUriBaseIds!['%SRCROOT%']!.uri).toBe(`file://${repo}/`);
    const uris = run.results!.map((x) => x.locations![0]!.physicalLocation!.artifactLocation!.uri);
    expect(uris.length).toBeGreaterThan(0);
    for (const uri of uris) expect(uri).toMatch(/^src\//);
  });

  it('reports parse errors as results of their own, still valid SARIF', async () => {
    const r = await scan(['--format', 'sarif'], fixture('scan/parse-errors'));
    expect(r.code).toBe(0);
    const log = JSON.parse(r.stdout) as Log;
    expect(validate(log), ajv.errorsText(validate.errors)).toBe(true);
    const results = log.runs[0]!.results!.map((x) => [
      x.ruleId,
      x.level,
      x.locations![0]!.physicalLocation!.artifactLocation!.uri,
      x.locations![0]!.physicalLocation!.region!.startLine,
    ]);
    expect(results).toEqual([
      ['parse-error', 'error', 'hopeless.js', 3],
      ['parse-error', 'error', 'recovered.ts', 2],
    ]);
  });

  it('keeps stdout a clean SARIF document when --fail-on fails the run', async () => {
    const r = await scan(['--format', 'sarif', '--fail-on', 'note'], fixture('scan/findings'));
    expect(r.code).toBe(1);
    expect(validate(JSON.parse(r.stdout))).toBe(true);
    expect(r.stderr).toMatch(/^quarry: 7 findings at or over --fail-on note\n$/);
  });
});

describe('quarry scan --json and --format json', () => {
  it('prints one envelope {schemaVersion, command, ok, data, warnings}', async () => {
    const root = fixture('scan/mixed');
    const r = await scan(['--json'], root);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Envelope;
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'command', 'ok', 'data', 'warnings']);
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'scan', ok: true, warnings: [] });
    expect(doc.data.root).toBe(root);
    expect(doc.data.totals.all!.files).toBe(7);
    expect(doc.data.files.map((f) => f.path)).toContain('src/store.ts');
  });

  it('--format json prints the same envelope as --json', async () => {
    const root = fixture('scan/findings');
    const parse = (stdout: string) => {
      const doc = JSON.parse(stdout) as Envelope;
      doc.data.durationMs = 0;
      return doc;
    };
    const a = await scan(['--json', '--no-cache'], root);
    const b = await scan(['--format', 'json', '--no-cache'], root);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(parse(b.stdout)).toEqual(parse(a.stdout));
    expect(parse(b.stdout).data.findings).toEqual({ error: 1, warning: 5, note: 1 });
  });

  it('--summary under --json leaves findings out of the files', async () => {
    const r = await scan(['--json', '--summary'], fixture('scan/findings'));
    const doc = JSON.parse(r.stdout) as Envelope;
    expect(doc.data.files).toHaveLength(6);
    expect(doc.data.files.every((f) => f.findings === undefined)).toBe(true);
    expect(doc.data.findings).toEqual({ error: 1, warning: 5, note: 1 });
  });
});

describe('quarry scan --fail-on', () => {
  it('exits 1 when there are warnings and --fail-on warning, naming the count on stderr', async () => {
    const r = await scan(['--fail-on', 'warning'], fixture('scan/findings'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('quarry: 6 findings at or over --fail-on warning\n');
  });

  it('exits 0 with --fail-on warning when there are only notes', async () => {
    const root = fixture('scan/findings');
    writeFileSync(join(root, '.quarry.json'), JSON.stringify({ rules: Object.fromEntries(FINDINGS.map((f) => [f[4], 'note'])) }));
    const r = await scan(['--fail-on', 'warning'], root);
    expect(r.code).toBe(0);
    // The seven rules of FINDINGS set to note, and quadratic-lookup back at its default, note.
    expect(r.stdout).toMatch(/8 findings \(0 errors, 0 warnings, 8 notes\)/);
  });

  it('exits 0 with --fail-on warning on a tree without findings', async () => {
    const r = await scan(['--fail-on', 'warning'], fixture('scan/mixed'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✔ 0 findings');
  });

  it('exits 0 with --fail-on error when there are only warnings, 1 when an error is added', async () => {
    const root = fixture('scan/findings');
    const warnings = await scan(['--fail-on', 'error', '--rule', 'json-deep-clone=warning'], root);
    expect(warnings.code).toBe(0);
    expect(warnings.stdout).toMatch(/7 findings \(0 errors, 6 warnings, 1 note\)/);
    const errors = await scan(['--fail-on', 'error'], root);
    expect(errors.code).toBe(1);
  });

  it('exits 0 without --fail-on, whatever it found', async () => {
    const r = await scan([], fixture('scan/findings'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/7 findings \(1 error, 5 warnings, 1 note\)/);
  });

  it('rejects a level it does not know with exit 2', async () => {
    const r = await scan(['--fail-on', 'warnings'], fixture('scan/mixed'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^quarry: --fail-on takes error, warning, note, got "warnings"\n/);
  });
});

describe('quarry scan bad usage and bad input', () => {
  it('--rule with an unknown id exits 2 with a one-line message naming it, no stack trace', async () => {
    const r = await scan(['--rule', 'nope=off'], fixture('scan/mixed'));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const [message, hint, ...rest] = r.stderr.split('\n');
    expect(message).toBe('quarry: unknown rule "nope" (--rule)');
    expect(hint).toMatch(/^ {2}hint: rules: .*await-in-loop/);
    expect(rest).toEqual(['']);
  });

  it('--rule with an unknown id under --json prints an error envelope', async () => {
    const r = await scan(['--rule', 'nope=off', '--json'], fixture('scan/mixed'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as Envelope;
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'scan', ok: false, warnings: [] });
    expect(doc.error).toEqual({
      code: 'usage',
      message: expect.stringContaining('"nope"'),
      hint: expect.stringContaining('await-in-loop'),
    });
  });

  it('an unknown rule id in .quarry.json exits 2 naming it and the file', async () => {
    const root = fixture('scan/mixed');
    writeFileSync(join(root, '.quarry.json'), '{"rules": {"nope": "off"}}');
    const r = await scan([], root);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`quarry: unknown rule "nope" (${join(root, '.quarry.json')})`);
  });

  it('--rule with an unknown level exits 2', async () => {
    const r = await scan(['--rule', 'await-in-loop=loud'], fixture('scan/mixed'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('quarry: --rule await-in-loop: level must be one of off, note, warning, error, got "loud"\n');
  });

  it('--format xml exits 2 listing the formats', async () => {
    const r = await scan(['--format', 'xml'], fixture('scan/mixed'));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('quarry: unknown --format "xml"\n  hint: formats: table, json, sarif\n');
  });

  it('a usage error under --format json is a JSON failure document too', async () => {
    const r = await scan(['--format', 'json', '--bogus'], fixture('scan/mixed'));
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({
      command: 'scan',
      ok: false,
      error: { code: 'usage', message: "unknown option '--bogus'" },
    });
  });

  it('a missing path exits 2 naming it', async () => {
    const root = fixture('scan/mixed');
    for (const args of [['no/such/dir'], ['src', 'src/nope.ts']]) {
      const r = await scan(args, root);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^quarry: .*${args.at(-1)!.replace('.', '\\.')}`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('--workers takes a positive whole number', async () => {
    const r = await scan(['--workers', '0'], fixture('scan/mixed'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^quarry: --workers takes a positive whole number, got "0"/);
  });
});

describe('quarry scan output', () => {
  it('prints the totals table and the findings grouped by file, "line:col  level  message  rule-id"', async () => {
    const r = await scan([], fixture('scan/findings'));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = r.stdout;
    expect(out).toMatch(new RegExp(String.raw`^scanned 6 files in ${DURATION} · cache 0 hits, 6 misses\n`));
    expect(out).toMatch(/│ language │ files │ code │ comment │ blank │ functions │ classes │ max complexity │/);
    expect(out).toMatch(/│ js +│ +3 │ +17 │ +3 │ +3 │ +3 │ +0 │ +3 │/);
    expect(out).toMatch(/│ total +│ +6 │ +35 │ +6 │ +6 │ +6 │ +0 │ +3 │/);
    const groups = out
      .split('\n\n')
      .slice(1, -1)
      .map((g) => g.split('\n'));
    expect(groups.map((g) => g[0])).toEqual(['src/build.js', 'src/loader.ts', 'src/report.ts', 'src/state.js']);
    const lines = groups.flatMap((g) => g.slice(1).map((line) => `${g[0]} ${line}`));
    expect(lines).toHaveLength(FINDINGS.length);
    FINDINGS.forEach(([path, line, column, level, rule], i) => {
      expect(lines[i]).toMatch(new RegExp(`^${path} {3}${line}:${column} +${level} +\\S.*\\S {2}${rule}$`));
    });
    expect(out).toContain('  3:10  error    JSON.parse(JSON.stringify(state)) serializes');
    expect(out.trimEnd().split('\n').at(-1)).toBe('✖ 7 findings (1 error, 5 warnings, 1 note) · 0 import cycles · 0 parse errors');
  });

  it('lists import cycles after the findings', async () => {
    const r = await scan([], fixture('scan/cycles'));
    expect(r.stdout).toContain('import cycles (2):\n  a.ts → b.ts → a.ts\n  lib/c.js → lib/d.js → lib/e.js → lib/c.js\n');
    expect(r.stdout).toContain('· 2 import cycles ·');
  });

  it('says how many relative imports lead out of the scanned tree (their cycles cannot be seen)', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'lib'));
    writeFileSync(
      join(root, 'lib', 'a.js'),
      "import { b } from './b.js';\nimport { util } from '../util.js';\nexport const a = b + util;\n",
    );
    writeFileSync(join(root, 'lib', 'b.js'), "import { gone } from './gone.js';\nexport const b = gone;\n");
    writeFileSync(join(root, 'util.js'), 'export const util = 1;\n');
    const r = await scan([join(root, 'lib')], root);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
      '✔ 0 findings (0 errors, 0 warnings, 0 notes) · 0 import cycles · 0 parse errors · 2 relative imports not found in the tree',
    );
    const whole = await scan([], root);
    expect(whole.stdout).toContain('· 1 relative import not found in the tree');
  });

  it('--summary prints the totals and no per-file findings', async () => {
    const r = await scan(['--summary'], fixture('scan/findings'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/│ total +│ +6 │/);
    for (const path of ['src/build.js', 'src/state.js', 'json-deep-clone', 'structuredClone']) expect(r.stdout).not.toContain(path);
    expect(r.stdout).toContain('✖ 7 findings (1 error, 5 warnings, 1 note)');
  });

  it('an empty directory scans to zero totals, exit 0', async () => {
    const r = await scan([], tempDir());
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^scanned 0 files/);
    expect(r.stdout).toMatch(/│ total +│ +0 │ +0 │ +0 │ +0 │ +0 │ +0 │ +0 │/);
    expect(r.stdout).toContain('✔ 0 findings (0 errors, 0 warnings, 0 notes) · 0 import cycles · 0 parse errors');
  });

  it('says what it skipped and why', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'app.js'), 'export const a = 1;\n');
    writeFileSync(join(root, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
    writeFileSync(join(root, 'app.min.js'), `${'var a=1;'.repeat(1000)}\n`);
    const r = await scan([], root);
    expect(r.stdout).toMatch(/^scanned 1 file in /);
    expect(r.stdout).toMatch(/ · skipped (binary 1, minified 1|minified 1, binary 1)\n$/);
  });

  it('answers a second run from the last report, or from the cache once the report is cleared', async () => {
    const root = fixture('scan/mixed');
    const cacheDir = tempDir('quarry-cache-');
    const first = await scan(['--json'], root, { QUARRY_CACHE_DIR: cacheDir });
    const r = await scan([], root, { QUARRY_CACHE_DIR: cacheDir });
    expect(r.stdout).toMatch(
      new RegExp(
        String.raw`^scanned 7 files in ${DURATION} · unchanged since the last scan \(same files, sizes and mtimes\): its report reused\n`,
      ),
    );
    const again = await scan(['--json'], root, { QUARRY_CACHE_DIR: cacheDir });
    const answer = (doc: Envelope) => ({ ...doc.data, durationMs: 0, cache: 0, reused: 0, fromLastScan: 0, files: 0 });
    expect(answer(JSON.parse(again.stdout) as Envelope)).toEqual(answer(JSON.parse(first.stdout) as Envelope));
    const stats = await quarry(['cache', 'stats', '--json'], { env: { QUARRY_CACHE_DIR: cacheDir } });
    expect(JSON.parse(stats.stdout).data.namespaces).toContainEqual(
      expect.objectContaining({ namespace: 'local-scan-report', entries: 1 }),
    );
    const cleared = await quarry(['cache', 'clear', '--namespace', 'local-scan-report', '--json'], { env: { QUARRY_CACHE_DIR: cacheDir } });
    expect(JSON.parse(cleared.stdout).data.deleted).toBe(1);
    // Every walked file (7 scanned, 2 others) known from the last scan's record: none read.
    const byFile = await scan([], root, { QUARRY_CACHE_DIR: cacheDir });
    expect(byFile.stdout).toMatch(
      new RegExp(String.raw`^scanned 7 files in ${DURATION} · cache 7 hits, 0 misses · 9 known from the last scan\n`),
    );
    const none = await scan(['--no-cache'], root, { QUARRY_CACHE_DIR: cacheDir });
    expect(none.stdout).toMatch(/· cache 0 hits, 7 misses\n/);
  });

  // Node 20's recursive mkdir spun for ever (deaf to signals) on a cache directory under /proc.
  it.runIf(existsSync('/proc/self'))('scans with a warning, in memory, when the cache directory cannot be made (under /proc)', async () => {
    const root = fixture('scan/mixed');
    const r = await scan(['--summary'], root, { QUARRY_CACHE_DIR: '/proc/no-such-quarry-dir/cache' });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^quarry: warning: cache at \/proc\/no-such-quarry-dir\/cache is unusable .*ENOENT.*caching in memory only\n$/,
    );
    expect(r.stdout).toMatch(new RegExp(String.raw`^scanned 7 files in ${DURATION} · cache 0 hits, 7 misses\n`));
  });
});

describe('quarry scan paths and root', () => {
  it('scans one file given by its path, with the rules of the current directory', async () => {
    const root = fixture('scan/findings');
    const r = await scan(['src/state.js', '--json'], root);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Envelope;
    expect(doc.data.root).toBe(root);
    expect(doc.data.files.map((f) => f.path)).toEqual(['src/state.js']);
    expect(doc.data.findings).toEqual({ error: 1, warning: 0, note: 0 });
  });

  it('scans a single file that is not JS/TS as nothing to scan, not as a root', async () => {
    const root = fixture('scan/mixed');
    const r = await scan(['data.json'], root);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^scanned 0 files/);
  });

  it('takes a single directory as the root, reading its .quarry.json', async () => {
    const root = fixture('scan/findings');
    const r = await scan([root, '--json'], REPO);
    const doc = JSON.parse(r.stdout) as Envelope;
    expect(doc.data.root).toBe(root);
    expect(doc.data.files.map((f) => f.path)).toContain('src/state.js');
    expect(doc.data.findings).toEqual({ error: 1, warning: 5, note: 1 });
  });

  it('scans several paths under --root', async () => {
    const root = fixture('scan/findings');
    const r = await scan(['--root', root, join(root, 'src/state.js'), join(root, 'bin'), '--json'], REPO);
    const doc = JSON.parse(r.stdout) as Envelope;
    expect(doc.data.files.map((f) => f.path)).toEqual(['bin/release.js', 'src/state.js']);
  });
});

describe('quarry scan help', () => {
  it('quarry --help lists scan', async () => {
    const r = await quarry(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n {2}scan \[options\] \[paths\.\.\.\] +report /);
  });

  it('quarry scan --help shows the options and examples', async () => {
    const r = await quarry(['scan', '--help']);
    expect(r.code).toBe(0);
    for (const option of ['--format <format>', '--summary', '--fail-on <level>', '--rule <id=level>', '--no-cache'])
      expect(r.stdout).toContain(option);
    expect(r.stdout).toMatch(/Examples:\n {2}quarry scan src --fail-on warning/);
    expect(r.stdout).toContain('quarry scan --format sarif > quarry.sarif');
  });
});
