import { strict as assert } from 'node:assert';
import { EventBus } from '../../../src/bus';
import { silentLogger } from '../../../src/logger';
import { snapshotFromVars } from '../../../src/nut/snapshot';
import { SampleBuffer } from '../../../src/store/sample-buffer';
import { SampleWriter } from '../../../src/store/samples';
import { ensureSite } from '../../../src/store/sites';
import { UpsRecorder } from '../../../src/store/ups-recorder';
import { describeEachBackend, openTestStore } from '../../helpers/store';

describeEachBackend('UPS recorder', (backend) => {
  it('registers each UPS once, keeps at most one sample per UPS per second, and stores events', async () => {
    const { store } = await openTestStore({ backend });
    const site = await ensureSite(store.knex, 'default');
    const bus = new EventBus();
    const samples = new SampleBuffer(new SampleWriter(store.knex), bus, silentLogger(), { flushIntervalMs: 60_000, maxRows: 10_000 });
    const recorder = new UpsRecorder(store.knex, bus, samples, site.id, silentLogger());
    recorder.start();
    const vars = { 'ups.status': 'OL', 'battery.charge': '100', 'device.mfr': 'ACME', 'device.model': 'Box 1500', 'device.serial': 'A1' };
    const second = Date.UTC(2026, 10, 22, 12, 0, 0);
    // Five readings of "ups" in one second (a 200 ms poll), two in the next, one of another UPS.
    for (const offset of [0, 200, 400, 600, 800, 1000, 1200]) bus.emitUpsSnapshot(snapshotFromVars('h:3493', 'ups', vars, second + offset));
    bus.emitUpsSnapshot(snapshotFromVars('h:3493', 'other', vars, second));
    bus.emitUpsEvent({ type: 'ONBATT', severity: 'warning', server: 'h:3493', ups: 'ups', ts: second, message: 'ups is on battery' });
    await recorder.stop();
    await samples.stop();

    const ups = (await store.knex('ups').orderBy('name').select('name', 'server', 'manufacturer', 'model', 'serial')) as unknown[];
    assert.deepEqual(ups, [
      { name: 'other', server: 'h:3493', manufacturer: 'ACME', model: 'Box 1500', serial: 'A1' },
      { name: 'ups', server: 'h:3493', manufacturer: 'ACME', model: 'Box 1500', serial: 'A1' },
    ]);
    const rows = (await store.knex('ups_samples').join('ups', 'ups.id', 'ups_samples.ups_id').orderBy('ts').select('ups.name', 'ts')) as Array<{ name: string; ts: number }>;
    assert.deepEqual(rows.filter((row) => row.name === 'ups').map((row) => Number(row.ts) - second), [0, 1000]);
    const events = (await store.knex('events').select('type', 'severity', 'source', 'message')) as unknown[];
    assert.deepEqual(events, [{ type: 'ONBATT', severity: 'warning', source: 'nut:h:3493/ups', message: 'ups is on battery' }]);
    await store.close();
  });
});
