import { strict as assert } from 'node:assert';
import { EventBus } from '../../../src/bus';
import { StoreBusyError, StoreConnectionError } from '../../../src/errors';
import { silentLogger } from '../../../src/logger';
import { HOUR_MS, RetentionService } from '../../../src/store/retention';
import { SampleWriter, type SampleRow } from '../../../src/store/samples';
import { ensureSite } from '../../../src/store/sites';
import type { Store } from '../../../src/store/store';
import { PG_PASSWORD, sharedPostgres } from '../../helpers/postgres';
import { openTestStore } from '../../helpers/store';
import { testKey } from '../../helpers/temp';

const MINUTE_MS = 60_000;

interface FleetHub {
  store: Store;
  upsId: number;
  writer: SampleWriter;
  retention: RetentionService;
}

async function fleetHub(databaseUrl: string, key: string, site: string, clock: () => number): Promise<FleetHub> {
  const { store } = await openTestStore({ databaseUrl, key, site, lockAs: 'walnut hub' });
  const siteRow = await ensureSite(store.knex, site);
  const [ups] = (await store.knex('ups').insert({ site_id: siteRow.id, name: 'ups', server: `nut.${site}:3493`, created_at: 1, updated_at: 1 }).returning('id')) as Array<{ id: number }>;
  const retention = new RetentionService(store.knex, new EventBus(), silentLogger(), { samplesHours: 1, rollupDays: 400, intervalSeconds: 300, batchSize: 200 }, clock);
  return { store, upsId: ups?.id ?? 0, writer: new SampleWriter(store.knex), retention };
}

const minuteOfSamples = (upsId: number, from: number): SampleRow[] =>
  Array.from({ length: 60 }, (_, second) => ({ ups_id: upsId, ts: from + second * 1000, status: 'OL', battery_charge: 100 - second / 60 }));

describe('fleet: several hubs on one PostgreSQL database', () => {
  it('two hubs through an hour and a half of samples on a virtual clock: no conflicts, exactly one pruner per run', async () => {
    const databaseUrl = (await sharedPostgres()).createDatabase();
    const key = testKey('f');
    const start = Date.UTC(2026, 10, 22, 10, 0, 0);
    let now = start;
    const clock = (): number => now;
    const hubs = await Promise.all([fleetHub(databaseUrl, key, 'north', clock), fleetHub(databaseUrl, key, 'south', clock)]);
    try {
      const perTick: number[] = [];
      for (let minute = 1; minute <= 90; minute += 1) {
        await Promise.all(hubs.map((hub) => hub.writer.insert(minuteOfSamples(hub.upsId, now))));
        now = start + minute * MINUTE_MS;
        if (minute % 5 !== 0) continue;
        // Both hubs' timers fire at once: one runs retention, the other finds the lock taken.
        const runs = await Promise.all(hubs.map((hub) => hub.retention.runOnce(now)));
        perTick.push(runs.filter((run) => run !== undefined).length);
      }
      assert.deepEqual(perTick, Array(18).fill(1), 'exactly one hub ran each retention turn');
      const cutoff = now - HOUR_MS;
      for (const hub of hubs) {
        const kept = (await hub.store.knex('ups_samples').where({ ups_id: hub.upsId }).count({ n: '*' }).first()) as { n: number };
        assert.equal(Number(kept.n), (now - cutoff) / 1000, 'each UPS keeps exactly its last hour');
        const older = (await hub.store.knex('ups_samples').where({ ups_id: hub.upsId }).andWhere('ts', '<', cutoff).count({ n: '*' }).first()) as { n: number };
        assert.equal(Number(older.n), 0);
      }
      // The first hour was rolled up once per UPS, from all of its 3600 samples, before they were pruned.
      const rollups = (await hubs[0]!.store.knex('ups_rollups').orderBy('ups_id')) as Array<{ ups_id: number; hour: number; samples: number }>;
      assert.deepEqual(rollups.map(({ ups_id, hour, samples }) => ({ ups_id, hour, samples })), hubs.map((hub) => ({ ups_id: hub.upsId, hour: start, samples: 3600 })).sort((a, b) => a.ups_id - b.ups_id));
    } finally {
      await Promise.all(hubs.map((hub) => hub.store.close()));
    }
  });

  it('refuses a second hub for the same site, and lets it in once the first has gone', async () => {
    const databaseUrl = (await sharedPostgres()).createDatabase();
    const key = testKey('s');
    const first = await openTestStore({ databaseUrl, key, site: 'east', lockAs: 'walnut hub' });
    await assert.rejects(openTestStore({ databaseUrl, key, site: 'east', lockAs: 'walnut hub' }), (error: unknown) => {
      assert.ok(error instanceof StoreBusyError);
      assert.match(error.message, /site "east".*own WALNUT_SITE/);
      assert.doesNotMatch(error.message, new RegExp(PG_PASSWORD));
      return true;
    });
    const other = await openTestStore({ databaseUrl, key, site: 'west', lockAs: 'walnut hub' });
    await first.store.close();
    const again = await openTestStore({ databaseUrl, key, site: 'east', lockAs: 'walnut hub' });
    await Promise.all([other.store.close(), again.store.close()]);
  });

  it('shares one data key between hubs started at once on an empty database', async () => {
    const databaseUrl = (await sharedPostgres()).createDatabase();
    const key = testKey('d');
    const [a, b] = await Promise.all([openTestStore({ databaseUrl, key }), openTestStore({ databaseUrl, key })]);
    await a.store.secrets().set('nut/monitor', 'shared-value');
    assert.equal(await b.store.secrets().get('nut/monitor'), 'shared-value', 'a secret sealed by one hub opens on the other');
    assert.equal(Number(((await a.store.knex('data_keys').count({ n: '*' }).first()) as { n: number }).n), 1);
    await Promise.all([a.store.close(), b.store.close()]);
  });

  it('names the setting to fix when the server refuses the login or cannot be reached', async () => {
    const server = await sharedPostgres();
    const wrong = server.createDatabase().replace(PG_PASSWORD, 'not-the-password');
    await assert.rejects(openTestStore({ databaseUrl: wrong }), (error: unknown) => {
      assert.ok(error instanceof StoreConnectionError);
      assert.equal(error.code, 'STORE_AUTH');
      assert.match(error.message, /DATABASE_URL/);
      assert.doesNotMatch(error.message, /not-the-password/);
      return true;
    });
    await assert.rejects(openTestStore({ databaseUrl: 'postgres://walnut:pw@127.0.0.1:1/none' }), (error: unknown) => {
      assert.ok(error instanceof StoreConnectionError);
      assert.equal(error.code, 'STORE_UNREACHABLE');
      return true;
    });
  });
});
