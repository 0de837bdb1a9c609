import type { Knex } from 'knex';
import { siteReference, timestamps } from './lib/columns';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (table) => {
    table.increments('id');
    table.string('username', 64).notNullable().unique();
    table.string('password_hash', 255).notNullable();
    table.string('role', 32).notNullable().defaultTo('admin');
    timestamps(table);
  });

  // Only the key's hash is kept; the prefix finds the row without scanning hashes.
  await knex.schema.createTable('api_keys', (table) => {
    table.increments('id');
    table.string('name', 128).notNullable();
    table.string('prefix', 16).notNullable().unique();
    table.string('key_hash', 255).notNullable();
    table.integer('user_id').unsigned().references('id').inTable('users').onDelete('SET NULL');
    table.bigInteger('last_used_at');
    table.bigInteger('revoked_at');
    timestamps(table);
  });

  await knex.schema.createTable('audit_logs', (table) => {
    table.bigIncrements('id');
    siteReference(table, true);
    table.bigInteger('ts').notNullable();
    table.string('actor', 128).notNullable();
    table.string('action', 64).notNullable();
    table.string('resource', 255).notNullable();
    table.text('before');
    table.text('after');
    table.string('ip', 64);
    table.string('user_agent', 512);
    timestamps(table);
    table.index(['ts'], 'audit_logs_ts');
  });

  await knex.schema.createTable('flow_revisions', (table) => {
    table.increments('id');
    siteReference(table, true);
    table.integer('version').notNullable();
    table.string('sha256', 64).notNullable();
    table.string('actor', 128).notNullable();
    table.string('message', 1024);
    table.text('flows').notNullable();
    table.text('credentials');
    timestamps(table);
    table.unique(['site_id', 'version']);
  });

  await knex.schema.createTable('archives', (table) => {
    table.increments('id');
    table.string('path', 1024).notNullable();
    table.string('type', 16).notNullable();
    table.integer('base_archive_id').unsigned().references('id').inTable('archives').onDelete('SET NULL');
    table.string('sha256', 64).notNullable();
    table.bigInteger('size_bytes').notNullable();
    table.string('schema_version', 128).notNullable();
    timestamps(table);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['archives', 'flow_revisions', 'audit_logs', 'api_keys', 'users']) await knex.schema.dropTable(table);
}
