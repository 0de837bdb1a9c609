import { strict as assert } from 'node:assert';
import { EventBus } from '../../../src/bus';
import { silentLogger } from '../../../src/logger';
import { SampleBuffer } from '../../../src/store/sample-buffer';
import { SampleWriter } from '../../../src/store/samples';
import { describeEachBackend, openTestStore } from '../../helpers/store';

describeEachBackend('sample buffer', (backend) => {
  it('writes pending samples on stop and announces each batch', async () => {
    const { store } = await openTestStore({ backend });
    await store.knex('sites').insert({ id: 1, name: 's', created_at: 1, updated_at: 1 });
    await store.knex('ups').insert({ id: 1, site_id: 1, name: 'u', server: 'h:3493', created_at: 1, updated_at: 1 });
    const bus = new EventBus();
    const written: number[] = [];
    bus.onSamplesWritten((batch) => written.push(batch.count));
    const buffer = new SampleBuffer(new SampleWriter(store.knex), bus, silentLogger(), { flushIntervalMs: 60_000, maxRows: 1000 });
    buffer.start();
    for (let i = 0; i < 25; i += 1) buffer.add({ ups_id: 1, ts: i, status: 'OL', battery_charge: 100 });
    assert.equal(buffer.size, 25);
    await buffer.stop();
    assert.equal(buffer.size, 0);
    assert.deepEqual(written, [25]);
    assert.equal(((await store.knex('ups_samples').count({ n: '*' }).first()) as { n: number }).n, 25);
    await store.close();
  });

  it('flushes by itself when it reaches its size limit', async () => {
    const { store } = await openTestStore({ backend });
    await store.knex('sites').insert({ id: 1, name: 's', created_at: 1, updated_at: 1 });
    await store.knex('ups').insert({ id: 1, site_id: 1, name: 'u', server: 'h:3493', created_at: 1, updated_at: 1 });
    const bus = new EventBus();
    const flushed = new Promise<number>((resolve) => bus.onSamplesWritten((batch) => resolve(batch.count)));
    const buffer = new SampleBuffer(new SampleWriter(store.knex), bus, silentLogger(), { flushIntervalMs: 60_000, maxRows: 10 });
    for (let i = 0; i < 10; i += 1) buffer.add({ ups_id: 1, ts: i });
    assert.equal(await flushed, 10);
    await buffer.stop();
    await store.close();
  });

  it('keeps rows whose write failed for the next attempt', async () => {
    const { store } = await openTestStore({ backend });
    const buffer = new SampleBuffer(new SampleWriter(store.knex), new EventBus(), silentLogger(), { flushIntervalMs: 60_000, maxRows: 1000 });
    buffer.add({ ups_id: 999, ts: 1 }); // no such UPS: the foreign key refuses it
    await buffer.flush();
    assert.equal(buffer.size, 1);
    await store.close();
  });
});
