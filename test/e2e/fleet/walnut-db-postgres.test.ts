import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataKeyError } from '../../../src/errors';
import { ensureSite } from '../../../src/store/sites';
import { walnut, walnutDb } from '../../helpers/process';
import { PG_PASSWORD, sharedPostgres } from '../../helpers/postgres';
import { openTestStore } from '../../helpers/store';
import { tempDir, testKey } from '../../helpers/temp';

const json = <T>(text: string): T => JSON.parse(text) as T;
const CANARY = 'CANARY-pg-copy-7d1e';

interface CopyReport {
  verified: boolean;
  tables: Array<{ table: string; rows: number; sha256: string; verified: boolean }>;
  secrets: { readable: number; total: number };
}

describe('walnut-db on PostgreSQL', function () {
  this.timeout(180_000);

  it('copy moves an encrypted SQLite store into PostgreSQL, every table verified and every secret readable; a second copy is refused', async () => {
    const dir = tempDir();
    const sqliteEnv = { WALNUT_DB_PATH: path.join(dir, 'walnut.db'), WALNUT_DB_KEY: testKey('c') };
    assert.equal((await walnutDb(['init', '--demo'], sqliteEnv)).code, 0);
    assert.equal((await walnut(['secrets', 'set', 'ssh/nas', '--stdin'], sqliteEnv, CANARY)).code, 0);
    const info = json<{ rows: Record<string, number> }>((await walnutDb(['info', '--json'], sqliteEnv)).stdout);

    // The password comes from PGPASSWORD, as the README says: never on the command line.
    const url = (await sharedPostgres()).createDatabase().replace(`:${PG_PASSWORD}@`, '@');
    const copyEnv = { ...sqliteEnv, PGPASSWORD: PG_PASSWORD };
    const copy = await walnutDb(['copy', '--to', url, '--json'], copyEnv);
    assert.equal(copy.code, 0, copy.stdout + copy.stderr);
    const report = json<CopyReport>(copy.stdout);
    assert.equal(report.verified, true);
    assert.ok(report.tables.every((table) => table.verified), 'every table hashes the same on both sides');
    const rows = Object.fromEntries(report.tables.map((table) => [table.table, table.rows]));
    for (const table of ['sites', 'ups', 'ups_samples', 'ups_rollups', 'events', 'hosts', 'secrets']) assert.equal(rows[table], info.rows[table], table);
    assert.ok((rows.ups_samples ?? 0) > 50_000, 'more than one page of samples');
    assert.deepEqual(report.secrets, { readable: 1, total: 1 });
    assert.doesNotMatch(copy.stdout + copy.stderr, new RegExp(`${CANARY}|${PG_PASSWORD}`));

    // The copied store is the store: the same key opens its secret through DATABASE_URL.
    const pgEnv = { ...sqliteEnv, DATABASE_URL: url, PGPASSWORD: PG_PASSWORD };
    const pgInfo = json<{ rows: Record<string, number> }>((await walnutDb(['info', '--json'], pgEnv)).stdout);
    assert.equal(pgInfo.rows.ups_samples, info.rows.ups_samples);
    const listed = await walnut(['secrets', 'list', '--json'], pgEnv);
    assert.match(listed.stdout, /ssh\/nas/);

    const again = await walnutDb(['copy', '--to', url], copyEnv);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /already holds rows in "sites".*nothing was written/);
    const after = json<{ rows: Record<string, number> }>((await walnutDb(['info', '--json'], pgEnv)).stdout);
    assert.deepEqual(after.rows, pgInfo.rows, 'the refused copy changed nothing');
  });

  it('health reports the server version, pool use and latency; a refused login is UNHEALTHY without the password', async () => {
    const dir = tempDir();
    const url = (await sharedPostgres()).createDatabase();
    const env = { WALNUT_DATA_DIR: dir, WALNUT_DB_KEY: testKey('h'), DATABASE_URL: url };
    assert.equal((await walnutDb(['init'], env)).code, 0);
    const health = await walnutDb(['health', '--json'], env);
    assert.equal(health.code, 0, health.stdout + health.stderr);
    const report = json<{ backend: string; healthy: boolean; serverVersion: string; latencyMs: number; pool: { max: number; used: number }; dbPath: string; checks: Array<{ name: string; ok: boolean }> }>(health.stdout);
    assert.equal(report.backend, 'postgres');
    assert.equal(report.healthy, true);
    assert.match(report.serverVersion, /^\d+\.\d+/);
    assert.ok(report.latencyMs > 0 && report.latencyMs < 1000);
    assert.equal(report.pool.max, 10, 'the default pool size');
    assert.deepEqual(report.checks.map((check) => check.name), ['connection', 'server', 'pool', 'schema', 'tls']);
    assert.doesNotMatch(health.stdout, new RegExp(PG_PASSWORD));
    const text = await walnutDb(['health'], { ...env, WALNUT_DB_POOL_SIZE: '3' });
    assert.match(text.stdout, /server\s+PostgreSQL \d+/);
    assert.match(text.stdout, /pool\s+\d+ used, \d+ free of 3/);

    // The fleet's sites: a running hub's (its lock seen in pg_locks, never taken by the check) and an idle one.
    const hub = await openTestStore({ backend: 'postgres', databaseUrl: url, key: env.WALNUT_DB_KEY, site: 'south', lockAs: 'walnut hub', migrate: false });
    try {
      const south = (await ensureSite(hub.store.knex, 'south')).id;
      const [ups] = (await hub.store.knex('ups').insert({ site_id: south, name: 'rack', server: '127.0.0.1:3493', created_at: 1, updated_at: 1 }).returning('id')) as Array<{ id: number }>;
      await hub.store.knex('ups_samples').insert([{ ups_id: ups!.id, ts: 1_700_000_000_000, status: 'OL' }, { ups_id: ups!.id, ts: 1_700_000_001_000, status: 'OL' }]);
      const fleet = json<{ sites: unknown[] }>((await walnutDb(['health', '--json'], env)).stdout);
      assert.deepEqual(fleet.sites, [
        { name: 'default', held: false, ups: 0, lastSampleAt: null },
        { name: 'south', held: true, ups: 1, lastSampleAt: 1_700_000_001_000 },
      ]);
      assert.match((await walnutDb(['health'], env)).stdout, /site south\s+hub running\s+1 UPS, newest sample 2023-11-14T22:13:21.000Z/);
    } finally {
      await hub.store.close();
    }
    const released = json<{ sites: Array<{ name: string; held: boolean }> }>((await walnutDb(['health', '--json'], env)).stdout);
    assert.deepEqual(released.sites.map((site) => [site.name, site.held]), [['default', false], ['south', false]], 'the stopped hub\'s site is free');

    const refused = await walnutDb(['health', '--json'], { ...env, DATABASE_URL: url.replace(PG_PASSWORD, 'wrong-password') });
    assert.equal(refused.code, 1);
    const failure = json<{ healthy: boolean; error: { code: string; message: string } }>(refused.stdout);
    assert.equal(failure.healthy, false);
    assert.equal(failure.error.code, 'STORE_AUTH');
    assert.doesNotMatch(refused.stdout + refused.stderr, /wrong-password/);
  });

  it('rekey re-wraps the data key for the whole fleet, refused while any hub runs; the old key then opens nothing', async () => {
    const dir = tempDir();
    const url = (await sharedPostgres()).createDatabase();
    const oldKey = testKey('fleet-old');
    const newKey = testKey('fleet-new');
    const newKeyFile = path.join(dir, 'new.key');
    fs.writeFileSync(newKeyFile, `${newKey}\n`, { mode: 0o600 });
    const env = { WALNUT_DATA_DIR: dir, WALNUT_DB_KEY: oldKey, DATABASE_URL: url };
    assert.equal((await walnutDb(['init'], { ...env, WALNUT_SITE: 'south' })).code, 0);
    assert.equal((await walnut(['secrets', 'set', 'ssh/nas', '--stdin'], env, CANARY)).code, 0);

    // A running hub holds its site: the rekey is refused by name and nothing changes.
    const running = await openTestStore({ backend: 'postgres', databaseUrl: url, key: oldKey, site: 'south', lockAs: 'walnut hub' });
    const dataKeys = async (): Promise<unknown> => running.store.knex('data_keys').select('version', 'salt', 'wrapped');
    const before = await dataKeys();
    try {
      const refused = await walnutDb(['rekey', '--new-key-file', newKeyFile], env);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /a hub is running for site "south": stop every hub of the fleet/);
      assert.deepEqual(await dataKeys(), before);
    } finally {
      await running.store.close();
    }

    const rekeyed = await walnutDb(['rekey', '--new-key-file', newKeyFile, '--json'], env);
    assert.equal(rekeyed.code, 0, rekeyed.stdout + rekeyed.stderr);
    const result = json<{ dataKeyVersions: number[]; keyFileUpdated: boolean }>(rekeyed.stdout);
    assert.deepEqual(result, { ...result, dataKeyVersions: [1], keyFileUpdated: false });
    assert.doesNotMatch(rekeyed.stdout + rekeyed.stderr, new RegExp(`${oldKey}|${newKey}|${CANARY}`));

    await assert.rejects(openTestStore({ backend: 'postgres', databaseUrl: url, key: oldKey, migrate: false }), (error: unknown) => {
      assert.ok(error instanceof DataKeyError);
      assert.match(error.message, /does not unwrap with this master key/);
      return true;
    });
    const reopened = await openTestStore({ backend: 'postgres', databaseUrl: url, key: newKey, migrate: false });
    try {
      assert.equal(await reopened.store.secrets().get('ssh/nas'), CANARY, 'the same data key, so every secret still opens');
      const audit = (await reopened.store.knex('audit_logs').where({ action: 'store.rekeyed' }).select('site_id', 'before', 'after')) as Array<{ site_id: number | null; before: string; after: string }>;
      assert.equal(audit.length, 1);
      assert.equal(audit[0]?.site_id, null, 'a change to the whole fleet database');
      assert.doesNotMatch(JSON.stringify(audit), new RegExp(`${oldKey}|${newKey}`));
    } finally {
      await reopened.store.close();
    }
  });

  it('rekey on PostgreSQL also rewrites a generated key file, which then opens the fleet database', async () => {
    const dir = tempDir();
    const url = (await sharedPostgres()).createDatabase();
    const env = { WALNUT_DATA_DIR: dir, DATABASE_URL: url };
    assert.equal((await walnutDb(['init'], env)).code, 0);
    const keyFile = path.join(dir, 'walnut.db.key');
    const generated = fs.readFileSync(keyFile, 'utf8');
    const newKeyFile = path.join(dir, 'new.key');
    fs.writeFileSync(newKeyFile, `${testKey('fleet-file')}\n`, { mode: 0o600 });
    const rekeyed = await walnutDb(['rekey', '--new-key-file', newKeyFile], env);
    assert.equal(rekeyed.code, 0, rekeyed.stdout + rekeyed.stderr);
    assert.match(rekeyed.stdout, /the generated key file .*walnut\.db\.key now holds the new key/);
    assert.equal(fs.readFileSync(keyFile, 'utf8'), fs.readFileSync(newKeyFile, 'utf8'));
    assert.notEqual(fs.readFileSync(keyFile, 'utf8'), generated);
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
    assert.equal((await walnutDb(['info'], env)).code, 0, 'the rewritten key file opens the database');
  });
});
