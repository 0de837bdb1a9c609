/**
 * The store's history (UPS samples or events) as pages of plain records, read
 * 5,000 rows at a time by id (`id > last`), so an export of a million rows
 * holds one page in memory and never a cursor across the whole table.
 */
import type { JSONSchemaType } from 'ajv';
import type { Knex } from 'knex';
import type { ExportContext } from '../exporter';

export interface HistoryConfig {
  what: 'samples' | 'events';
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, exclusive: consecutive exports neither miss nor repeat a row. */
  until?: number;
}

export const historyConfigSchema: JSONSchemaType<HistoryConfig> = {
  type: 'object',
  properties: {
    what: { type: 'string', enum: ['samples', 'events'] },
    since: { type: 'integer', nullable: true, minimum: 0 },
    until: { type: 'integer', nullable: true, minimum: 0 },
  },
  required: ['what'],
  additionalProperties: false,
};

export type HistoryValue = string | number | null;
export type HistoryRecord = Record<string, HistoryValue>;

export const PAGE_SIZE = 5000;

const SAMPLE_NUMBERS = ['battery_charge', 'battery_runtime', 'battery_voltage', 'input_voltage', 'output_voltage', 'ups_load', 'ups_realpower'] as const;

export const HISTORY_COLUMNS: Readonly<Record<HistoryConfig['what'], readonly string[]>> = {
  samples: ['ups', 'server', 'ts', 'status', ...SAMPLE_NUMBERS],
  events: ['ts', 'severity', 'type', 'source', 'message', 'data'],
};

type RawRow = Record<string, string | number | null>;

/** PostgreSQL returns bigint and double columns as strings; SQLite as numbers. */
const numberOrNull = (value: string | number | null | undefined): number | null => (value == null ? null : Number(value));

function samplesQuery(context: ExportContext, config: HistoryConfig, after: number): Knex.QueryBuilder {
  const query = context.knex('ups_samples as s').join('ups as u', 'u.id', 's.ups_id')
    .where('u.site_id', context.siteId).andWhere('s.id', '>', after);
  if (config.since !== undefined) query.andWhere('s.ts', '>=', config.since);
  if (config.until !== undefined) query.andWhere('s.ts', '<', config.until);
  return query.orderBy('s.id').limit(PAGE_SIZE)
    .select('s.id', 'u.name as ups', 'u.server', 's.ts', 's.status', ...SAMPLE_NUMBERS.map((column) => `s.${column}`));
}

function eventsQuery(context: ExportContext, config: HistoryConfig, after: number): Knex.QueryBuilder {
  const query = context.knex('events').where('site_id', context.siteId).andWhere('id', '>', after);
  if (config.since !== undefined) query.andWhere('ts', '>=', config.since);
  if (config.until !== undefined) query.andWhere('ts', '<', config.until);
  return query.orderBy('id').limit(PAGE_SIZE).select('id', 'ts', 'severity', 'type', 'source', 'message', 'data');
}

function toRecord(what: HistoryConfig['what'], row: RawRow): HistoryRecord {
  const ts = new Date(Number(row.ts)).toISOString();
  if (what === 'events') {
    return { ts, severity: row.severity ?? null, type: row.type ?? null, source: row.source ?? null, message: row.message ?? null, data: row.data ?? null };
  }
  const record: HistoryRecord = { ups: row.ups ?? null, server: row.server ?? null, ts, status: row.status ?? null };
  for (const column of SAMPLE_NUMBERS) record[column] = numberOrNull(row[column]);
  return record;
}

/** The records page by page, in id order (the order they were written). */
export async function* historyPages(context: ExportContext, config: HistoryConfig): AsyncGenerator<HistoryRecord[]> {
  let after = 0;
  for (;;) {
    const query = config.what === 'samples' ? samplesQuery(context, config, after) : eventsQuery(context, config, after);
    const rows = await query as RawRow[];
    if (rows.length === 0) return;
    after = Number(rows[rows.length - 1]!.id);
    yield rows.map((row) => toRecord(config.what, row));
    if (rows.length < PAGE_SIZE) return;
  }
}
