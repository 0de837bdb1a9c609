/**
 * Every kind of change leaves an audit row naming who did it, read back with
 * `walnut audit`; a canary secret (as a secret value, a password, an API key)
 * never appears in the trail.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { recordTrust } from '../../../src/actions/trust-store';
import { ensureSite } from '../../../src/store/sites';
import { Store } from '../../../src/store/store';
import { walnut, walnutDb } from '../../helpers/process';
import { tempDir, testKey } from '../../helpers/temp';

interface AuditJson {
  time: string;
  ts: number;
  site: string | null;
  actor: string;
  action: string;
  resource: string;
  before: unknown;
  after: unknown;
}

const CANARY = 'canary-value-5d1e0b77';

describe('walnut audit: the trail of every change', function () {
  this.timeout(120_000);
  let dir: string;
  let env: Record<string, string>;
  let apiKey: string;

  const trail = async (...args: string[]): Promise<AuditJson[]> => {
    const result = await walnut(['audit', '--json', ...args], env);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stdout.includes(CANARY), 'no canary in the trail');
    assert.ok(!result.stdout.includes(apiKey), 'no API key in the trail');
    return JSON.parse(result.stdout) as AuditJson[];
  };

  before(async () => {
    dir = tempDir();
    env = { WALNUT_DB_PATH: path.join(dir, 'walnut.db'), WALNUT_DB_KEY: testKey() };
    const steps: Array<[string[], string?]> = [
      [['secrets', 'set', 'ssh/nas', '--stdin'], CANARY],
      [['secrets', 'set', 'ssh/nas', '--stdin'], `${CANARY}-2`],
      [['secrets', 'rm', 'ssh/nas']],
      [['users', 'add', 'alice', '--stdin'], `${CANARY}-password`],
    ];
    for (const [args, input] of steps) {
      const result = await walnut(args, env, input);
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    }
    const created = await walnut(['apikeys', 'create', 'ci'], env);
    assert.equal(created.code, 0, created.stderr);
    apiKey = created.stdout.trim();
    assert.match(created.stderr, /shown only this once/);
    assert.equal((await walnut(['apikeys', 'revoke', 'ci'], env)).code, 0);
  });

  it('records secret set, update and removal by name only, users, and API keys, each with the CLI user as actor', async () => {
    const rows = await trail();
    assert.deepEqual(rows.map((row) => [row.action, row.resource.replace(/[a-f0-9]{12}$/, 'PREFIX')]), [
      ['secret.added', 'secret/ssh/nas'],
      ['secret.updated', 'secret/ssh/nas'],
      ['secret.removed', 'secret/ssh/nas'],
      ['user.added', 'user/alice'],
      ['apikey.created', 'api_key/ci/PREFIX'],
      ['apikey.revoked', 'api_key/ci/PREFIX'],
    ]);
    for (const row of rows) assert.match(row.actor, /^cli:./);
    assert.ok(rows.every((row, index) => index === 0 || row.ts >= (rows[index - 1]?.ts ?? 0)), 'newest last');
  });

  it('filters by action prefix, time and count, and prints a table by default', async () => {
    assert.deepEqual((await trail('--action', 'secret.')).map((row) => row.action), ['secret.added', 'secret.updated', 'secret.removed']);
    assert.deepEqual((await trail('--limit', '2')).map((row) => row.action), ['apikey.created', 'apikey.revoked'], 'the newest two, still oldest first');
    assert.deepEqual(await trail('--since', new Date(Date.now() + 60_000).toISOString()), []);
    assert.equal((await trail('--since', '1h')).length, 6);
    const table = await walnut(['audit', '--action', 'user'], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^\d{4}-\d\d-\d\dT\S+Z\s+cli:\S+\s+user\.added\s+user\/alice\s+before -\s+after \{"username":"alice","role":"admin"\}\n$/);
    const bad = await walnut(['audit', '--since', 'last tuesday'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--since "last tuesday" is neither a duration/);
  });

  it('records a trusted host key through recordAudit, with the site', async () => {
    const store = await Store.open({ settings: { dbPath: env.WALNUT_DB_PATH ?? '', production: false, allowNetworkFs: false }, env });
    try {
      const site = await ensureSite(store.knex, 'default');
      await recordTrust(store.knex, { target: 'nas', host: '127.0.0.1', port: 22, algorithm: 'ssh-ed25519', fingerprint: 'SHA256:abc' }, 'cli:tester', site.id);
      const row = await store.knex('audit_logs').where({ action: 'target.trust' }).first() as { site_id: number; actor: string; after: string };
      assert.equal(row.site_id, site.id);
      assert.equal(row.actor, 'cli:tester');
      assert.deepEqual(JSON.parse(row.after), { fingerprint: 'SHA256:abc', host: '127.0.0.1', port: 22 });
    } finally {
      await store.close();
    }
  });

  it('records a rekey in the rekeyed file itself, naming key sources, never keys', async () => {
    const newKey = testKey('n');
    const newKeyFile = path.join(dir, 'new.key');
    fs.writeFileSync(newKeyFile, `${newKey}\n`);
    const rekey = await walnutDb(['rekey', '--new-key-file', newKeyFile], env);
    assert.equal(rekey.code, 0, rekey.stderr);
    env = { ...env, WALNUT_DB_KEY: newKey };
    const [row] = await trail('--action', 'store.rekeyed');
    assert.equal(row?.resource, 'store/master-key');
    assert.match(row?.actor ?? '', /^cli:./);
    assert.deepEqual(row?.before, { keySource: 'WALNUT_DB_KEY' });
    assert.deepEqual(row?.after, { keySource: `the new key file ${newKeyFile}`, dataKeyVersions: [1] });
    const text = JSON.stringify(row);
    assert.ok(!text.includes(newKey) && !text.includes(testKey()), 'no key in the row');
  });

  it('shows this hub\'s site and the changes to the whole database; --all-sites shows every site, each row with its site', async () => {
    const north = await walnut(['secrets', 'set', 'north/ssh/nas', '--stdin'], { ...env, WALNUT_SITE: 'north' }, CANARY);
    assert.equal(north.code, 0, north.stderr);
    const mine = await trail();
    assert.ok(!mine.some((row) => row.site === 'north'), 'another site\'s change is not in this hub\'s trail');
    assert.ok(mine.every((row) => row.site === 'default' || row.site === null), JSON.stringify(mine.map((row) => row.site)));
    assert.ok(mine.some((row) => row.action === 'store.rekeyed'), 'the rekey (on a one-site store, the default site) is in it');
    const all = await trail('--all-sites', '--action', 'secret.');
    assert.deepEqual(all.map((row) => [row.site, row.action, row.resource]), [
      ['default', 'secret.added', 'secret/ssh/nas'], ['default', 'secret.updated', 'secret/ssh/nas'], ['default', 'secret.removed', 'secret/ssh/nas'],
      ['north', 'secret.added', 'secret/north/ssh/nas'],
    ]);
    const table = await walnut(['audit', '--all-sites', '--action', 'secret.added'], env);
    assert.match(table.stdout, /Z\s+north\s+cli:\S+\s+secret\.added\s+secret\/north\/ssh\/nas/);
  });
});
