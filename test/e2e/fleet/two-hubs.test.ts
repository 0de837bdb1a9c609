import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { type RunningHub, spawnHub } from '../../helpers/hub';
import { childEnv, DIST } from '../../helpers/process';
import { spawn } from 'node:child_process';
import { sharedPostgres } from '../../helpers/postgres';
import { tempDir, testKey } from '../../helpers/temp';

/** Polls `check` (a query on the shared database, which the hubs write from other processes) until it holds. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function stopHub(hub: RunningHub): Promise<void> {
  if (hub.child.exitCode !== null) return;
  hub.child.kill('SIGTERM');
  await once(hub.child, 'exit');
}

describe('fleet: two hubs on one PostgreSQL database', function () {
  this.timeout(180_000);

  it('each hub keeps to its own site, neither overwrites the other, and a second hub for a site is refused', async () => {
    const databaseUrl = (await sharedPostgres()).createDatabase();
    const key = testKey('h');
    const hubEnv = (site: string): Record<string, string> => {
      const dir = tempDir();
      fs.mkdirSync(path.join(dir, 'rules'));
      return { DATABASE_URL: databaseUrl, WALNUT_DB_KEY: key, WALNUT_SITE: site, WALNUT_DATA_DIR: dir, WALNUT_RULES_DIR: path.join(dir, 'rules') };
    };
    const db: Knex = knexFactory({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 2 } });
    const hubs = await Promise.all([spawnHub(hubEnv('north')), spawnHub(hubEnv('south'))]);
    try {
      for (const hub of hubs) assert.match(hub.dbPath, /^postgres:\/\/walnut:\*\*\*@/, 'the ready line names the database without its password');
      const siteIds = async (): Promise<Record<string, number>> =>
        Object.fromEntries(((await db('sites').select('name', 'id')) as Array<{ name: string; id: number }>).map((row) => [row.name, row.id]));
      const sites = await siteIds();
      assert.deepEqual(Object.keys(sites).sort(), ['north', 'south']);

      // Both seeded their own default flow, recorded the built-in simulated UPS, and keep their editor state and retained MQTT apart.
      const perSite = async (table: string): Promise<Record<number, number>> =>
        Object.fromEntries(((await db(table).select('site_id').count({ n: '*' }).groupBy('site_id')) as Array<{ site_id: number; n: number }>).map((row) => [row.site_id, Number(row.n)]));
      await until('both hubs to record their UPS', async () => Object.keys(await perSite('ups')).length === 2);
      await until('both hubs to write samples', async () => {
        const counts = (await db('ups_samples').join('ups', 'ups.id', 'ups_samples.ups_id').select('ups.site_id').count({ n: '*' }).groupBy('ups.site_id')) as unknown[];
        return counts.length === 2;
      });
      assert.deepEqual(await perSite('flow_revisions'), { [sites.north!]: 1, [sites.south!]: 1 }, 'one seeded flow revision per site');
      await until('both hubs to keep retained MQTT state', async () => Object.keys(await perSite('mqtt_retained')).length === 2);
      const flows = (await db('flow_revisions').select('site_id', 'version')) as Array<{ site_id: number; version: number }>;
      assert.deepEqual(flows.map((row) => row.version), [1, 1], 'each site has its own revision numbering');

      const third = spawn(process.execPath, [path.join(DIST, 'src/hub/main.js')], {
        env: childEnv({ ...hubEnv('north'), WALNUT_HTTP_PORT: '0', WALNUT_MQTT_PORT: '0', WALNUT_DEMO_NUT_PORT: '0', WALNUT_DEMO_DEVICES: 'false' }), stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      third.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      third.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const [code] = (await once(third, 'exit')) as [number | null];
      assert.notEqual(code, 0);
      assert.match(output, /another hub .* holds site "north"/);

      // One hub stopping leaves the other running on its own rows.
      await stopHub(hubs[0]);
      const before = Number(((await db('ups_samples').count({ n: '*' }).first()) as { n: number }).n);
      await until('the remaining hub to keep writing', async () => Number(((await db('ups_samples').count({ n: '*' }).first()) as { n: number }).n) > before);
      assert.equal(hubs[1].child.exitCode, null);
    } finally {
      await Promise.all(hubs.map(stopHub));
      await db.destroy();
    }
  });

  it('takes its site again after losing the connection that held it, and stops if another hub took it meanwhile', async () => {
    const databaseUrl = (await sharedPostgres()).createDatabase();
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'rules'));
    const hub = await spawnHub({ DATABASE_URL: databaseUrl, WALNUT_DB_KEY: testKey('l'), WALNUT_SITE: 'east', WALNUT_DATA_DIR: dir, WALNUT_RULES_DIR: path.join(dir, 'rules') });
    // Same login as the hub: PostgreSQL lets a role end its own sessions.
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    const siteKey = [0x574e5554, 'site:east'] as const;
    const holder = async (): Promise<number | undefined> => {
      const result = await admin.query<{ pid: number }>(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1 AND objid = ((hashtext($2)::bigint + 4294967296) % 4294967296)::oid AND objsubid = 2",
        [...siteKey],
      );
      return result.rows[0]?.pid;
    };
    try {
      const first = await holder();
      assert.ok(first !== undefined, 'the hub holds its site');
      await admin.query('SELECT pg_terminate_backend($1)', [first]);
      await hub.waitFor(/lost the database connection holding this hub's site/);
      await hub.waitFor(/this hub holds its site again/);
      const second = await holder();
      assert.ok(second !== undefined && second !== first, 'held again, on a new connection');

      // Now another session takes the site while the hub's connection is down: the hub must stop, not act beside it.
      await admin.query('SELECT pg_terminate_backend($1)', [second]);
      await admin.query('SELECT pg_advisory_lock($1, hashtext($2))', [...siteKey]);
      const [code] = (await once(hub.child, 'exit')) as [number | null];
      assert.equal(code, 1);
      assert.match(hub.output(), /another hub took site \\?"east\\?" while this hub's database connection was down/);
    } catch (error) {
      console.log(hub.output().slice(-5000));
      throw error;
    } finally {
      await stopHub(hub);
      await admin.end();
    }
  });
});
