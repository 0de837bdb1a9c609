import type { Knex } from 'knex';

/**
 * After rows were written with their own ids (a copy, a restore), each `id`
 * serial continues after the highest one, so the next insert does not collide.
 */
export async function advanceSequences(trx: Knex, tables: readonly { name: string; key: readonly string[] }[]): Promise<void> {
  for (const table of tables) {
    if (table.key.length !== 1 || table.key[0] !== 'id') continue;
    await trx.raw("SELECT setval(pg_get_serial_sequence(?, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM ??", [table.name, table.name]);
  }
}
