import type { Knex } from 'knex';

/** Times are epoch milliseconds in bigint columns: one representation on SQLite and PostgreSQL. */
export function timestamps(table: Knex.CreateTableBuilder): void {
  table.bigInteger('created_at').notNullable();
  table.bigInteger('updated_at').notNullable();
}

/** Site scope for fleets: several hubs on one PostgreSQL database each keep to their own rows. */
export function siteReference(table: Knex.CreateTableBuilder, nullable = false): void {
  const column = table.integer('site_id').unsigned().references('id').inTable('sites').onDelete('CASCADE');
  if (!nullable) column.notNullable();
}
