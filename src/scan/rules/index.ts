// The registry of scan rules: adding a rule means adding its file and one line here.
import type { Rule } from '../rule.js';
import { awaitInLoop } from './await-in-loop.js';
import { constructorInLoop } from './constructor-in-loop.js';
import { jsonDeepClone } from './json-deep-clone.js';
import { quadraticLookup } from './quadratic-lookup.js';
import { syncChildProcess } from './sync-child-process.js';
import { syncFsInAsync } from './sync-fs-in-async.js';
import { unboundedModuleCache } from './unbounded-module-cache.js';
import { writeInLoop } from './write-in-loop.js';

/** Every rule, in the order reports and SARIF list them. */
export const RULES: readonly Rule[] = [
  syncFsInAsync,
  awaitInLoop,
  unboundedModuleCache,
  jsonDeepClone,
  constructorInLoop,
  quadraticLookup,
  writeInLoop,
  syncChildProcess,
];

const BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((rule) => [rule.meta.id, rule]));

/** The rule with this id, or undefined. */
export function ruleById(id: string): Rule | undefined {
  return BY_ID.get(id);
}
