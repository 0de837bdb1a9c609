import type { Knex } from 'knex';
import { timestamps } from './lib/columns';

export async function up(knex: Knex): Promise<void> {
  // The data key, wrapped by the master key; one row per key version.
  await knex.schema.createTable('data_keys', (table) => {
    table.integer('version').primary();
    table.string('kdf', 32).notNullable();
    table.text('salt').notNullable();
    table.text('wrapped').notNullable();
    timestamps(table);
  });

  // Field-encrypted values: nonce | AES-256-GCM ciphertext | tag, base64.
  await knex.schema.createTable('secrets', (table) => {
    table.increments('id');
    table.string('name', 128).notNullable().unique();
    table.text('ciphertext').notNullable();
    table.integer('key_version').notNullable();
    timestamps(table);
  });

  // Like known_hosts: SSH host keys and TLS fingerprints trusted by `walnut targets trust`.
  await knex.schema.createTable('trusted_keys', (table) => {
    table.increments('id');
    table.string('target', 128).notNullable();
    table.string('host', 255).notNullable();
    table.integer('port').notNullable();
    table.string('kind', 16).notNullable();
    table.string('algorithm', 64);
    table.string('fingerprint', 128).notNullable();
    timestamps(table);
    table.unique(['host', 'port', 'kind']);
  });

  // What was deleted and when, so an incremental backup can carry deletions.
  await knex.schema.createTable('tombstones', (table) => {
    table.bigIncrements('id');
    table.string('table_name', 64).notNullable();
    table.string('row_key', 255).notNullable();
    table.bigInteger('deleted_at').notNullable();
    timestamps(table);
    table.index(['table_name', 'deleted_at'], 'tombstones_table_deleted');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['tombstones', 'trusted_keys', 'secrets', 'data_keys']) await knex.schema.dropTable(table);
}
