// Which rules a scan runs and at what level: defaults from each rule, then the project's config file (`.quarry.json`,
// else the `quarry` key of package.json, in the scan's root or the nearest directory above it that has one, as
// prettier and ESLint find theirs), then `--rule id=level` flags, last one winning.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QuarryError, errnoCode, messageOf } from '../util/errors.js';
import { findUp } from '../util/findUp.js';
import { PARSE_ERROR_RULE } from './scanResult.js';
import type { Severity } from './rule.js';
import { RULES } from './runRules.js';

export type Level = Severity | 'off';
export const LEVELS: readonly Level[] = ['off', 'note', 'warning', 'error'];

/** The level of every rule id (the rules of src/scan/rules/ and `parse-error`), and where settings came from. */
export interface RuleLevels {
  levels: Map<string, Level>;
  /** The config file that was read, if any. */
  configFile: string | null;
}

/** Severity of a parse error unless configured: a file nobody can parse is worth failing a build for. */
const PARSE_ERROR_LEVEL: Severity = 'error';

/** Every rule id a setting may name. */
export function knownRuleIds(): string[] {
  return [...RULES.map((r) => r.meta.id), PARSE_ERROR_RULE];
}

export function ruleLevels(root: string, flags: readonly string[]): RuleLevels {
  const levels = new Map<string, Level>(RULES.map((r) => [r.meta.id, r.meta.severity]));
  levels.set(PARSE_ERROR_RULE, PARSE_ERROR_LEVEL);
  const config = readConfig(root);
  if (config)
    for (const [id, level] of Object.entries(config.rules))
      levels.set(checkId(id, config.file), checkLevel(level, `${config.file}: rule ${id}`));
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new QuarryError('usage', `--rule takes id=level, got "${flag}"`, { hint: `levels: ${LEVELS.join(', ')}` });
    const id = flag.slice(0, eq).trim();
    levels.set(checkId(id, '--rule'), checkLevel(flag.slice(eq + 1).trim(), `--rule ${id}`));
  }
  return { levels, configFile: config?.file ?? null };
}

function checkId(id: string, where: string): string {
  if (!knownRuleIds().includes(id))
    throw new QuarryError('usage', `unknown rule "${id}" (${where})`, { hint: `rules: ${knownRuleIds().join(', ')}` });
  return id;
}

function checkLevel(level: unknown, where: string): Level {
  if (typeof level === 'string' && (LEVELS as readonly string[]).includes(level)) return level as Level;
  throw new QuarryError('usage', `${where}: level must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
}

/**
 * The config that applies to a scan of `root`: the first directory from `root` upwards whose `.quarry.json` or
 * package.json has rules. `quarry scan lib/cache` from a project's top uses the project's config, as
 * `quarry scan` there does.
 */
function readConfig(root: string): { file: string; rules: Record<string, unknown> } | null {
  return findUp(root, configIn);
}

/** The `rules` object of `.quarry.json` or of package.json's `quarry` key in `dir`; null when neither has one. */
function configIn(dir: string): { file: string; rules: Record<string, unknown> } | null {
  for (const [name, pick] of [
    ['.quarry.json', (v: Record<string, unknown>) => v],
    ['package.json', (v: Record<string, unknown>) => v.quarry],
  ] as const) {
    const file = join(dir, name);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') continue;
      throw new QuarryError('bad-input', `cannot read ${file}: ${messageOf(err)}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new QuarryError('bad-input', `${file} is not valid JSON: ${messageOf(err)}`);
    }
    // A .quarry.json that is not an object is a broken config; a package.json that is not one is npm's business.
    const section = isObject(parsed) ? pick(parsed) : name === '.quarry.json' ? parsed : undefined;
    if (section === undefined) continue;
    if (!isObject(section) || (section.rules !== undefined && !isObject(section.rules)))
      throw new QuarryError(
        'bad-input',
        `${file}: expected ${name === 'package.json' ? '"quarry": ' : ''}{ "rules": { "<rule id>": "off|note|warning|error" } }`,
      );
    if (section.rules === undefined) continue;
    return { file, rules: section.rules as Record<string, unknown> };
  }
  return null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
