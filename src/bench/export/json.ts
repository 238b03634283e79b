// hyperfine's --export-json: {"results": [...]} with hyperfine's field names, in seconds, so its scripts read it.
import type { Exporter } from './exporter.js';

export const jsonExporter: Exporter = {
  serialize: (results) => `${JSON.stringify({ results }, null, 2)}\n`,
};
