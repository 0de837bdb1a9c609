import type { Knex } from 'knex';
import { siteReference, timestamps } from './lib/columns';

const METRICS = ['battery_charge', 'battery_runtime', 'battery_voltage', 'input_voltage', 'output_voltage', 'ups_load'] as const;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sites', (table) => {
    table.increments('id');
    table.string('name', 64).notNullable().unique();
    table.string('description', 255);
    timestamps(table);
  });

  await knex.schema.createTable('ups', (table) => {
    table.increments('id');
    siteReference(table);
    table.string('name', 64).notNullable();
    table.string('server', 255).notNullable();
    table.string('description', 255);
    table.string('manufacturer', 128);
    table.string('model', 128);
    table.string('serial', 128);
    timestamps(table);
    table.unique(['site_id', 'server', 'name']);
  });

  // Append-only and hot: numbers only, no updated_at; everything else stays in events.
  await knex.schema.createTable('ups_samples', (table) => {
    table.bigIncrements('id');
    table.integer('ups_id').unsigned().notNullable().references('id').inTable('ups').onDelete('CASCADE');
    table.bigInteger('ts').notNullable();
    table.string('status', 64);
    for (const metric of METRICS) table.double(metric);
    table.double('ups_realpower');
    table.index(['ups_id', 'ts'], 'ups_samples_ups_ts');
    table.index(['ts'], 'ups_samples_ts');
  });

  await knex.schema.createTable('ups_rollups', (table) => {
    table.increments('id');
    table.integer('ups_id').unsigned().notNullable().references('id').inTable('ups').onDelete('CASCADE');
    table.bigInteger('hour').notNullable();
    table.integer('samples').notNullable();
    for (const metric of METRICS) {
      table.double(`${metric}_min`);
      table.double(`${metric}_avg`);
      table.double(`${metric}_max`);
    }
    timestamps(table);
    table.unique(['ups_id', 'hour']);
    table.index(['hour'], 'ups_rollups_hour');
  });

  await knex.schema.createTable('events', (table) => {
    table.bigIncrements('id');
    siteReference(table, true);
    table.bigInteger('ts').notNullable();
    table.string('severity', 16).notNullable();
    table.string('type', 64).notNullable();
    table.string('source', 128).notNullable();
    table.integer('ups_id').unsigned().references('id').inTable('ups').onDelete('SET NULL');
    table.text('message').notNullable();
    table.text('data');
    timestamps(table);
    table.index(['ts'], 'events_ts');
    table.index(['ups_id', 'ts'], 'events_ups_ts');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['events', 'ups_rollups', 'ups_samples', 'ups', 'sites']) await knex.schema.dropTable(table);
}
