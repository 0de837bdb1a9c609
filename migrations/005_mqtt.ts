import type { Knex } from 'knex';
import { siteReference } from './lib/columns';

export async function up(knex: Knex): Promise<void> {
  // The embedded broker's retained messages, so Home Assistant finds them again after a restart.
  await knex.schema.createTable('mqtt_retained', (table) => {
    siteReference(table);
    table.string('topic', 1024).notNullable();
    table.binary('payload').notNullable();
    table.integer('qos').notNullable();
    table.bigInteger('updated_at').notNullable();
    table.primary(['site_id', 'topic']);
  });

  // Every discovery config the hub has published and for what, so one no longer wanted is removed even after a restart.
  await knex.schema.createTable('mqtt_entities', (table) => {
    siteReference(table);
    table.string('config_topic', 1024).notNullable();
    table.string('owner', 255).notNullable();
    table.bigInteger('updated_at').notNullable();
    table.primary(['site_id', 'config_topic']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('mqtt_entities');
  await knex.schema.dropTable('mqtt_retained');
}
