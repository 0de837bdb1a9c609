import type { Knex } from 'knex';
import { siteReference } from './lib/columns';

/**
 * The archive catalogue gets a site: on a fleet database each hub lists and
 * prunes only the backups it wrote (before, one hub's --keep removed another's).
 * Rows from before belong to the first site, the only one a single hub has.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('archives', (table) => {
    siteReference(table, true);
    table.index(['site_id', 'created_at']);
  });
  await knex('archives').whereNull('site_id').update({ site_id: knex('sites').min('id') });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('archives', (table) => {
    table.dropIndex(['site_id', 'created_at']);
    table.dropForeign(['site_id']);
    table.dropColumn('site_id');
  });
}
