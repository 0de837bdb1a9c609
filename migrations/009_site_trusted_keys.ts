import type { Knex } from 'knex';
import { siteReference } from './lib/columns';

/**
 * Trusted host keys belong to a site and to an address, as known_hosts does:
 * two sites of a fleet often use the same private addresses for different
 * machines, so one site's trust must never vouch for (or overwrite) another's.
 * Rows from before belong to the first site, the only one a single hub has.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trusted_keys', (table) => {
    siteReference(table, true);
  });
  await knex('trusted_keys').whereNull('site_id').update({ site_id: knex('sites').min('id') });
  await knex.schema.alterTable('trusted_keys', (table) => {
    table.dropUnique(['host', 'port', 'kind']);
    table.unique(['site_id', 'host', 'port', 'kind']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trusted_keys', (table) => {
    table.dropUnique(['site_id', 'host', 'port', 'kind']);
    table.unique(['host', 'port', 'kind']);
  });
  await knex.schema.alterTable('trusted_keys', (table) => {
    table.dropForeign(['site_id']);
    table.dropColumn('site_id');
  });
}
