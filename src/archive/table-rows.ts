/**
 * Reading a table page by page (keyset on the id, so each page is one index
 * seek however deep into the table), and the row codec of the JSON lines:
 * binary columns travel as `{"$b64": …}`.
 */
import type { Knex } from 'knex';
import type { ArchivedTable } from './tables';

export type Row = Record<string, unknown>;

export const PAGE_ROWS = 5000;

export async function* tablePages(knex: Knex, table: ArchivedTable, since?: number, pageSize = PAGE_ROWS): AsyncGenerator<Row[]> {
  const keyset = table.key.length === 1;
  let after: unknown;
  let offset = 0;
  for (;;) {
    let query = knex(table.name).select('*').orderBy(table.key.map((column) => ({ column }))).limit(pageSize);
    if (since !== undefined) query = query.where(table.changedColumn, '>=', since);
    if (keyset && after !== undefined) query = query.where(table.key[0]!, '>', after as Knex.Value);
    if (!keyset) query = query.offset(offset);
    const rows = (await query) as Row[];
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]![table.key[0]!];
    offset += rows.length;
  }
}

export function encodeRow(row: Row): string {
  let copy: Row | undefined;
  for (const [column, value] of Object.entries(row)) {
    if (!Buffer.isBuffer(value)) continue;
    copy ??= { ...row };
    copy[column] = { $b64: value.toString('base64') };
  }
  return JSON.stringify(copy ?? row);
}

export function decodeRow(line: string): Row {
  const row = JSON.parse(line) as Row;
  for (const [column, value] of Object.entries(row)) {
    if (value !== null && typeof value === 'object' && typeof (value as { $b64?: unknown }).$b64 === 'string') {
      row[column] = Buffer.from((value as { $b64: string }).$b64, 'base64');
    }
  }
  return row;
}
