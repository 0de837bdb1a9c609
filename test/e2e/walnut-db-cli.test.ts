import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { walnutDb } from '../helpers/process';
import { tempDir, testKey } from '../helpers/temp';

const json = <T>(text: string): T => JSON.parse(text) as T;

describe('walnut-db CLI', () => {
  let dir: string;
  let dbPath: string;
  let env: Record<string, string>;

  beforeEach(() => {
    dir = tempDir();
    dbPath = path.join(dir, 'walnut.db');
    env = { WALNUT_DB_PATH: dbPath, WALNUT_DB_KEY: testKey() };
  });

  it('init creates the database; init --demo seeds 3 sites, 6 UPSes, 12 hosts and 24 h of samples', async () => {
    const init = await walnutDb(['init', '--json'], env);
    assert.equal(init.code, 0, init.stderr);
    const created = json<{ created: boolean; schemaVersion: string; keySource: string }>(init.stdout);
    assert.equal(created.created, true);
    assert.equal(created.keySource, 'WALNUT_DB_KEY');
    assert.match(created.schemaVersion, /^\d{3}_/);

    const demo = await walnutDb(['init', '--demo', '--json'], env);
    assert.equal(demo.code, 0, demo.stderr);
    const seeded = json<{ created: boolean; demo: { sites: number; ups: number; hosts: number; samples: number } }>(demo.stdout);
    assert.equal(seeded.created, false);
    assert.deepEqual({ ...seeded.demo, samples: undefined }, { sites: 3, ups: 6, hosts: 12, events: 6, samples: undefined });
    assert.equal(seeded.demo.samples, 6 * 24 * 360, '6 UPSes x 24 h at one sample per 10 s');

    const info = await walnutDb(['info', '--json'], env);
    assert.equal(info.code, 0, info.stderr);
    const rows = json<{ rows: Record<string, number>; retention: { newestSample: string; oldestSample: string; samplesWindowHours: number; rollupsKeptDays: number } }>(info.stdout);
    assert.equal(rows.rows.sites, 4, 'the hub\'s own site and three demo sites');
    assert.equal(rows.rows.ups, 6);
    assert.equal(rows.rows.hosts, 12);
    assert.ok(rows.rows.ups_samples! > 6 * 24 * 360 - 12, 'at most the oldest sample per UPS aged out');
    assert.ok(rows.rows.ups_rollups! >= 6 * 24, 'the demo hours are rolled up');
    assert.equal(rows.retention.samplesWindowHours, 24);
    assert.equal(rows.retention.rollupsKeptDays, 400);
    const span = Date.parse(rows.retention.newestSample) - Date.parse(rows.retention.oldestSample);
    assert.ok(span > 23.9 * 3600_000, 'the samples span a day');

    const again = await walnutDb(['init', '--demo'], env);
    assert.equal(again.code, 2, 'seeding twice is refused');
    assert.match(again.stderr, /already holds the demo data/);
  });

  it('health reports every fact and is healthy on a fresh store', async () => {
    await walnutDb(['init'], env);
    const health = await walnutDb(['health', '--json'], env);
    assert.equal(health.code, 0, health.stdout + health.stderr);
    const report = json<{
      healthy: boolean; latencyMs: number; fileSizeBytes: number; journalMode: string; encryptedHeader: boolean; quickCheck: string;
      cipher: { name: string; legacy: number; kdfIterations: number }; schema: { version: string; pending: string[] }; checks: Array<{ name: string; ok: boolean }>;
    }>(health.stdout);
    assert.equal(report.healthy, true);
    assert.equal(report.journalMode, 'wal');
    assert.equal(report.encryptedHeader, true);
    assert.deepEqual(report.cipher, { ...report.cipher, name: 'sqlcipher', legacy: 4, kdfIterations: 64000 });
    assert.equal(report.quickCheck, 'ok');
    assert.deepEqual(report.schema.pending, []);
    assert.ok(report.fileSizeBytes > 0 && report.latencyMs >= 0);
    assert.deepEqual(report.checks.map((c) => c.name), ['connection', 'wal', 'encryption', 'cipher', 'schema', 'quick_check']);
  });

  it('health exits non-zero when a migration is pending, and when the key is wrong', async () => {
    await walnutDb(['init'], env);
    const rollback = await walnutDb(['migrate', 'rollback', '--json'], env);
    assert.equal(rollback.code, 0, rollback.stderr);
    const pending = await walnutDb(['health', '--json'], env);
    assert.equal(pending.code, 1);
    assert.equal(json<{ healthy: boolean }>(pending.stdout).healthy, false);

    const wrong = await walnutDb(['health', '--json'], { ...env, WALNUT_DB_KEY: testKey('z') });
    assert.equal(wrong.code, 1);
    const failure = json<{ healthy: boolean; error: { code: string; message: string } }>(wrong.stdout);
    assert.equal(failure.error.code, 'MASTER_KEY_WRONG');
    assert.equal(failure.error.message.startsWith(`the key from WALNUT_DB_KEY does not open ${dbPath}`), true);
  });

  it('migrate status, rollback and latest', async () => {
    await walnutDb(['init'], env);
    const status = json<{ applied: string[]; pending: string[] }>((await walnutDb(['migrate', 'status', '--json'], env)).stdout);
    assert.ok(status.applied.length >= 4);
    assert.deepEqual(status.pending, []);
    const back = json<{ changed: string[]; pending: string[] }>((await walnutDb(['migrate', 'rollback', '--json'], env)).stdout);
    assert.deepEqual([...back.changed].sort(), [...status.applied].sort(), 'init applied all in one batch');
    const latest = json<{ changed: string[]; pending: string[] }>((await walnutDb(['migrate', 'latest', '--json'], env)).stdout);
    assert.deepEqual(latest.changed, status.applied);
    assert.deepEqual(latest.pending, []);
    const bad = await walnutDb(['migrate', 'sideways'], env);
    assert.equal(bad.code, 2);
  });

  it('reset refuses without --yes, and with it empties the store under the same key', async () => {
    await walnutDb(['init', '--demo'], env);
    const refused = await walnutDb(['reset'], env);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--yes/);
    assert.equal(json<{ rows: { ups: number } }>((await walnutDb(['info', '--json'], env)).stdout).rows.ups, 6, 'nothing was deleted');
    const reset = await walnutDb(['reset', '--yes', '--json'], env);
    assert.equal(reset.code, 0, reset.stderr);
    const info = json<{ rows: Record<string, number> }>((await walnutDb(['info', '--json'], env)).stdout);
    assert.equal(info.rows.ups, 0);
    assert.equal(info.rows.ups_samples, 0);
    assert.equal(info.rows.sites, 1);
  });

  it('test-encryption proves header, wrong key and read-back', async () => {
    const result = await walnutDb(['test-encryption', '--json'], {});
    assert.equal(result.code, 0, result.stderr);
    const report = json<{ ok: boolean; steps: Array<{ name: string; ok: boolean }> }>(result.stdout);
    assert.equal(report.ok, true);
    assert.deepEqual(report.steps.map((s) => [s.name, s.ok]), [['header', true], ['no plaintext', true], ['wrong key', true], ['right key', true]]);
  });

  it('--db-path works as well as WALNUT_DB_PATH, and wins over it', async () => {
    const other = path.join(dir, 'other.db');
    const init = await walnutDb(['init', '--db-path', other, '--json'], env);
    assert.equal(init.code, 0, init.stderr);
    assert.equal(json<{ dbPath: string }>(init.stdout).dbPath, other);
    assert.equal(fs.existsSync(dbPath), false);
    const health = await walnutDb(['health', '--json', '--db-path', other], env);
    assert.equal(json<{ dbPath: string }>(health.stdout).dbPath, other);
  });

  it('without any key source, init generates a key file and the second run opens with it', async () => {
    const keyless = { WALNUT_DB_PATH: dbPath };
    const first = await walnutDb(['init', '--json'], keyless);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(json<{ keySource: string }>(first.stdout).keySource, `the generated key file ${dbPath}.key`);
    assert.equal(fs.statSync(`${dbPath}.key`).mode & 0o777, 0o600);
    const second = await walnutDb(['health', '--json'], keyless);
    assert.equal(second.code, 0, second.stdout);
  });

  it('a bad setting is named at start', async () => {
    const result = await walnutDb(['info'], { ...env, WALNUT_LOG_LEVEL: 'chatty' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /WALNUT_LOG_LEVEL: expected one of/);
  });
});
