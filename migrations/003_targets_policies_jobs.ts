import type { Knex } from 'knex';
import { siteReference, timestamps } from './lib/columns';

export async function up(knex: Knex): Promise<void> {
  // Both derived from the Targets YAML on every load: devices reached through an API...
  await knex.schema.createTable('integrations', (table) => {
    table.increments('id');
    siteReference(table);
    table.string('name', 128).notNullable();
    table.string('type', 32).notNullable();
    table.text('config').notNullable();
    table.string('secret_ref', 128);
    timestamps(table);
    table.unique(['site_id', 'name']);
  });

  // ...and machines that are shut down and woken.
  await knex.schema.createTable('hosts', (table) => {
    table.increments('id');
    siteReference(table);
    table.string('name', 128).notNullable();
    table.string('type', 32).notNullable();
    table.string('address', 255);
    table.integer('port');
    table.double('watts');
    table.text('config');
    timestamps(table);
    table.unique(['site_id', 'name']);
  });

  await knex.schema.createTable('policies', (table) => {
    table.increments('id');
    siteReference(table);
    table.string('name', 128).notNullable();
    table.string('source_file', 1024);
    table.string('spec_sha256', 64);
    table.text('spec');
    table.boolean('armed_override');
    table.boolean('dry_run_override');
    table.text('run_state');
    timestamps(table);
    table.unique(['site_id', 'name']);
  });

  await knex.schema.createTable('jobs', (table) => {
    table.bigIncrements('id');
    siteReference(table);
    table.integer('policy_id').unsigned().references('id').inTable('policies').onDelete('SET NULL');
    table.string('run_id', 64);
    table.string('stage', 128);
    table.string('target', 128).notNullable();
    table.string('op', 32).notNullable();
    table.string('state', 16).notNullable().defaultTo('queued');
    table.boolean('dry_run').notNullable().defaultTo(false);
    table.integer('attempts').notNullable().defaultTo(0);
    table.text('result');
    table.text('error');
    table.bigInteger('queued_at').notNullable();
    table.bigInteger('sent_at');
    table.bigInteger('acknowledged_at');
    table.bigInteger('finished_at');
    timestamps(table);
    table.index(['state'], 'jobs_state');
    table.index(['run_id'], 'jobs_run');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['jobs', 'policies', 'hosts', 'integrations']) await knex.schema.dropTable(table);
}
