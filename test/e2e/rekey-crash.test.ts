import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WrongKeyError } from '../../src/errors';
import { openEncrypted } from '../../src/store/cipher';
import { REKEY_STEPS } from '../../src/store/rekey';
import { Store } from '../../src/store/store';
import { childEnv, DIST, exited, walnut, walnutDb, waitForLine } from '../helpers/process';
import { tempDir, testKey } from '../helpers/temp';

function opensWith(dbPath: string, key: string): boolean {
  try {
    openEncrypted(dbPath, { key, source: 'test' }, { fileMustExist: true, readonly: true }).close();
    return true;
  } catch (error) {
    if (error instanceof WrongKeyError) return false;
    throw error;
  }
}

async function secretWith(dbPath: string, key: string): Promise<string> {
  const store = await Store.open({ settings: { dbPath, production: false, allowNetworkFs: false }, env: { WALNUT_DB_KEY: key }, migrate: false });
  try {
    return await store.secrets().get('ssh/nas');
  } finally {
    await store.close();
  }
}

describe('walnut-db rekey', () => {
  const secretValue = 'ssh-private-key-material';

  async function prepare(): Promise<{ dir: string; dbPath: string; oldKey: string; newKey: string; newKeyFile: string; env: Record<string, string> }> {
    const dir = tempDir();
    const dbPath = path.join(dir, 'walnut.db');
    const env = { WALNUT_DB_PATH: dbPath }; // no key source: the generated key file, as on a first start
    assert.equal((await walnutDb(['init'], env)).code, 0);
    assert.equal((await walnut(['secrets', 'set', 'ssh/nas', '--stdin'], env, secretValue)).code, 0);
    const oldKey = fs.readFileSync(`${dbPath}.key`, 'utf8').trim();
    const newKey = testKey('n');
    const newKeyFile = path.join(dir, 'new.key');
    fs.writeFileSync(newKeyFile, `${newKey}\n`);
    return { dir, dbPath, oldKey, newKey, newKeyFile, env };
  }

  it('rotates the key: the new one opens, the old one no longer does, secrets still decrypt', async () => {
    const { dbPath, oldKey, newKey, newKeyFile, env } = await prepare();
    const result = await walnutDb(['rekey', '--new-key-file', newKeyFile, '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { keyFileUpdated: boolean; dataKeyVersions: number[] };
    assert.equal(report.keyFileUpdated, true);
    assert.deepEqual(report.dataKeyVersions, [1]);
    assert.equal(opensWith(dbPath, oldKey), false);
    assert.equal(opensWith(dbPath, newKey), true);
    assert.equal(fs.readFileSync(`${dbPath}.key`, 'utf8').trim(), newKey);
    assert.equal(await secretWith(dbPath, newKey), secretValue);
    assert.deepEqual(fs.readdirSync(path.dirname(dbPath)).filter((f) => /rekey|\.new$/.test(f)), [], 'no temporary files left');
    const health = await walnutDb(['health', '--json'], env);
    assert.equal(health.code, 0, health.stdout);
  });

  it('refuses a short new key and a key file that does not exist', async () => {
    const { dir, env } = await prepare();
    fs.writeFileSync(path.join(dir, 'short'), 'short');
    const short = await walnutDb(['rekey', '--new-key-file', path.join(dir, 'short')], env);
    assert.equal(short.code, 2);
    assert.match(short.stderr, /is 5 characters; a master key needs at least 32/);
    const missing = await walnutDb(['rekey', '--new-key-file', path.join(dir, 'nope')], env);
    assert.equal(missing.code, 2);
    const none = await walnutDb(['rekey'], env);
    assert.equal(none.code, 2);
  });

  for (const step of REKEY_STEPS) {
    it(`killed with SIGKILL at "${step}": one of the two keys opens, secrets decrypt, and the next start recovers`, async () => {
      const { dbPath, oldKey, newKey, newKeyFile, env } = await prepare();
      const child = spawn(process.execPath, [path.join(DIST, 'src/cli/walnut-db.js'), 'rekey', '--new-key-file', newKeyFile], {
        env: childEnv({ ...env, WALNUT_TEST_REKEY_PAUSE: step }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      await waitForLine(child, new RegExp(`rekey paused at ${step}`));
      child.kill('SIGKILL');
      assert.equal((await exited(child)).signal, 'SIGKILL');

      const oldOpens = opensWith(dbPath, oldKey);
      const newOpens = opensWith(dbPath, newKey);
      assert.ok(oldOpens !== newOpens, `exactly one key opens (old: ${oldOpens}, new: ${newOpens})`);
      assert.equal(await secretWith(dbPath, oldOpens ? oldKey : newKey), secretValue);

      // The hub's own key resolution (the generated key file) finishes or discards the interrupted rekey.
      const health = await walnutDb(['health', '--json'], env);
      assert.equal(health.code, 0, health.stdout + health.stderr);
      assert.equal(fs.readFileSync(`${dbPath}.key`, 'utf8').trim(), oldOpens ? oldKey : newKey);
      assert.deepEqual(fs.readdirSync(path.dirname(dbPath)).filter((f) => /rekey-tmp|\.key\.new$/.test(f)), []);
    });
  }
});
