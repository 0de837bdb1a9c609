/** UPS samples or events as CSV (RFC 4180: CRLF lines, fields quoted when they need it), streamed page by page. */
import type { Exporter } from '../exporter';
import { HISTORY_COLUMNS, historyConfigSchema, historyPages, type HistoryConfig, type HistoryValue } from './history';
import { writeText } from './write';

export function csvField(value: HistoryValue): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvExporter: Exporter<HistoryConfig> = {
  name: 'csv',
  description: 'UPS samples or events as CSV (config: what, since, until)',
  formats: ['csv'],
  configSchema: historyConfigSchema,
  async export(context, config, _format, out) {
    const columns = HISTORY_COLUMNS[config.what];
    await writeText(out, `${columns.join(',')}\r\n`);
    let count = 0;
    for await (const page of historyPages(context, config)) {
      await writeText(out, page.map((record) => `${columns.map((column) => csvField(record[column] ?? null)).join(',')}\r\n`).join(''));
      count += page.length;
    }
    return { count };
  },
};
