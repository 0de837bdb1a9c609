import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import knexFactory, { type Knex } from 'knex';
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
});
