// hyperfine's --export-csv: one row per command, seconds, then a parameter_<name> column per scanned parameter.
import type { Exporter } from './exporter.js';

function cell(v: string | number | null): string {
  const s = v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvExporter: Exporter = {
  serialize(results) {
    const params = [...new Set(results.flatMap((r) => Object.keys(r.parameters ?? {})))];
    const head = ['command', 'mean', 'stddev', 'median', 'user', 'system', 'min', 'max', ...params.map((p) => `parameter_${p}`)];
    const rows = results.map((r) =>
      [r.command, r.mean, r.stddev, r.median, r.user, r.system, r.min, r.max, ...params.map((p) => r.parameters?.[p] ?? null)]
        .map(cell)
        .join(','),
    );
    return `${[head.join(','), ...rows].join('\n')}\n`;
  },
};
