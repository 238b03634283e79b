// hyperfine's --export-markdown: a table of mean ± stddev, min, max and relative speed, in one unit for all rows.
import { relativeToFastest } from '../result.js';
import type { Exporter } from './exporter.js';

export const markdownExporter: Exporter = {
  serialize(results) {
    // hyperfine picks milliseconds unless the fastest mean is a second or more.
    const fastest = Math.min(...results.map((r) => r.mean));
    const [unit, scale] = fastest >= 1 ? ['s', 1] : ['ms', 1000];
    const f = (x: number) => (x * scale).toFixed(1);
    const rel = relativeToFastest(results);
    const rows = results.map((r, i) => {
      const mean = r.stddev === null ? f(r.mean) : `${f(r.mean)} ± ${f(r.stddev)}`;
      const { ratio, stddev } = rel[i]!;
      const relative = ratio === 1 && stddev === 0 ? '1.00' : `${ratio.toFixed(2)} ± ${stddev.toFixed(2)}`;
      return `| \`${r.command.replace(/\|/g, '\\|')}\` | ${mean} | ${f(r.min)} | ${f(r.max)} | ${relative} |`;
    });
    return [`| Command | Mean [${unit}] | Min [${unit}] | Max [${unit}] | Relative |`, '|:---|---:|---:|---:|---:|', ...rows, ''].join(
      '\n',
    );
  },
};
