/**
 * `walnut-db copy --to postgres://…`: an encrypted SQLite store into an empty
 * PostgreSQL database, in one transaction, then every table hashed on both
 * sides. Rows (secrets included) travel as they are stored: secrets stay
 * sealed under the same data key, whose row travels wrapped by the master key,
 * so the fleet's hubs open them with the same WALNUT_DB_KEY.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { StoreError } from '../errors';
import { insertPage, tableColumns, tablePages } from '../archive/table-rows';
import { ARCHIVED_TABLES, type ArchivedTable } from '../archive/tables';
import { advanceSequences } from './postgres/sequences';
import type { Store } from './store';

/** Parents before children (foreign keys); the data key first, the archive catalogue last. */
export const COPIED_TABLES: readonly ArchivedTable[] = [
  { name: 'data_keys', key: ['version'], tombstoneKey: 'version', changedColumn: 'updated_at' },
  ...ARCHIVED_TABLES,
  { name: 'archives', key: ['id'], tombstoneKey: 'id', changedColumn: 'updated_at' },
];

export interface CopiedTable {
  table: string;
  rows: number;
  sha256: string;
  verified: boolean;
}

export interface CopyResult {
  from: string;
  to: string;
  tables: CopiedTable[];
  verified: boolean;
}

// One canonical form per value, whatever the driver returns: PostgreSQL booleans are SQLite's 0/1.
function canonical(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (Buffer.isBuffer(value)) return { $b64: value.toString('base64') };
  return value ?? null;
}

/** sha256 over a table's rows in key order, columns in `columns` order: equal on both sides, equal tables. */
export async function tableDigest(knex: Knex, table: ArchivedTable, columns: readonly string[]): Promise<{ rows: number; sha256: string }> {
  const hash = createHash('sha256');
  let rows = 0;
  for await (const page of tablePages(knex, table, columns)) {
    for (const row of page.rows) hash.update(`${JSON.stringify(row.map(canonical))}\n`);
    rows += page.rows.length;
  }
  return { rows, sha256: hash.digest('hex') };
}

async function assertEmpty(target: Store): Promise<void> {
  for (const table of COPIED_TABLES) {
    if (table.name === 'data_keys') continue; // opening the target made its own, unused: replaced below
    const row = (await target.knex(table.name).count({ n: '*' }).first()) as { n: number } | undefined;
    if (Number(row?.n ?? 0) > 0) {
      throw new StoreError('STORE_COPY_TARGET_NOT_EMPTY', `${target.dbPath} already holds rows in "${table.name}": copy goes into an empty database only (nothing was written)`);
    }
  }
}

export async function copyStore(source: Store, target: Store, onTable: (table: string, rows: number) => void = () => undefined): Promise<CopyResult> {
  if (source.isPostgres || !target.isPostgres) throw new StoreError('STORE_COPY_DIRECTION', 'copy goes from the SQLite store into PostgreSQL');
  await assertEmpty(target);
  const columns = new Map<string, string[]>();
  for (const table of COPIED_TABLES) columns.set(table.name, await tableColumns(source.knex, table.name));
  await target.knex.transaction(async (trx) => {
    await trx('data_keys').delete();
    for (const table of COPIED_TABLES) {
      let rows = 0;
      for await (const page of tablePages(source.knex, table, columns.get(table.name) ?? [])) {
        await insertPage(trx, table, page, 'insert');
        rows += page.rows.length;
      }
      onTable(table.name, rows);
    }
    await advanceSequences(trx, COPIED_TABLES);
  });
  const tables: CopiedTable[] = [];
  for (const table of COPIED_TABLES) {
    const tableColumnsInOrder = columns.get(table.name) ?? [];
    const [from, to] = await Promise.all([tableDigest(source.knex, table, tableColumnsInOrder), tableDigest(target.knex, table, tableColumnsInOrder)]);
    tables.push({ table: table.name, rows: to.rows, sha256: to.sha256, verified: from.sha256 === to.sha256 && from.rows === to.rows });
  }
  return { from: source.dbPath, to: target.dbPath, tables, verified: tables.every((table) => table.verified) };
}
