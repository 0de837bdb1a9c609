import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { SecretInputError, SecretNotFoundError, SecretTamperedError } from '../../../src/errors';
import { describeEachBackend, openTestStore } from '../../helpers/store';

describeEachBackend('secrets', (backend) => {
  it('round-trips a value, encrypted in the row, listed without it', async () => {
    const { store, dbPath } = await openTestStore({ backend });
    const secrets = store.secrets();
    await secrets.set('tapo/plug-1', 'p@ss wörd with spaces');
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
    await store.secrets().set('ssh/nas', 'private key text');
    const row = (await store.knex('secrets').where({ name: 'ssh/nas' }).first()) as { ciphertext: string };
    const bytes = Buffer.from(row.ciphertext, 'base64');
    bytes[20] = (bytes[20] ?? 0) ^ 0x01;
    await store.knex('secrets').where({ name: 'ssh/nas' }).update({ ciphertext: bytes.toString('base64') });
    await assert.rejects(store.secrets().get('ssh/nas'), SecretTamperedError);
    await store.close();
  });

  it('detects a ciphertext moved to another name', async () => {
    const { store } = await openTestStore({ backend });
    await store.secrets().set('low', 'harmless');
    await store.secrets().set('high', 'root password');
    const high = (await store.knex('secrets').where({ name: 'high' }).first()) as { ciphertext: string };
    await store.knex('secrets').where({ name: 'low' }).update({ ciphertext: high.ciphertext });
    await assert.rejects(store.secrets().get('low'), SecretTamperedError);
    await store.close();
  });

  it('does not decrypt under another store\'s data key', async () => {
    const first = await openTestStore({ backend });
    const second = await openTestStore({ backend });
    await first.store.secrets().set('token', 'value-one');
    const row = (await first.store.knex('secrets').where({ name: 'token' }).first()) as Record<string, unknown>;
    await second.store.knex('secrets').insert({ ...row, id: undefined });
    await assert.rejects(second.store.secrets().get('token'), SecretTamperedError);
    await first.store.close();
    await second.store.close();
  });

  it('removes with a tombstone and reports unknown names', async () => {
    const { store } = await openTestStore({ backend });
    await store.secrets().set('gone', 'soon');
    assert.equal(await store.secrets().remove('gone'), true);
    assert.equal(await store.secrets().remove('gone'), false);
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
});
