import { strict as assert } from 'node:assert';
import { JobRows } from '../../../src/actions/job-rows';
import { Job } from '../../../src/store/models';
import { ensureSite } from '../../../src/store/sites';
import type { Store } from '../../../src/store/store';
import { openTestStore } from '../../helpers/store';

describe('job rows: group commit on SQLite', () => {
  let store: Store;
  let siteId: number;
  beforeEach(async () => {
    store = (await openTestStore()).store;
    siteId = (await ensureSite(store.knex, 'default')).id;
  });
  afterEach(() => store.close());

  const row = (target: string) => {
    const now = Date.now();
    return { site_id: siteId, target, op: 'off', state: 'queued', dry_run: false, attempts: 0, queued_at: now, created_at: now, updated_at: now };
  };

  it('concurrent writes share a transaction, and each caller resumes with its own committed result', async () => {
    const ids = await Promise.all(Array.from({ length: 50 }, (_, index) => new JobRows(store.knex).insert(row(`t${index}`))));
    assert.equal(new Set(ids).size, 50);
    const rows = new JobRows(store.knex);
    await Promise.all(ids.map((id) => rows.update(id, { state: 'sent', attempts: 1 })));
    assert.equal((await Job.query(store.knex).where({ state: 'sent' })).length, 50);
  });

  it('one bad write in a batch fails only its own caller', async () => {
    const rows = new JobRows(store.knex);
    const good = rows.insert(row('good'));
    const bad = rows.insert({ ...row('bad'), no_such_column: 1 });
    const alsoGood = rows.insert(row('also-good'));
    await assert.rejects(bad, /no_such_column/);
    assert.ok((await good) > 0 && (await alsoGood) > 0);
    assert.deepEqual((await Job.query(store.knex).orderBy('id')).map((job) => job.target), ['good', 'also-good']);
  });
});
