import type { Knex } from 'knex';

/**
 * A fleet site's secret is stored as `@<site>/<name>` (up to 1 + 64 + 1 + 128
 * characters), so the name column widens. SQLite does not enforce declared
 * lengths: only PostgreSQL's column changes.
 */
const isPostgres = (knex: Knex): boolean => (knex.client as { config: { client: string } }).config.client === 'pg';

export async function up(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  await knex.raw('ALTER TABLE secrets ALTER COLUMN name TYPE varchar(255)');
}

export async function down(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  await knex.raw('ALTER TABLE secrets ALTER COLUMN name TYPE varchar(128)');
}
