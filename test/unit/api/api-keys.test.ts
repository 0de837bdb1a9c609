import { strict as assert } from 'node:assert';
import { UsageError } from '../../../src/errors';
import { createApiKey, listApiKeys, revokeApiKey, verifyApiKey } from '../../../src/store/api-keys';
import { ApiKey, AuditLog } from '../../../src/store/models';
import { ensureSite } from '../../../src/store/sites';
import type { Store } from '../../../src/store/store';
import { openTestStore } from '../../helpers/store';

describe('API keys in the store', () => {
  let store: Store;
  let siteId: number;

  beforeEach(async () => {
    ({ store } = await openTestStore());
    siteId = (await ensureSite(store.knex, 'default')).id;
  });

  afterEach(async () => {
    await store.close();
  });

  it('makes 256-bit keys, stores only their SHA-256, and audits without the key', async () => {
    const created = await createApiKey(store.knex, 'grafana', 'cli:test', siteId);
    assert.match(created.key, /^wn_[a-f0-9]{12}_[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(created.key.slice(16), 'base64url').length, 32);
    const row = await ApiKey.query(store.knex).findOne({ prefix: created.prefix });
    assert.match(row?.key_hash ?? '', /^[a-f0-9]{64}$/);
    const dump = JSON.stringify(await store.knex('api_keys').select()) + JSON.stringify(await AuditLog.query(store.knex));
    assert.ok(!dump.includes(created.key.slice(16)), 'the secret part is stored nowhere');
    const other = await createApiKey(store.knex, 'backup', 'cli:test', siteId);
    assert.notEqual(other.prefix, created.prefix);
  });

  it('accepts the key, and refuses a changed, malformed, unknown or revoked one', async () => {
    const { key, prefix } = await createApiKey(store.knex, 'grafana', 'cli:test', siteId);
    assert.deepEqual(await verifyApiKey(store.knex, key, 1_000_000), { name: 'grafana' });
    const flipped = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    assert.equal(await verifyApiKey(store.knex, flipped), null);
    assert.equal(await verifyApiKey(store.knex, `${key}x`), null);
    assert.equal(await verifyApiKey(store.knex, key.replace(prefix, '000000000000')), null);
    assert.equal((await listApiKeys(store.knex))[0]?.lastUsedAt?.getTime(), 1_000_000);
    await revokeApiKey(store.knex, prefix, 'cli:test', siteId);
    assert.equal(await verifyApiKey(store.knex, key), null);
  });

  it('refuses a second active key of one name and bad names; a revoked name may be reused', async () => {
    await createApiKey(store.knex, 'grafana', 'cli:test', siteId);
    await assert.rejects(createApiKey(store.knex, 'grafana', 'cli:test', siteId), (error: Error) => error instanceof UsageError && /an active API key named "grafana" exists/.test(error.message));
    await assert.rejects(createApiKey(store.knex, 'no spaces', 'cli:test', siteId), /not a valid API key name/);
    await revokeApiKey(store.knex, 'grafana', 'cli:test', siteId);
    await createApiKey(store.knex, 'grafana', 'cli:test', siteId);
    const keys = await listApiKeys(store.knex);
    assert.deepEqual(keys.map((key) => [key.name, key.revokedAt === null]), [['grafana', true], ['grafana', false]]);
    await assert.rejects(revokeApiKey(store.knex, 'nope', 'cli:test', siteId), /no active API key named or prefixed "nope"/);
    const audit = await AuditLog.query(store.knex).orderBy('id');
    assert.deepEqual(audit.map((row) => row.action), ['apikey.created', 'apikey.revoked', 'apikey.created']);
  });
});
