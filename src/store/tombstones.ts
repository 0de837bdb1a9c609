import type { Knex } from 'knex';

/**
 * Deletes rows and records a tombstone for each in the same transaction, so an
 * incremental backup taken later can carry the deletion.
 */
export async function deleteWithTombstones(
  trx: Knex.Transaction,
  table: string,
  where: Record<string, unknown>,
  keyColumn = 'id',
): Promise<number> {
  const rows = (await trx(table).where(where).select(keyColumn)) as Record<string, unknown>[];
  if (rows.length === 0) return 0;
  const now = Date.now();
  await trx(table).where(where).delete();
  await trx('tombstones').insert(
    rows.map((row) => ({ table_name: table, row_key: String(row[keyColumn]), deleted_at: now, created_at: now, updated_at: now })),
  );
  return rows.length;
}
