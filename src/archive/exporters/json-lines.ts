/** UPS samples or events as JSON lines (one object a line), streamed page by page. */
import type { Exporter } from '../exporter';
import { historyConfigSchema, historyPages, type HistoryConfig, type HistoryRecord } from './history';
import { writeText } from './write';

/** An event's data is JSON in the store: nest it as an object rather than a string of JSON. */
function jsonRecord(record: HistoryRecord): Record<string, unknown> {
  if (typeof record.data !== 'string') return record;
  try {
    return { ...record, data: JSON.parse(record.data) as unknown };
  } catch {
    return record;
  }
}

export const jsonExporter: Exporter<HistoryConfig> = {
  name: 'json',
  description: 'UPS samples or events as JSON lines (config: what, since, until)',
  formats: ['json'],
  configSchema: historyConfigSchema,
  async export(context, config, _format, out) {
    let count = 0;
    for await (const page of historyPages(context, config)) {
      await writeText(out, page.map((record) => `${JSON.stringify(jsonRecord(record))}\n`).join(''));
      count += page.length;
    }
    return { count };
  },
};
