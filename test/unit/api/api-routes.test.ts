import { strict as assert } from 'node:assert';
import { revokeApiKey } from '../../../src/store/api-keys';
import { AuditLog } from '../../../src/store/models';
import { ensureSite } from '../../../src/store/sites';
import { CANARY, startHarness, type Harness } from './api-harness';

interface Paged {
  items: Array<Record<string, unknown>>;
  nextCursor: string | null;
}
interface ErrorBody {
  error: { code: string; message: string };
}

const HOUR = 3_600_000;

describe('REST API routes (in process, real store)', () => {
  let api: Harness;
  let upsId: number;

  beforeEach(async () => {
    api = await startHarness();
    const knex = api.store.knex;
    [upsId] = (await knex('ups').insert({ site_id: api.siteId, name: 'ups', server: '127.0.0.1:3493', created_at: 1, updated_at: 1 }).returning('id')).map((row: { id: number }) => row.id) as [number];
    const now = api.clock.now;
    // Five raw samples a minute apart in the last hour, and three hourly rollups long ago.
    await knex('ups_samples').insert([0, 1, 2, 3, 4].map((minute) => ({ ups_id: upsId, ts: now - 30 * 60_000 + minute * 60_000, status: 'OL', battery_charge: 100 - minute })));
    await knex('ups_rollups').insert([0, 1, 2].map((hour) => ({ ups_id: upsId, hour: now - 10 * 24 * HOUR + hour * HOUR, samples: 60, battery_charge_min: 90, battery_charge_avg: 95, battery_charge_max: 100, created_at: 1, updated_at: 1 })));
    await knex('events').insert([0, 1, 2, 3].map((index) => ({
      site_id: api.siteId, ts: now - index * 1000, severity: index === 0 ? 'critical' : 'info', type: 'ups.status', source: 'test', ups_id: upsId,
      message: `event ${index}`, data: JSON.stringify({ password: CANARY, index }), created_at: 1, updated_at: 1,
    })));
  });

  afterEach(async () => {
    await api.close();
  });

  it('answers /health without a key and says nothing else', async () => {
    const health = await api.get('/health', null);
    assert.equal(health.status, 200);
    assert.deepEqual(Object.keys(health.body as object).sort(), ['nut', 'site', 'status', 'store', 'uptimeS', 'version']);
    assert.equal((health.body as { uptimeS: number }).uptimeS, 5);
  });

  it('refuses a missing, malformed or revoked key with 401 and a JSON error', async () => {
    const missing = await api.get('/ups', null);
    assert.equal(missing.status, 401);
    assert.equal((missing.body as ErrorBody).error.code, 'API_UNAUTHORIZED');
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="walnut"');
    assert.equal((await api.get('/ups', 'wn_nothex_xyz')).status, 401);
    const wrongSecret = api.key.slice(0, -4) + (api.key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    assert.equal((await api.get('/ups', wrongSecret)).status, 401, 'right prefix, wrong secret');
    assert.equal((await api.get('/ups')).status, 200);
    await revokeApiKey(api.store.knex, 'tests', 'cli:test', api.siteId);
    assert.equal((await api.get('/ups')).status, 401, 'revoked: refused on the very next request');
  });

  it('answers 429 with Retry-After after ten failures from one address, even for the right key, until the window passes', async () => {
    for (let failure = 0; failure < 10; failure += 1) assert.equal((await api.get('/ups', 'wn_000000000000_wrong')).status, 401);
    api.clock.now += 15_000;
    const limited = await api.get('/ups');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '45');
    assert.equal((limited.body as ErrorBody).error.code, 'API_RATE_LIMITED');
    api.clock.now += 45_000;
    assert.equal((await api.get('/ups')).status, 200);
    for (let request = 0; request < 20; request += 1) assert.equal((await api.get('/ups')).status, 200, 'successes are never limited');
  });

  it('lists UPSes with their newest reading, one by id or by server/name, 404 otherwise', async () => {
    api.snapshots.push({ server: '127.0.0.1:3493', ups: 'ups', ts: api.clock.now, comm: 'ok', status: 'OL', flags: ['OL'], vars: { 'battery.charge': '100' }, batteryCharge: 100 });
    const list = await api.get('/ups');
    const [first] = (list.body as Paged).items;
    assert.equal(first?.name, 'ups');
    assert.equal((first?.latest as { batteryCharge: number }).batteryCharge, 100);
    assert.equal(((await api.get(`/ups/${upsId}`)).body as { name: string }).name, 'ups');
    assert.equal(((await api.get('/ups/127.0.0.1:3493/ups')).body as { id: number }).id, upsId);
    const missing = await api.get('/ups/999');
    assert.equal(missing.status, 404);
    assert.equal((missing.body as ErrorBody).error.code, 'API_NOT_FOUND');
  });

  it('pages raw samples by cursor, and answers long or old ranges from the rollups', async () => {
    const from = new Date(api.clock.now - HOUR).toISOString();
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await api.get(`/ups/${upsId}/samples?from=${from}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      const body = page.body as Paged & { source: string };
      assert.equal(body.source, 'samples');
      seen.push(...body.items.map((item) => item.batteryCharge as number));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor !== null);
    assert.deepEqual(seen, [100, 99, 98, 97, 96]);
    assert.equal(pages, 3);

    const long = await api.get(`/ups/127.0.0.1:3493/ups/samples?from=${new Date(api.clock.now - 11 * 24 * HOUR).toISOString()}`);
    const body = long.body as Paged & { source: string };
    assert.equal(body.source, 'rollups', 'longer than 48 h');
    assert.equal(body.items.length, 3);
    assert.deepEqual(body.items[0]?.batteryCharge, { min: 90, avg: 95, max: 100 });
    const old = await api.get(`/ups/${upsId}/samples?from=${new Date(api.clock.now - 10 * 24 * HOUR).toISOString()}&to=${new Date(api.clock.now - 9 * 24 * HOUR).toISOString()}`);
    assert.equal((old.body as { source: string }).source, 'rollups', 'past the samples retention');
  });

  it('pages events newest first with filters, redacting secret-named data fields', async () => {
    const first = (await api.get('/events?limit=3')).body as Paged;
    assert.deepEqual(first.items.map((item) => item.message), ['event 0', 'event 1', 'event 2']);
    assert.ok(first.nextCursor);
    const second = (await api.get(`/events?limit=3&cursor=${first.nextCursor}`)).body as Paged;
    assert.deepEqual(second.items.map((item) => item.message), ['event 3']);
    assert.equal(second.nextCursor, null);
    const critical = (await api.get(`/events?severity=critical&ups=${upsId}`)).body as Paged;
    assert.deepEqual(critical.items.map((item) => item.message), ['event 0']);
    assert.doesNotMatch(JSON.stringify(first), new RegExp(CANARY));
  });

  it('refuses bad query parameters with 400 and says which and why', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/events?limit=501', /query parameter limit: must be <= 500/],
      ['/events?limit=ten', /query parameter limit: must be integer/],
      ['/events?severity=loud', /query parameter severity: must be equal to one of the allowed values \(debug, info, warning, error, critical\)/],
      ['/events?from=yesterday', /query parameter from: must match format "date-time"/],
      ['/events?colour=red', /unknown query parameter "colour"/],
      ['/events?cursor=bm9wZQ', /cursor: not a cursor this API gave out/],
      ['/jobs?status=done', /query parameter status/],
      [`/ups/${upsId}/samples?from=2026-11-22T12:00:00Z&to=2026-11-22T11:00:00Z`, /from must not be after to/],
    ];
    for (const [route, message] of cases) {
      const answer = await api.get(route);
      assert.equal(answer.status, 400, route);
      assert.equal((answer.body as ErrorBody).error.code, 'API_BAD_REQUEST', route);
      assert.match((answer.body as ErrorBody).error.message, message, route);
    }
  });

  it('arms and disarms a policy through the audited override, and toggles its simulation', async () => {
    const policy = await api.get('/policies/drill');
    assert.equal(policy.status, 200);
    assert.equal((policy.body as { armed: boolean }).armed, true);
    const disarmed = await api.post('/policies/drill/disarm');
    assert.equal((disarmed.body as { armed: boolean }).armed, false);
    const audit = await AuditLog.query(api.store.knex).where({ action: 'policy.override.set' });
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.actor, 'api:tests');
    assert.equal(audit[0]?.ip, '127.0.0.1');
    assert.equal((await api.post('/policies/drill/arm')).status, 200);
    const started = await api.post('/policies/drill/simulate?action=start');
    assert.equal((started.body as { simulating: boolean }).simulating, true);
    const again = await api.post('/policies/drill/simulate?action=start');
    assert.equal((again.body as { simulating: boolean }).simulating, true, 'start is idempotent');
    const stopped = await api.post('/policies/drill/simulate');
    assert.equal((stopped.body as { simulating: boolean }).simulating, false, 'toggle stops it');
    const simulations = await AuditLog.query(api.store.knex).where('action', 'like', 'policy.simulation.%').orderBy('id');
    assert.deepEqual(simulations.map((row) => row.action), ['policy.simulation.start', 'policy.simulation.stop']);
    assert.equal((await api.post('/policies/nope/arm')).status, 404);
  });

  it('lists targets with secret names only, never a secret value', async () => {
    const targets = await api.get('/targets');
    const nas = (targets.body as Paged).items.find((item) => item.name === 'nas');
    assert.equal(nas?.secretRef, 'ssh/nas');
    assert.equal(nas?.address, 'root@127.0.0.1:9');
    assert.doesNotMatch(JSON.stringify(targets.body), new RegExp(CANARY));
  });

  it('pages jobs and archives newest first', async () => {
    const knex = api.store.knex;
    const [policy] = (await knex('policies').where({ name: 'drill' }).select('id')) as Array<{ id: number }>;
    await knex('jobs').insert([0, 1, 2].map((index) => ({
      site_id: api.siteId, policy_id: policy?.id, target: 'rack-plug', op: 'off', state: index === 2 ? 'failed' : 'completed', dry_run: false,
      attempts: 1, queued_at: index, created_at: 1, updated_at: 1,
    })));
    const page = (await api.get('/jobs?policy=drill&limit=2')).body as Paged;
    assert.equal(page.items.length, 2);
    assert.equal(page.items[0]?.status, 'failed');
    assert.equal(page.items[0]?.policy, 'drill');
    const rest = (await api.get(`/jobs?policy=drill&limit=2&cursor=${page.nextCursor ?? ''}`)).body as Paged;
    assert.equal(rest.items.length, 1);
    assert.equal(rest.nextCursor, null);
    assert.equal(((await api.get('/jobs?status=failed')).body as Paged).items.length, 1);
    assert.deepEqual(((await api.get('/archives')).body as Paged), { items: [], nextCursor: null });
    const otherSite = (await ensureSite(knex, 'elsewhere')).id;
    const archive = (site_id: number, file: string) => ({ site_id, path: file, type: 'full', sha256: 'a'.repeat(64), size_bytes: 10, schema_version: '007_archive_sites', created_at: 1, updated_at: 1 });
    await knex('archives').insert([archive(api.siteId, '/b/mine-1.wnar'), archive(otherSite, '/b/theirs.wnar'), archive(api.siteId, '/b/mine-2.wnar')]);
    const archives = (await api.get('/archives')).body as Paged;
    assert.deepEqual(archives.items.map((item) => item.path), ['/b/mine-2.wnar', '/b/mine-1.wnar'], 'another site\'s backups are not listed');
  });

  it('answers an unknown route under /api/v1 with a JSON 404 (after authentication)', async () => {
    const answer = await api.get('/nope');
    assert.equal(answer.status, 404);
    assert.equal((answer.body as ErrorBody).error.code, 'API_NOT_FOUND');
  });
});
