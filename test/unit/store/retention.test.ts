import { strict as assert } from 'node:assert';
import { EventBus, type RetentionRun } from '../../../src/bus';
import { silentLogger } from '../../../src/logger';
import { HOUR_MS, RetentionService } from '../../../src/store/retention';
import { SampleWriter, type SampleRow } from '../../../src/store/samples';
import { describeEachBackend, openTestStore } from '../../helpers/store';

const DAY_MS = 24 * HOUR_MS;

async function seedUps(knex: import('knex').Knex): Promise<number> {
  const [site] = (await knex('sites').insert({ name: 's', created_at: 1, updated_at: 1 }).returning('id')) as Array<{ id: number }>;
  const [ups] = (await knex('ups').insert({ site_id: site?.id, name: 'ups', server: 'localhost:3493', created_at: 1, updated_at: 1 }).returning('id')) as Array<{ id: number }>;
  return ups?.id ?? 0;
}

describeEachBackend('retention and rollups', (backend) => {
  const now = Date.UTC(2026, 10, 22, 12, 30, 0);
  const options = { samplesHours: 24, rollupDays: 400, intervalSeconds: 300, batchSize: 7 };

  it('prunes exactly the samples older than the window, in bounded batches', async () => {
    const { store } = await openTestStore({ backend });
    const upsId = await seedUps(store.knex);
    const cutoff = now - 24 * HOUR_MS;
    const times = [cutoff - 3 * HOUR_MS, cutoff - 60_000, cutoff - 1, cutoff, cutoff + 1, now - 1000];
    // 30 old rows in one minute, so several batches of 7 are needed.
    for (let i = 0; i < 30; i += 1) times.push(cutoff - 2 * HOUR_MS + i * 1000);
    await new SampleWriter(store.knex).insert(times.map((ts) => ({ ups_id: upsId, ts, battery_charge: 100 })));
    const runs: RetentionRun[] = [];
    const bus = new EventBus();
    bus.onRetentionRun((run) => runs.push(run));
    const run = await new RetentionService(store.knex, bus, silentLogger(), options).runOnce(now);
    assert.equal(run?.prunedSamples, 33);
    const left = ((await store.knex('ups_samples').orderBy('ts').pluck('ts')) as number[]).map(Number);
    assert.deepEqual(left, [cutoff, cutoff + 1, now - 1000]);
    assert.deepEqual(runs, [run], 'the run is announced on the bus');
    await store.close();
  });

  it('rolls complete hours up into min/avg/max before their samples go, and only once', async () => {
    const { store } = await openTestStore({ backend });
    const upsId = await seedUps(store.knex);
    const hour = Math.floor((now - 30 * HOUR_MS) / HOUR_MS) * HOUR_MS; // old enough to be pruned
    const rows: SampleRow[] = [
      { ups_id: upsId, ts: hour + 1000, battery_charge: 100, ups_load: 20, battery_runtime: 1800 },
      { ups_id: upsId, ts: hour + 2000, battery_charge: 90, ups_load: 30, battery_runtime: 1500 },
      { ups_id: upsId, ts: hour + 3000, battery_charge: 80, ups_load: 40, battery_runtime: null },
      { ups_id: upsId, ts: hour + HOUR_MS + 5, battery_charge: 50, ups_load: 10 },
      { ups_id: upsId, ts: now - 60_000, battery_charge: 70 }, // the current hour: not complete, not rolled
    ];
    await new SampleWriter(store.knex).insert(rows);
    const service = new RetentionService(store.knex, new EventBus(), silentLogger(), options);
    const run = await service.runOnce(now);
    assert.equal(run?.rolledUpHours, 2);
    const rollups = (await store.knex('ups_rollups').orderBy('hour')) as Array<Record<string, number>>;
    assert.equal(rollups.length, 2);
    const first = rollups[0] ?? {};
    assert.equal(Number(first.hour), hour);
    assert.equal(first.samples, 3);
    assert.equal(first.battery_charge_min, 80);
    assert.equal(first.battery_charge_avg, 90);
    assert.equal(first.battery_charge_max, 100);
    assert.equal(first.ups_load_avg, 30);
    assert.equal(first.battery_runtime_min, 1500, 'missing readings are not zeros');
    assert.equal(Number(rollups[1]?.hour), hour + HOUR_MS);
    assert.equal(((await store.knex('ups_samples').count({ n: '*' }).first()) as { n: number }).n, 1, 'only the current hour\'s sample is left');
    assert.equal((await service.runOnce(now))?.rolledUpHours, 0, 'a second run has nothing new to roll up');
    await store.close();
  });

  it('keeps hourly rollups for 400 days', async () => {
    const { store } = await openTestStore({ backend });
    const upsId = await seedUps(store.knex);
    const keep = Math.floor((now - 399 * DAY_MS) / HOUR_MS) * HOUR_MS;
    const drop = Math.floor((now - 401 * DAY_MS) / HOUR_MS) * HOUR_MS;
    for (const hour of [drop, keep]) await store.knex('ups_rollups').insert({ ups_id: upsId, hour, samples: 1, created_at: 1, updated_at: 1 });
    const run = await new RetentionService(store.knex, new EventBus(), silentLogger(), options).runOnce(now);
    assert.equal(run?.prunedRollups, 1);
    assert.deepEqual(((await store.knex('ups_rollups').pluck('hour')) as number[]).map(Number), [keep]);
    await store.close();
  });
});
