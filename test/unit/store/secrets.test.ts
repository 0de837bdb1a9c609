import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { SecretInputError, SecretNotFoundError, SecretTamperedError } from '../../../src/errors';
import { describeEachBackend, openTestStore } from '../../helpers/store';

describeEachBackend('secrets', (backend) => {
  // The tests that read raw rows write fleet-wide, where the stored name is the name.
  it('round-trips a value, encrypted in the row, listed without it', async () => {
    const { store, dbPath } = await openTestStore({ backend });
    const secrets = store.secrets();
    await secrets.set('tapo/plug-1', 'p@ss wörd with spaces', 'fleet');
    assert.equal(await secrets.get('tapo/plug-1'), 'p@ss wörd with spaces');
    const row = (await store.knex('secrets').where({ name: 'tapo/plug-1' }).first()) as { ciphertext: string };
    assert.doesNotMatch(row.ciphertext, /p@ss/);
    assert.equal(Buffer.from(row.ciphertext, 'base64').includes(Buffer.from('p@ss')), false);
    const listing = await secrets.list();
    assert.deepEqual(listing.map((s) => s.name), ['tapo/plug-1']);
    assert.equal(JSON.stringify(listing).includes('p@ss'), false);
    await secrets.set('tapo/plug-1', 'rotated');
    assert.equal(await secrets.get('tapo/plug-1'), 'rotated');
    await store.close();
    if (backend === 'sqlite') assert.equal(fs.readFileSync(dbPath).includes(Buffer.from('rotated')), false);
  });

  it('sets a value only when absent, so the first of several hubs wins', async () => {
    const { store } = await openTestStore({ backend });
    assert.equal(await store.secrets().setIfAbsent('mqtt/users/x', 'first'), true);
    assert.equal(await store.secrets().setIfAbsent('mqtt/users/x', 'second'), false);
    assert.equal(await store.secrets().get('mqtt/users/x'), 'first');
    await store.close();
  });

  it('uses a fresh nonce for every write', async () => {
    const { store } = await openTestStore({ backend });
    await store.secrets().set('a', 'same');
    await store.secrets().set('b', 'same');
    const rows = (await store.knex('secrets').select('ciphertext')) as Array<{ ciphertext: string }>;
    assert.notEqual(rows[0]?.ciphertext, rows[1]?.ciphertext);
    await store.close();
  });

  it('detects a tampered ciphertext instead of returning garbage', async () => {
    const { store } = await openTestStore({ backend });
    await store.secrets().set('ssh/nas', 'private key text', 'fleet');
    const row = (await store.knex('secrets').where({ name: 'ssh/nas' }).first()) as { ciphertext: string };
    const bytes = Buffer.from(row.ciphertext, 'base64');
    bytes[20] = (bytes[20] ?? 0) ^ 0x01;
    await store.knex('secrets').where({ name: 'ssh/nas' }).update({ ciphertext: bytes.toString('base64') });
    await assert.rejects(store.secrets().get('ssh/nas'), SecretTamperedError);
    await store.close();
  });

  it('detects a ciphertext moved to another name', async () => {
    const { store } = await openTestStore({ backend });
    await store.secrets().set('low', 'harmless', 'fleet');
    await store.secrets().set('high', 'root password', 'fleet');
    const high = (await store.knex('secrets').where({ name: 'high' }).first()) as { ciphertext: string };
    await store.knex('secrets').where({ name: 'low' }).update({ ciphertext: high.ciphertext });
    await assert.rejects(store.secrets().get('low'), SecretTamperedError);
    await store.close();
  });

  it('does not decrypt under another store\'s data key', async () => {
    const first = await openTestStore({ backend });
    const second = await openTestStore({ backend });
    await first.store.secrets().set('token', 'value-one', 'fleet');
    const row = (await first.store.knex('secrets').where({ name: 'token' }).first()) as Record<string, unknown>;
    await second.store.knex('secrets').insert({ ...row, id: undefined });
    await assert.rejects(second.store.secrets().get('token'), SecretTamperedError);
    await first.store.close();
    await second.store.close();
  });

  it('removes with a tombstone and reports unknown names', async () => {
    const { store } = await openTestStore({ backend });
    await store.secrets().set('gone', 'soon', 'fleet');
    assert.equal(await store.secrets().remove('gone', 'fleet'), true);
    assert.equal(await store.secrets().remove('gone', 'fleet'), false);
    await assert.rejects(store.secrets().get('gone'), SecretNotFoundError);
    const tombstones = (await store.knex('tombstones').select('table_name', 'row_key')) as unknown[];
    assert.deepEqual(tombstones, [{ table_name: 'secrets', row_key: 'gone' }]);
    await store.close();
  });

  it('rejects bad names and empty values', async () => {
    const { store } = await openTestStore({ backend });
    await assert.rejects(store.secrets().set('../etc', 'x'), SecretInputError);
    await assert.rejects(store.secrets().set('ok', ''), SecretInputError);
    await store.close();
  });

  it('keeps each site\'s secrets apart on one database: a site reads its own first, then the fleet\'s, never another site\'s', async () => {
    const north = await openTestStore({ backend, site: 'north' });
    const south = await openTestStore({ backend, site: 'so_uth', ...(north.databaseUrl === undefined ? { dbPath: north.dbPath } : { databaseUrl: north.databaseUrl }), key: north.key });
    try {
      const [n, s] = [north.store.secrets(), south.store.secrets()];
      await n.set('ssh/nas', 'fleet key', 'fleet');
      await n.set('ssh/nas', 'north key', 'site');
      assert.equal(await n.get('ssh/nas'), 'north key', 'the site\'s own first');
      assert.equal(await s.get('ssh/nas'), 'fleet key', 'another site falls back to the fleet\'s');
      await s.set('ssh/nas', 'south key', 'site');
      assert.equal(await n.get('ssh/nas'), 'north key', 'south\'s set did not replace north\'s');
      assert.equal(await s.get('ssh/nas'), 'south key');
      assert.deepEqual((await n.list()).map((entry) => [entry.name, entry.scope]), [['ssh/nas', 'fleet'], ['ssh/nas', 'site']]);
      await s.set('only/south', 'x', 'site');
      assert.ok(!(await n.list()).some((entry) => entry.name.includes('only/south')), 'another site\'s names are not listed');
      assert.equal(await n.has('only/south'), false);

      assert.equal(await s.remove('ssh/nas', 'site'), true);
      assert.equal(await s.get('ssh/nas'), 'fleet key', 'removing the site\'s uncovers the fleet\'s');
      assert.equal(await s.remove('ssh/nas', 'site'), false, 'a site never removes the fleet\'s by accident');
      assert.equal(await s.setIfAbsent('ssh/nas', 'ignored', 'site'), false, 'present through the fleet');
      assert.deepEqual(await n.countReadable(), { readable: 3, total: 3 });

      // A site's ciphertext moved to another site's row does not open: the site is in the associated data.
      const northRow = (await north.store.knex('secrets').where({ name: '@north/ssh/nas' }).first()) as { ciphertext: string };
      await south.store.knex('secrets').insert({ name: '@so_uth/ssh/nas', ciphertext: northRow.ciphertext, key_version: 1, created_at: 1, updated_at: 1 });
      await assert.rejects(s.get('ssh/nas'), SecretTamperedError);
    } finally {
      await south.store.close();
      await north.store.close();
    }
  });

  it('writes to the site on a fleet database and fleet-wide on the SQLite store, unless told', async () => {
    const { store } = await openTestStore({ backend, site: 'east' });
    try {
      await store.secrets().set('token', 'value');
      assert.deepEqual((await store.secrets().list()).map((entry) => entry.scope), [backend === 'postgres' ? 'site' : 'fleet']);
      assert.equal(await store.secrets().remove('token'), true);
    } finally {
      await store.close();
    }
  });
});
