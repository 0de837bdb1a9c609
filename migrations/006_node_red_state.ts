import type { Knex } from 'knex';
import { siteReference, timestamps } from './lib/columns';

export async function up(knex: Knex): Promise<void> {
  // Node-RED's own state beside the flows: user settings, editor sessions (sealed), library entries.
  await knex.schema.createTable('node_red_state', (table) => {
    table.increments('id');
    siteReference(table);
    table.string('key', 512).notNullable();
    table.text('value').notNullable();
    timestamps(table);
    table.unique(['site_id', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('node_red_state');
}
