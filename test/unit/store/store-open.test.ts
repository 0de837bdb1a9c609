import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreBusyError, StoreLocationError, WrongKeyError } from '../../../src/errors';
import { hasPlaintextHeader } from '../../../src/store/cipher';
import { Store } from '../../../src/store/store';
import { openTestStore } from '../../helpers/store';
import { tempDir, testKey } from '../../helpers/temp';

describe('encrypted store', () => {
  it('writes a file whose header is not "SQLite format 3" and holds no plaintext', async () => {
    const { store, dbPath } = await openTestStore({ backend: 'sqlite' });
    await store.knex('sites').insert({ name: 'plaintext-canary-site', created_at: 1, updated_at: 1 });
    await store.close();
    const bytes = fs.readFileSync(dbPath);
    assert.notEqual(bytes.subarray(0, 15).toString('latin1'), 'SQLite format 3');
    assert.equal(hasPlaintextHeader(dbPath), false);
    assert.equal(bytes.includes(Buffer.from('plaintext-canary-site')), false);
  });

  it('says which key source does not open which file, never "file is not a database"', async () => {
    const { store, dbPath } = await openTestStore({ backend: 'sqlite' });
    await store.close();
    const settings = { dbPath, production: false, allowNetworkFs: false };
    await assert.rejects(Store.open({ settings, env: { WALNUT_DB_KEY: testKey('w') } }), (error: unknown) => {
      assert.ok(error instanceof WrongKeyError);
      assert.equal(error.message.startsWith(`the key from WALNUT_DB_KEY does not open ${dbPath}`), true, error.message);
      assert.doesNotMatch(error.message, /file is not a database/);
      return true;
    });
  });

  it('refuses a short key before touching the file', async () => {
    const dbPath = path.join(tempDir(), 'walnut.db');
    await assert.rejects(Store.open({ settings: { dbPath, production: false, allowNetworkFs: false }, env: { WALNUT_DB_KEY: 'short' } }), /at least 32/);
    assert.equal(fs.existsSync(dbPath), false);
  });

  it('runs in WAL mode with the agreed pragmas on every connection', async () => {
    const { store, dbPath } = await openTestStore({ backend: 'sqlite' });
    const pragma = async (name: string): Promise<unknown> => Object.values(((await store.knex.raw(`PRAGMA ${name}`)) as Record<string, unknown>[])[0] ?? {})[0];
    assert.equal(await pragma('journal_mode'), 'wal');
    assert.equal(await pragma('foreign_keys'), 1);
    assert.equal(await pragma('busy_timeout'), 5000);
    assert.equal(await pragma('synchronous'), 1, 'NORMAL');
    assert.equal(await pragma('kdf_iter'), '64000');
    await store.knex('sites').insert({ name: 'x', created_at: 1, updated_at: 1 });
    assert.ok(fs.existsSync(`${dbPath}-wal`));
    await store.close();
  });

  it('keeps its folder 0700 and its files 0600', async () => {
    const folder = path.join(tempDir(), 'data');
    const { store, dbPath } = await openTestStore({ backend: 'sqlite', dbPath: path.join(folder, 'walnut.db') });
    await store.close();
    assert.equal(fs.statSync(folder).mode & 0o777, 0o700);
    assert.equal(fs.statSync(dbPath).mode & 0o777, 0o600);
  });

  it('refuses a database on a network filesystem', async () => {
    const dbPath = path.join(tempDir(), 'walnut.db');
    await assert.rejects(
      Store.open({ settings: { dbPath, production: false, allowNetworkFs: false }, env: { WALNUT_DB_KEY: testKey() }, mountinfo: '22 1 0:40 / / rw - cifs //nas/share rw' }),
      StoreLocationError,
    );
  });

  it('lets one holder lock the store and names it to the next', async () => {
    const { store, dbPath, env } = await openTestStore({ backend: 'sqlite' });
    await store.close();
    const settings = { dbPath, production: false, allowNetworkFs: false };
    const hub = await Store.open({ settings, env, lockAs: 'walnut hub' });
    await assert.rejects(Store.open({ settings, env, lockAs: 'second hub' }), (error: unknown) => {
      assert.ok(error instanceof StoreBusyError);
      assert.match(error.message, new RegExp(`in use by walnut hub \\(pid ${process.pid}`));
      return true;
    });
    const reader = await Store.open({ settings, env });
    assert.equal(((await reader.knex('sites').count({ n: '*' }).first()) as { n: number }).n, 0, 'readers without the lock still work');
    await reader.close();
    await hub.close();
    const next = await Store.open({ settings, env, lockAs: 'second hub' });
    await next.close();
  });
});
