import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { walnut, walnutDb } from '../../helpers/process';
import { PG_PASSWORD, sharedPostgres } from '../../helpers/postgres';
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

    const refused = await walnutDb(['health', '--json'], { ...env, DATABASE_URL: url.replace(PG_PASSWORD, 'wrong-password') });
    assert.equal(refused.code, 1);
    const failure = json<{ healthy: boolean; error: { code: string; message: string } }>(refused.stdout);
    assert.equal(failure.healthy, false);
    assert.equal(failure.error.code, 'STORE_AUTH');
    assert.doesNotMatch(refused.stdout + refused.stderr, /wrong-password/);

    const rekey = await walnutDb(['rekey', '--new-key-file', path.join(dir, 'none')], env);
    assert.notEqual(rekey.code, 0);
    assert.match(rekey.stderr, /SQLite store only/);
  });
});
