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

/** Every command with every combination of parameter values (the first parameter varying slowest). */
export function expandCommands(commands: readonly string[], parameters: readonly Parameter[]): BenchCommand[] {
  if (parameters.length === 0) return commands.map((command) => ({ command }));
  let combos: Record<string, string>[] = [{}];
  for (const p of parameters) combos = combos.flatMap((c) => p.values.map((v) => ({ ...c, [p.name]: v })));
  const out: BenchCommand[] = [];
  for (const command of commands) {
    const used = parameters.filter((p) => command.includes(`{${p.name}}`));
    if (used.length === 0)
      throw new QuarryError(
        'usage',
        `the command "${command}" uses none of the parameters {${parameters.map((p) => p.name).join('}, {')}}`,
      );
    for (const combo of combos) {
      let text = command;
      for (const [k, v] of Object.entries(combo)) text = text.split(`{${k}}`).join(v);
      out.push({ command: text, parameters: combo });
    }
  }
  return out;
}
