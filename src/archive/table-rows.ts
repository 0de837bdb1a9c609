/**
 * Rows in and out of a table, a page at a time, as arrays in a fixed column
 * order (the archive's JSON lines are arrays: smaller than objects, and on
 * SQLite read and written through prepared statements on the pool's own
 * connection, or the transaction's). Binary values travel as `{"$b64": …}`.
 */
import type { Knex } from 'knex';
import { isPostgres, withRawConnection } from '../store/raw-connection';
import type { ArchivedTable } from './tables';

export interface Page {
  columns: readonly string[];
  rows: unknown[][];
}

export const PAGE_ROWS = 5000;

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export async function tableColumns(knex: Knex, table: string): Promise<string[]> {
  return Object.keys(await knex(table).columnInfo());
}

/** Keyset pages on a one-column key (one index seek each, however deep); offset pages on a composite one. */
export async function* tablePages(knex: Knex, table: ArchivedTable, columns: readonly string[], since?: number, pageSize = PAGE_ROWS): AsyncGenerator<Page> {
  const single = table.key.length === 1;
  const keyIndex = columns.indexOf(table.key[0]!);
  let after: unknown;
  let offset = 0;
  for (;;) {
    const rows = isPostgres(knex)
      ? await knexPage(knex, table, columns, since, after, offset, pageSize)
      : await withRawConnection(knex, (db) => {
        const where = [since === undefined ? '' : `${quote(table.changedColumn)} >= @since`, single && after !== undefined ? `${quote(table.key[0]!)} > @after` : ''].filter(Boolean);
        const sql = `SELECT ${columns.map(quote).join(', ')} FROM ${quote(table.name)}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ` +
          `ORDER BY ${table.key.map(quote).join(', ')} LIMIT @limit${single ? '' : ' OFFSET @offset'}`;
        return db.prepare(sql).raw().all({ since, after, limit: pageSize, offset }) as unknown[][];
      });
    if (rows.length === 0) return;
    yield { columns, rows };
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]![keyIndex];
    offset += rows.length;
  }
}

async function knexPage(knex: Knex, table: ArchivedTable, columns: readonly string[], since: number | undefined, after: unknown, offset: number, limit: number): Promise<unknown[][]> {
  let query = knex(table.name).select([...columns]).orderBy(table.key.map((column) => ({ column }))).limit(limit);
  if (since !== undefined) query = query.where(table.changedColumn, '>=', since);
  if (table.key.length === 1 && after !== undefined) query = query.where(table.key[0]!, '>', after as Knex.Value);
  if (table.key.length > 1) query = query.offset(offset);
  const rows = (await query) as Array<Record<string, unknown>>;
  return rows.map((row) => columns.map((column) => row[column]));
}

export type InsertMode = 'insert' | 'ignore' | 'merge';

/** knex builds multi-row SQLite inserts as compound SELECTs: at most 500 terms each (PostgreSQL path). */
const KNEX_INSERT_ROWS = 500;

export async function insertPage(knex: Knex, table: ArchivedTable, page: Page, mode: InsertMode): Promise<void> {
  if (page.rows.length === 0) return;
  if (isPostgres(knex)) {
    for (let index = 0; index < page.rows.length; index += KNEX_INSERT_ROWS) {
      const objects = page.rows.slice(index, index + KNEX_INSERT_ROWS).map((row) => Object.fromEntries(page.columns.map((column, at) => [column, row[at]])));
      const query = knex(table.name).insert(objects);
      if (mode === 'insert') await query;
      else if (mode === 'ignore') await query.onConflict([...table.key]).ignore();
      else await query.onConflict([...table.key]).merge();
    }
    return;
  }
  const conflict = mode === 'insert' ? ''
    : mode === 'ignore' ? ` ON CONFLICT (${table.key.map(quote).join(', ')}) DO NOTHING`
      : ` ON CONFLICT (${table.key.map(quote).join(', ')}) DO UPDATE SET ${page.columns.filter((column) => !table.key.includes(column)).map((column) => `${quote(column)} = excluded.${quote(column)}`).join(', ')}`;
  const sql = `INSERT INTO ${quote(table.name)} (${page.columns.map(quote).join(', ')}) VALUES (${page.columns.map(() => '?').join(', ')})${conflict}`;
  await withRawConnection(knex, (db) => {
    const statement = db.prepare(sql);
    for (const row of page.rows) statement.run(row.map((value) => (typeof value === 'boolean' ? Number(value) : value)));
  });
}

export function encodeLine(row: readonly unknown[]): string {
  let copy: unknown[] | undefined;
  row.forEach((value, index) => {
    if (!Buffer.isBuffer(value)) return;
    copy ??= [...row];
    copy[index] = { $b64: value.toString('base64') };
  });
  return JSON.stringify(copy ?? row);
}

export function decodeLine(line: string): unknown[] {
  const row = JSON.parse(line) as unknown[];
  if (!Array.isArray(row)) throw new Error('a row is not a JSON array');
  row.forEach((value, index) => {
    if (value !== null && typeof value === 'object' && typeof (value as { $b64?: unknown }).$b64 === 'string') {
      row[index] = Buffer.from((value as { $b64: string }).$b64, 'base64');
    }
  });
  return row;
}
