import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { toSarif, type SarifInput } from '../../src/scan/sarif.js';

const schema = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true });
// ajv-formats is CommonJS: Node hands its module.exports to the default import, and its typings call that `default`.
formats.default(ajv);
const validate = ajv.compile(schema);

const input: SarifInput = {
  toolVersion: '0.1.0',
  rules: [
    {
      id: 'sync-fs-in-async',
      description: 'Synchronous fs call inside an async function',
      docs: 'A synchronous fs call blocks the event loop; use fs/promises.',
      severity: 'warning',
    },
    {
      id: 'json-clone',
      description: 'JSON.parse(JSON.stringify(x)) deep clone',
      docs: 'Round-tripping through JSON is slow and lossy; use structuredClone.',
      severity: 'note',
    },
  ],
  findings: [
    {
      ruleId: 'sync-fs-in-async',
      severity: 'warning',
      message: 'readFileSync inside async function load',
      path: 'src/load.ts',
      line: 3,
      column: 15,
      endLine: 3,
      endColumn: 40,
    },
    {
      ruleId: 'json-clone',
      severity: 'error',
      message: 'deep clone through JSON',
      path: 'src/a dir/@scope/clone#1.js',
      line: 10,
      column: 1,
      endLine: 12,
      endColumn: 2,
    },
    {
      ruleId: 'sync-fs-in-async',
      severity: 'warning',
      message: 'writeFileSync inside async function save',
      path: 'lib/save.js',
      line: 7,
      column: 5,
      endLine: 7,
      endColumn: 30,
    },
  ],
};

describe('toSarif', () => {
  it('writes a document the SARIF 2.1.0 schema accepts', () => {
    const log = toSarif({ ...input, root: '/home/user/project', informationUri: 'https://example.com/quarry' });
    expect(validate(log), ajv.errorsText(validate.errors)).toBe(true);
    expect(validate(toSarif(input)), ajv.errorsText(validate.errors)).toBe(true);
  });

  it('fails validation of a broken document, so the check above can fail', () => {
    const log = toSarif(input) as unknown as { runs: { results: Record<string, unknown>[] }[] };
    log.runs[0]!.results[0]!.level = 'fatal';
    delete log.runs[0]!.results[1]!.message;
    expect(validate(log)).toBe(false);
    expect(ajv.errorsText(validate.errors)).toMatch(/level/);
    expect(validate({ version: '2.0.0', runs: [] })).toBe(false);
  });

  it('describes the tool and each rule', () => {
    const driver = toSarif({ ...input, informationUri: 'https://example.com/quarry' }).runs[0]!.tool.driver;
    expect(driver.name).toBe('quarry');
    expect(driver.version).toBe('0.1.0');
    expect(driver.informationUri).toBe('https://example.com/quarry');
    expect(driver.rules![1]).toEqual({
      id: 'json-clone',
      shortDescription: { text: 'JSON.parse(JSON.stringify(x)) deep clone' },
      fullDescription: { text: 'Round-tripping through JSON is slow and lossy; use structuredClone.' },
      help: { text: 'Round-tripping through JSON is slow and lossy; use structuredClone.' },
      defaultConfiguration: { level: 'note' },
    });
  });

  it('omits informationUri when there is none', () => {
    expect(toSarif(input).runs[0]!.tool.driver).not.toHaveProperty('informationUri');
  });

  it('writes one result per finding, pointing at its rule, with its own level and region', () => {
    const results = toSarif(input).runs[0]!.results!;
    expect(results.map((r) => [r.ruleId, r.ruleIndex, r.level])).toEqual([
      ['sync-fs-in-async', 0, 'warning'],
      ['json-clone', 1, 'error'],
      ['sync-fs-in-async', 0, 'warning'],
    ]);
    expect(results[0]).toEqual({
      ruleId: 'sync-fs-in-async',
      ruleIndex: 0,
      level: 'warning',
      message: { text: 'readFileSync inside async function load' },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'src/load.ts', uriBaseId: '%SRCROOT%' },
            region: { startLine: 3, startColumn: 15, endLine: 3, endColumn: 40 },
          },
        },
      ],
    });
  });

  it('percent-encodes paths into relative URIs', () => {
    const uri = toSarif(input).runs[0]!.results![1]!.locations![0]!.physicalLocation!.artifactLocation!.uri;
    expect(uri).toBe('src/a%20dir/@scope/clone%231.js');
  });

  it('says where %SRCROOT% is only when given the root', () => {
    expect(toSarif(input).runs[0]).not.toHaveProperty('originalUriBaseIds');
    expect(toSarif({ ...input, root: '/home/user/my project' }).runs[0]!.originalUriBaseIds).toEqual({
      '%SRCROOT%': { uri: 'file:///home/user/my%20project/' },
    });
  });

  it('makes URIs relative to srcRoot, a directory above the root such as the repository top', () => {
    const run = toSarif({ ...input, root: '/repo/packages/app', srcRoot: '/repo' }).runs[0]!;
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///repo/' } });
    expect(run.results!.map((r) => r.locations![0]!.physicalLocation!.artifactLocation!.uri)).toEqual([
      'packages/app/src/load.ts',
      'packages/app/src/a%20dir/@scope/clone%231.js',
      'packages/app/lib/save.js',
    ]);
    // srcRoot the root itself: as without it.
    expect(toSarif({ ...input, root: '/repo', srcRoot: '/repo' })).toEqual(toSarif({ ...input, root: '/repo' }));
    expect(() => toSarif({ ...input, root: '/elsewhere', srcRoot: '/repo' })).toThrow(/does not hold the root/);
    // A folder whose name starts with two dots is inside, not above.
    const dotted = toSarif({ ...input, root: '/repo/..cache', srcRoot: '/repo' }).runs[0]!.results![0]!;
    expect(dotted.locations![0]!.physicalLocation!.artifactLocation!.uri).toBe('..cache/src/load.ts');
  });

  it('counts columns in UTF-16 code units, as JavaScript does', () => {
    expect(toSarif(input).runs[0]!.columnKind).toBe('utf16CodeUnits');
  });

  it('leaves ruleIndex out for a finding of a rule it was not given', () => {
    const log = toSarif({ ...input, findings: [{ ...input.findings[0]!, ruleId: 'unknown' }] });
    expect(log.runs[0]!.results![0]).not.toHaveProperty('ruleIndex');
    expect(validate(log)).toBe(true);
  });
});
