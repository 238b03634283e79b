// The exporters by --export-<format> name; adding a format means adding one file and one line here.
import { bmfExporter } from './bmf.js';
import { csvExporter } from './csv.js';
import type { Exporter } from './exporter.js';
import { jsonExporter } from './json.js';
import { markdownExporter } from './markdown.js';

export const EXPORTERS: Record<'json' | 'markdown' | 'csv' | 'bmf', Exporter> = {
  json: jsonExporter,
  markdown: markdownExporter,
  csv: csvExporter,
  bmf: bmfExporter,
};
