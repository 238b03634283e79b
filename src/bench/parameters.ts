// Parameter scans: -P NAME MIN MAX [--step D] and -L NAME a,b,c, expanded into one command per combination
// with {NAME} substituted, as hyperfine does.
import { QuarryError } from '../util/errors.js';
import type { BenchCommand } from './runner.js';

export interface Parameter {
  name: string;
  values: string[];
}

/** The values of -P NAME MIN MAX with --step (default 1), formatted with the step's decimals. */
export function rangeParameter(name: string, minText: string, maxText: string, stepText = '1'): Parameter {
  const [lo, hi, step] = [Number(minText), Number(maxText), Number(stepText)];
  if (![lo, hi, step].every(Number.isFinite) || step <= 0)
    throw new QuarryError('usage', `-P ${name} ${minText} ${maxText}: MIN and MAX must be numbers and --step positive`);
  if (hi < lo) throw new QuarryError('usage', `-P ${name}: MAX (${maxText}) is below MIN (${minText})`);
  const decimals = Math.max(...[minText, stepText].map((s) => (s.includes('.') ? s.length - s.indexOf('.') - 1 : 0)));
  const values: string[] = [];
  const n = Math.floor((hi - lo) / step + 1e-9);
  for (let k = 0; k <= n; k++) values.push((lo + k * step).toFixed(decimals));
  return { name, values };
}

/** The values of -L NAME a,b,c. */
export function listParameter(name: string, list: string): Parameter {
  return { name, values: list.split(',') };
}

/**
 * Every command with every combination of parameter values (the first parameter varying slowest). `names[i]` (from
 * -n, as hyperfine's --command-name) names the i-th command in the output, baselines and exports, its {NAME}s
 * substituted too; commands past the names keep their text as their name.
 */
export function expandCommands(
  commands: readonly string[],
  parameters: readonly Parameter[],
  names: readonly string[] = [],
): BenchCommand[] {
  if (names.length > commands.length)
    throw new QuarryError('usage', `-n given ${names.length} times for ${commands.length} command${commands.length === 1 ? '' : 's'}`, {
      hint: 'one -n per command, in the order of the commands',
    });
  const named = (i: number, c: BenchCommand): BenchCommand => {
    const name = names[i];
    return name === undefined ? c : { ...c, name: substitute(name, c.parameters ?? {}) };
  };
  if (parameters.length === 0) return commands.map((command, i) => named(i, { command }));
  let combos: Record<string, string>[] = [{}];
  for (const p of parameters) combos = combos.flatMap((c) => p.values.map((v) => ({ ...c, [p.name]: v })));
  const out: BenchCommand[] = [];
  for (const [i, command] of commands.entries()) {
    const used = parameters.filter((p) => command.includes(`{${p.name}}`));
    if (used.length === 0)
      throw new QuarryError(
        'usage',
        `the command "${command}" uses none of the parameters {${parameters.map((p) => p.name).join('}, {')}}`,
      );
    for (const combo of combos) out.push(named(i, { command: substitute(command, combo), parameters: combo }));
  }
  return out;
}

/** `text` with each {NAME} of `combo` replaced by its value. */
function substitute(text: string, combo: Record<string, string>): string {
  let out = text;
  for (const [k, v] of Object.entries(combo)) out = out.split(`{${k}}`).join(v);
  return out;
}
