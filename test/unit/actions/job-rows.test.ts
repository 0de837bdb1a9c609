import { strict as assert } from 'node:assert';
import { JobRows } from '../../../src/actions/job-rows';
import { Job } from '../../../src/store/models';
import { ensureSite } from '../../../src/store/sites';
import type { Store } from '../../../src/store/store';
import { describeEachBackend, openTestStore, type StoreBackend } from '../../helpers/store';

function jobRowsSuite(backend: StoreBackend): void {
  let store: Store;
  let siteId: number;
  beforeEach(async () => {
    store = (await openTestStore({ backend })).store;
    siteId = (await ensureSite(store.knex, 'default')).id;
  });
  afterEach(() => store.close());

  const row = (target: string) => {
    const now = Date.now();
    return { site_id: siteId, target, op: 'off', state: 'queued', dry_run: false, attempts: 0, queued_at: now, created_at: now, updated_at: now };
  };

  it('concurrent writes each resume with their own committed result', async () => {
    const ids = await Promise.all(Array.from({ length: 50 }, (_, index) => new JobRows(store.knex).insert(row(`t${index}`))));
    assert.equal(new Set(ids).size, 50);
    const rows = new JobRows(store.knex);
    await Promise.all(ids.map((id) => rows.update(id, { state: 'sent', attempts: 1 })));
    assert.equal((await Job.query(store.knex).where({ state: 'sent' })).length, 50);
  });

  it('one bad write among concurrent ones fails only its own caller', async () => {
    const rows = new JobRows(store.knex);
    const good = rows.insert(row('good'));
    const bad = rows.insert({ ...row('bad'), no_such_column: 1 });
    const alsoGood = rows.insert(row('also-good'));
    await assert.rejects(bad, /no_such_column/);
    const [goodId, alsoGoodId] = [await good, await alsoGood];
    assert.ok(goodId > 0 && alsoGoodId > 0 && goodId !== alsoGoodId);
    // On PostgreSQL the three writes race on separate pool connections, so only the set is fixed, not the order.
    const stored = await Job.query(store.knex).orderBy('target');
    assert.deepEqual(stored.map((job) => [job.target, job.id]), [['also-good', alsoGoodId], ['good', goodId]]);
  });
}

describeEachBackend('job rows', jobRowsSuite);
