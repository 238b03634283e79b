// Rule levels for a scan: each rule's default, then .quarry.json or package.json's "quarry" key, then --rule flags.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LEVELS, knownRuleIds, ruleLevels } from '../../src/scan/config.js';
import { RULES } from '../../src/scan/runRules.js';
import { QuarryError } from '../../src/util/errors.js';
import { tempDir } from '../helpers.js';

/** A temp root holding the given files (name → text, or an object written as JSON). */
function rootWith(files: Record<string, string | object> = {}): string {
  const root = tempDir();
  for (const [name, content] of Object.entries(files))
    writeFileSync(join(root, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return root;
}

/** The QuarryError `fn` throws. */
function errorOf(fn: () => unknown): QuarryError {
  try {
    fn();
  } catch (err) {
    if (err instanceof QuarryError) return err;
    throw err;
  }
  throw new Error('expected a QuarryError');
}

const defaults = (): Record<string, string> => ({
  ...Object.fromEntries(RULES.map((r) => [r.meta.id, r.meta.severity])),
  'parse-error': 'error',
});

describe('ruleLevels', () => {
  it('gives every rule its default severity, and parse-error error, when there is no config', () => {
    const { levels, configFile } = ruleLevels(rootWith(), []);
    expect(Object.fromEntries(levels)).toEqual(defaults());
    expect(levels.get('await-in-loop')).toBe('warning');
    expect(levels.get('quadratic-lookup')).toBe('note');
    expect(configFile).toBeNull();
  });

  it('knows every rule of src/scan/rules/ and parse-error', () => {
    expect(knownRuleIds()).toEqual([...RULES.map((r) => r.meta.id), 'parse-error']);
    expect(knownRuleIds()).toContain('sync-child-process');
    expect(LEVELS).toEqual(['off', 'note', 'warning', 'error']);
  });

  it('reads the rules of .quarry.json in the root', () => {
    const root = rootWith({ '.quarry.json': { rules: { 'await-in-loop': 'error', 'json-deep-clone': 'off', 'parse-error': 'warning' } } });
    const { levels, configFile } = ruleLevels(root, []);
    expect(Object.fromEntries(levels)).toEqual({
      ...defaults(),
      'await-in-loop': 'error',
      'json-deep-clone': 'off',
      'parse-error': 'warning',
    });
    expect(configFile).toBe(join(root, '.quarry.json'));
  });

  it('reads the rules under the "quarry" key of package.json', () => {
    const root = rootWith({ 'package.json': { name: 'app', version: '1.0.0', quarry: { rules: { 'quadratic-lookup': 'warning' } } } });
    const { levels, configFile } = ruleLevels(root, []);
    expect(levels.get('quadratic-lookup')).toBe('warning');
    expect(levels.get('await-in-loop')).toBe('warning');
    expect(configFile).toBe(join(root, 'package.json'));
  });

  it('ignores a package.json without a "quarry" key', () => {
    const { levels, configFile } = ruleLevels(rootWith({ 'package.json': { name: 'app', dependencies: {} } }), []);
    expect(Object.fromEntries(levels)).toEqual(defaults());
    expect(configFile).toBeNull();
  });

  it('takes .quarry.json over package.json when both have rules', () => {
    const root = rootWith({
      '.quarry.json': { rules: { 'await-in-loop': 'note' } },
      'package.json': { quarry: { rules: { 'await-in-loop': 'error', 'write-in-loop': 'off' } } },
    });
    const { levels, configFile } = ruleLevels(root, []);
    expect(levels.get('await-in-loop')).toBe('note');
    expect(levels.get('write-in-loop')).toBe('warning');
    expect(configFile).toBe(join(root, '.quarry.json'));
  });

  it('reads the config of the root it is given, not of a directory below', () => {
    const root = rootWith();
    mkdirSync(join(root, 'pkg'));
    writeFileSync(join(root, 'pkg', '.quarry.json'), JSON.stringify({ rules: { 'await-in-loop': 'off' } }));
    expect(ruleLevels(root, []).levels.get('await-in-loop')).toBe('warning');
    expect(ruleLevels(join(root, 'pkg'), []).levels.get('await-in-loop')).toBe('off');
  });

  it('takes the nearest config upwards when the root has none: a subdirectory scans with the project rules', () => {
    const root = rootWith({ '.quarry.json': { rules: { 'await-in-loop': 'off' } } });
    mkdirSync(join(root, 'lib', 'cache'), { recursive: true });
    const below = ruleLevels(join(root, 'lib', 'cache'), []);
    expect(below.levels.get('await-in-loop')).toBe('off');
    expect(below.configFile).toBe(join(root, '.quarry.json'));
    // A package.json on the way without a "quarry" key is passed by; one with rules, or a .quarry.json, is nearer.
    mkdirSync(join(root, 'pkg', 'src'), { recursive: true });
    writeFileSync(join(root, 'pkg', 'package.json'), JSON.stringify({ name: 'pkg' }));
    expect(ruleLevels(join(root, 'pkg', 'src'), []).configFile).toBe(join(root, '.quarry.json'));
    writeFileSync(join(root, 'pkg', 'package.json'), JSON.stringify({ name: 'pkg', quarry: { rules: { 'await-in-loop': 'note' } } }));
    const nearer = ruleLevels(join(root, 'pkg', 'src'), []);
    expect(nearer.levels.get('await-in-loop')).toBe('note');
    expect(nearer.configFile).toBe(join(root, 'pkg', 'package.json'));
    // A broken config above is the config that applies: reported, not skipped.
    writeFileSync(join(root, '.quarry.json'), '{ "rules": ');
    expect(errorOf(() => ruleLevels(join(root, 'lib', 'cache'), [])).message).toContain(join(root, '.quarry.json'));
  });

  it('lets --rule flags override the config file, the last flag for a rule winning', () => {
    const root = rootWith({ '.quarry.json': { rules: { 'await-in-loop': 'error', 'json-deep-clone': 'off' } } });
    const { levels } = ruleLevels(root, [
      'await-in-loop=off',
      'quadratic-lookup=error',
      'quadratic-lookup=warning',
      ' write-in-loop = note ',
    ]);
    expect(levels.get('await-in-loop')).toBe('off');
    expect(levels.get('json-deep-clone')).toBe('off');
    expect(levels.get('quadratic-lookup')).toBe('warning');
    expect(levels.get('write-in-loop')).toBe('note');
  });

  it('rejects an unknown rule id in a flag as a usage error naming it', () => {
    const err = errorOf(() => ruleLevels(rootWith(), ['nope=off']));
    expect(err.code).toBe('usage');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('"nope"');
    expect(err.message).toContain('--rule');
    expect(err.hint).toContain('await-in-loop');
  });

  it('rejects an unknown rule id in the config file as a usage error naming it and the file', () => {
    const root = rootWith({ '.quarry.json': { rules: { 'await-in-loops': 'off' } } });
    const err = errorOf(() => ruleLevels(root, []));
    expect(err.code).toBe('usage');
    expect(err.message).toContain('"await-in-loops"');
    expect(err.message).toContain(join(root, '.quarry.json'));
    const pkg = rootWith({ 'package.json': { quarry: { rules: { 'no-such-rule': 'error' } } } });
    expect(errorOf(() => ruleLevels(pkg, [])).message).toContain('"no-such-rule"');
  });

  it('rejects a level that is not off, note, warning or error', () => {
    const flag = errorOf(() => ruleLevels(rootWith(), ['await-in-loop=loud']));
    expect(flag.code).toBe('usage');
    expect(flag.message).toMatch(/await-in-loop.*"loud"/);
    for (const level of ['warn', 'ERROR', 2, true, null]) {
      const err = errorOf(() => ruleLevels(rootWith({ '.quarry.json': { rules: { 'json-deep-clone': level } } }), []));
      expect(err.code).toBe('usage');
      expect(err.message).toContain(JSON.stringify(level));
    }
  });

  it('rejects a --rule flag that is not id=level', () => {
    for (const flag of ['await-in-loop', '=off', '']) {
      const err = errorOf(() => ruleLevels(rootWith(), [flag]));
      expect(err.code).toBe('usage');
      expect(err.message).toMatch(/id=level/);
    }
  });

  it('rejects malformed JSON as bad input naming the file', () => {
    for (const name of ['.quarry.json', 'package.json']) {
      const root = rootWith({ [name]: '{ "rules": { "await-in-loop": "off", } ' });
      const err = errorOf(() => ruleLevels(root, []));
      expect(err.code).toBe('bad-input');
      expect(err.exitCode).toBe(2);
      expect(err.message).toContain(join(root, name));
      expect(err.message).toMatch(/not valid JSON/);
    }
  });

  it('rejects rules that are not an object of rule ids as bad input', () => {
    for (const config of [{ rules: ['await-in-loop'] }, { rules: 'off' }, []]) {
      const err = errorOf(() => ruleLevels(rootWith({ '.quarry.json': config }), []));
      expect(err.code).toBe('bad-input');
      expect(err.message).toMatch(/"rules"/);
    }
    const pkg = errorOf(() => ruleLevels(rootWith({ 'package.json': { quarry: 'strict' } }), []));
    expect(pkg.code).toBe('bad-input');
    expect(pkg.message).toContain('"quarry"');
  });
});
