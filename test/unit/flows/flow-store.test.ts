import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { diffFlows, withoutCredentials } from '../../../src/flows/flow-diff';
import { FlowStore, type FlowNode } from '../../../src/flows/flow-store';
import { flowStorageModule } from '../../../src/flows/flow-storage';
import { NodeRedState } from '../../../src/flows/node-red-state';
import { decryptNodeRedCredentials, encryptNodeRedCredentials } from '../../../src/flows/node-red-credentials';
import { ensureSite } from '../../../src/store/sites';
import { openTestStore, type TestStore } from '../../helpers/store';

const FLOW: FlowNode[] = [{ id: 'tab1', type: 'tab', label: 'walNUT' }, { id: 'p1', type: 'policy', z: 'tab1', policy: 'lab', version: 1 }];

describe('flow revisions and the storage module', () => {
  let test: TestStore;
  let siteId: number;

  beforeEach(async () => {
    test = await openTestStore();
    siteId = (await ensureSite(test.store.knex, 'default')).id;
  });
  afterEach(() => test.store.close());

  it('seeds on first load, then every deploy is a revision with its credentials, audited', async () => {
    const flows = new FlowStore(test.store.knex, siteId);
    const state = new NodeRedState(test.store.knex, siteId, test.store.deriveKey('walnut/node-red-state/v1'));
    const seen: number[] = [];
    const storage = flowStorageModule({ flows, state, seed: () => Promise.resolve({ flows: FLOW, credentials: null, message: 'seed' }), onRevision: (revision) => seen.push(revision.version) });
    assert.deepEqual(await storage.getFlows(), FLOW);
    assert.deepEqual(await storage.getFlows(), FLOW, 'seeded once');
    assert.equal((await flows.list()).length, 1);

    const sealed = encryptNodeRedCredentials('secret', { s1: { password: 'pw' } });
    await storage.saveCredentials(sealed);
    const changed = [...FLOW, { id: 's1', type: 'nut-server', host: 'nas', version: 1 }];
    await storage.saveFlows(changed, { username: 'alice' });
    const latest = (await flows.latest())!;
    assert.deepEqual([latest.version, latest.actor], [2, 'editor:alice']);
    assert.deepEqual(latest.credentials, sealed);
    assert.deepEqual(decryptNodeRedCredentials('secret', latest.credentials as { $: string }), { s1: { password: 'pw' } });
    assert.deepEqual(seen, [1, 1, 2]);
    const audit = await test.store.knex('audit_logs').where({ action: 'flows.deployed' }).orderBy('id');
    assert.deepEqual(audit.map((row: { actor: string; resource: string }) => [row.actor, row.resource]), [['walnut', 'flows/1'], ['editor:alice', 'flows/2']]);

    const diff = diffFlows((await flows.get(1)).flows, latest.flows);
    assert.deepEqual(diff.added.map((node) => node.id), ['s1']);
    const rolled = await flows.rollback(1, 'cli:test');
    assert.deepEqual([rolled.version, rolled.message, rolled.flows], [3, 'rollback to 1', FLOW]);
    assert.deepEqual(withoutCredentials([{ id: 'x', type: 't', credentials: { password: 'pw' } }]), [{ id: 'x', type: 't' }]);
  });

  it('keeps settings, sealed sessions and library entries in the store, not in files', async () => {
    const state = new NodeRedState(test.store.knex, siteId, test.store.deriveKey('walnut/node-red-state/v1'));
    const storage = flowStorageModule({ flows: new FlowStore(test.store.knex, siteId), state, seed: () => Promise.resolve({ flows: [], credentials: null, message: 'seed' }) });
    await storage.saveSettings({ users: { alice: { editor: { view: { 'view-grid-size': 20 } } } } });
    assert.deepEqual(await storage.getSettings(), { users: { alice: { editor: { view: { 'view-grid-size': 20 } } } } });
    await storage.saveSessions({ 'token-canary-81f2': { user: 'alice', expires: 1 } });
    assert.deepEqual(Object.keys(await storage.getSessions()), ['token-canary-81f2']);
    const raw = (await test.store.knex('node_red_state').where({ key: 'sealed:sessions' }).first()) as { value: string };
    assert.ok(!raw.value.includes('token-canary'), 'sessions are sealed in the row');
    await storage.saveLibraryEntry('flows', 'mine/notify', { description: 'n' }, '[{"id":"a"}]');
    assert.equal(await storage.getLibraryEntry('flows', 'mine/notify.json'), '[{"id":"a"}]');
    assert.deepEqual(await storage.getLibraryEntry('flows', ''), ['mine']);
    assert.deepEqual(await storage.getLibraryEntry('flows', 'mine'), [{ description: 'n', fn: 'notify.json' }]);
    await assert.rejects(storage.saveLibraryEntry('flows', '../escape', {}, '[]'));
    if (!test.store.isPostgres) assert.ok(!fs.readFileSync(test.dbPath).includes('token-canary'));
  });
});
