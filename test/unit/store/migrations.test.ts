import { strict as assert } from 'node:assert';
import { TABLES } from '../../../src/store/info';
import { WalnutMigrationSource } from '../../../src/store/migration-source';
import { migrationConfig } from '../../../src/store/store';
import { schemaStatus } from '../../../src/store/schema-status';
import { describeEachBackend, openTestStore } from '../../helpers/store';

describeEachBackend('migrations', (backend) => {
  it('are named without extension, so .ts and compiled .js runs agree', async () => {
    const names = await new WalnutMigrationSource().getMigrations();
    assert.ok(names.length >= 4);
    for (const name of names) assert.doesNotMatch(name, /\.(ts|js)$/);
  });

  it('go all the way up and all the way down, one step at a time, on a fresh database', async () => {
    const { store } = await openTestStore({ backend, migrate: false });
    const knex = store.knex;
    const all = await new WalnutMigrationSource().getMigrations();
    assert.deepEqual((await schemaStatus(knex)).pending, all);

    await knex.migrate.latest(migrationConfig());
    for (const table of TABLES) assert.ok(await knex.schema.hasTable(table), `${table} exists`);
    const status = await schemaStatus(knex);
    assert.equal(status.version, all.at(-1));
    assert.deepEqual(status.pending, []);

    for (let step = all.length; step > 0; step -= 1) {
      await knex.migrate.down(migrationConfig());
      assert.equal((await schemaStatus(knex)).applied.length, step - 1);
    }
    for (const table of TABLES) assert.equal(await knex.schema.hasTable(table), false, `${table} dropped`);

    await knex.migrate.latest(migrationConfig());
    assert.deepEqual((await schemaStatus(knex)).pending, [], 'and up again after a full down');
    await store.close();
  });

  it('007 gives archives catalogued before it to the first site', async () => {
    const { store } = await openTestStore({ backend, migrate: false });
    const knex = store.knex;
    const all = await new WalnutMigrationSource().getMigrations();
    while ((await schemaStatus(knex)).version !== '006_node_red_state') await knex.migrate.up(migrationConfig());
    const now = Date.now();
    const [first] = (await knex('sites').insert([{ name: 'first', created_at: now, updated_at: now }], ['id'])) as Array<{ id: number } | number>;
    await knex('sites').insert({ name: 'second', created_at: now, updated_at: now });
    await knex('archives').insert({ path: '/b/old.wnar', type: 'full', sha256: 'a'.repeat(64), size_bytes: 1, schema_version: '006_node_red_state', created_at: now, updated_at: now });
    await knex.migrate.latest(migrationConfig());
    assert.equal((await schemaStatus(knex)).version, all.at(-1));
    const firstId = typeof first === 'number' ? first : first!.id;
    assert.deepEqual(((await knex('archives').select('site_id')) as Array<{ site_id: number }>).map((row) => Number(row.site_id)), [firstId]);
    await store.close();
  });

  it('009 gives host keys trusted before it to the first site, and lets another site trust the same address', async () => {
    const { store } = await openTestStore({ backend, migrate: false });
    const knex = store.knex;
    while ((await schemaStatus(knex)).version !== '008_site_secrets') await knex.migrate.up(migrationConfig());
    const now = Date.now();
    await knex('sites').insert({ name: 'first', created_at: now, updated_at: now });
    const key = { host: '10.0.0.5', port: 22, kind: 'ssh-hostkey', fingerprint: 'SHA256:old', created_at: now, updated_at: now };
    await knex('trusted_keys').insert({ ...key, target: 'nas' });
    await knex.migrate.latest(migrationConfig());
    const first = (await knex('sites').where({ name: 'first' }).first('id')) as { id: number };
    assert.deepEqual(((await knex('trusted_keys').select('site_id')) as Array<{ site_id: number }>).map((row) => Number(row.site_id)), [first.id]);
    const [second] = (await knex('sites').insert({ name: 'second', created_at: now, updated_at: now }).returning('id')) as Array<{ id: number }>;
    await knex('trusted_keys').insert({ ...key, target: 'nas', site_id: second!.id, fingerprint: 'SHA256:other' });
    await assert.rejects(knex('trusted_keys').insert({ ...key, target: 'again', site_id: second!.id }), /unique|UNIQUE/);
    await store.close();
  });

  it('gives every mutable table created_at and updated_at', async () => {
    const { store } = await openTestStore({ backend });
    // Samples are append-only (never updated): their `ts` is their time.
    for (const table of TABLES.filter((name) => name !== 'ups_samples')) {
      const columns = await store.knex(table).columnInfo();
      assert.ok('created_at' in columns && 'updated_at' in columns, `${table} has timestamps`);
    }
    await store.close();
  });
});
