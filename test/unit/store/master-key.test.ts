import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MasterKeyError } from '../../../src/errors';
import { generatedKeyPath, resolveMasterKey } from '../../../src/store/master-key';
import { tempDir, testKey } from '../../helpers/temp';

describe('master key resolution', () => {
  let dir: string;
  let dbPath: string;
  let dockerSecretPath: string;
  const keys = { direct: testKey('a'), file: testKey('b'), docker: testKey('c'), dev: testKey('d') };

  beforeEach(() => {
    dir = tempDir();
    dbPath = path.join(dir, 'walnut.db');
    dockerSecretPath = path.join(dir, 'docker-secret');
    fs.writeFileSync(path.join(dir, 'key-file'), `${keys.file}\n`);
    fs.writeFileSync(dockerSecretPath, keys.docker);
  });

  const resolve = (env: Record<string, string>, production = false) => resolveMasterKey({ env, dbPath, production, dockerSecretPath });

  it('takes the sources in order: WALNUT_DB_KEY, WALNUT_DB_KEY_FILE, the Docker secret, WALNUT_DB_KEY_DEV, the generated file', () => {
    const all = { WALNUT_DB_KEY: keys.direct, WALNUT_DB_KEY_FILE: path.join(dir, 'key-file'), WALNUT_DB_KEY_DEV: keys.dev };
    assert.deepEqual(resolve(all), { key: keys.direct, source: 'WALNUT_DB_KEY' });

    const withoutDirect = { WALNUT_DB_KEY_FILE: all.WALNUT_DB_KEY_FILE, WALNUT_DB_KEY_DEV: keys.dev };
    assert.deepEqual(resolve(withoutDirect), { key: keys.file, source: `WALNUT_DB_KEY_FILE (${all.WALNUT_DB_KEY_FILE})` }, 'trailing newline dropped');

    assert.deepEqual(resolve({ WALNUT_DB_KEY_DEV: keys.dev }), { key: keys.docker, source: dockerSecretPath });

    fs.rmSync(dockerSecretPath);
    assert.deepEqual(resolve({ WALNUT_DB_KEY_DEV: keys.dev }), { key: keys.dev, source: 'WALNUT_DB_KEY_DEV' });

    const generated = resolve({});
    assert.equal(generated.source, `the generated key file ${generatedKeyPath(dbPath)}`);
    assert.ok(generated.key.length >= 32);
    assert.equal(fs.statSync(generatedKeyPath(dbPath)).mode & 0o777, 0o600);
    assert.deepEqual(resolve({}), generated, 'the second start reads the key it generated');
  });

  it('ignores WALNUT_DB_KEY_DEV in production', () => {
    fs.rmSync(dockerSecretPath);
    const key = resolve({ WALNUT_DB_KEY_DEV: keys.dev }, true);
    assert.match(key.source, /generated key file/);
  });

  it('refuses a key shorter than 32 characters, naming its source', () => {
    assert.throws(() => resolve({ WALNUT_DB_KEY: 'short' }), (e: unknown) => e instanceof MasterKeyError && /the key from WALNUT_DB_KEY is 5 characters; a master key needs at least 32/.test(e.message));
    fs.writeFileSync(path.join(dir, 'short-file'), 'tooshort\n');
    assert.throws(() => resolve({ WALNUT_DB_KEY_FILE: path.join(dir, 'short-file') }), /WALNUT_DB_KEY_FILE \(.*short-file\) is 8 characters/);
    fs.writeFileSync(dockerSecretPath, 'x');
    assert.throws(() => resolve({}), new RegExp(`the key from ${dockerSecretPath} is 1 characters`));
  });

  it('names a key file it cannot read', () => {
    assert.throws(() => resolve({ WALNUT_DB_KEY_FILE: path.join(dir, 'missing') }), /cannot read the key from WALNUT_DB_KEY_FILE \(.*missing\) \(ENOENT\)/);
  });

  it('never generates a new key for a database that exists', () => {
    fs.rmSync(dockerSecretPath);
    fs.writeFileSync(dbPath, 'not empty');
    assert.throws(() => resolve({}), (e: unknown) => e instanceof MasterKeyError && /no master key for the existing database/.test(e.message));
    assert.equal(fs.existsSync(generatedKeyPath(dbPath)), false);
  });

  it('never puts the key in an error message', () => {
    const secret = 'S3CRET-but-short';
    assert.throws(() => resolve({ WALNUT_DB_KEY: secret }), (e: unknown) => e instanceof Error && !e.message.includes(secret));
  });
});
