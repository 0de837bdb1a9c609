import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import helper, { type TestFlows } from 'node-red-node-test-helper';
import type { NodeMessage } from 'node-red';
import { ArchiveService } from '../../src/archive/archive-service';
import type { BackupSummary } from '../../src/archive/archive-service';
import { ArchiveReader } from '../../src/archive/reader';
import { EventBus } from '../../src/bus';
import type { HubServices } from '../../src/hub/services';
import { silentLogger } from '../../src/logger';
import { RulesService } from '../../src/policy/rules-service';
import { ensureSite } from '../../src/store/sites';
import { openTestStore, type TestStore } from '../helpers/store';
import { tempDir } from '../helpers/temp';
import archiveNode = require('../../nodes/archive/archive');

helper.init(require.resolve('node-red'));

describe('archive node', function () {
  this.timeout(30_000);
  let test: TestStore;
  let rules: RulesService;
  let backups: string;

  before(() => new Promise<void>((resolve) => helper.startServer(() => resolve())));
  after(() => new Promise<void>((resolve) => helper.stopServer(() => resolve())));

  beforeEach(async () => {
    test = await openTestStore();
    const site = await ensureSite(test.store.knex, 'default');
    await test.store.knex('events').insert({ site_id: site.id, ts: 1, severity: 'info', type: 't', source: 's', message: 'm', created_at: 1, updated_at: 1 });
    const bus = new EventBus();
    const dir = tempDir();
    fs.copyFileSync('rules/targets.yaml', path.join(dir, 'targets.yaml'));
    rules = new RulesService({ dir, bus, logger: silentLogger() });
    await rules.start();
    backups = path.join(tempDir(), 'backups');
    const archive = new ArchiveService({
      store: test.store, siteId: site.id, site: 'default', version: 'test', backup: { dir: backups, keep: 3 },
      mqtt: { baseTopic: 'walnut', discoveryPrefix: 'homeassistant' }, rules, logger: silentLogger(),
    });
    const services = { bus, rules, archive, policies: undefined as never, nut: undefined as never, samples: undefined as never, runner: undefined as never, siteId: site.id } satisfies HubServices;
    helper.settings({ walnut: services } as Parameters<typeof helper.settings>[0]);
  });
  afterEach(async () => {
    await helper.unload();
    await rules.stop();
    await test.store.close();
  });

  const output = (): Promise<NodeMessage> => new Promise((resolve) => helper.getNode('out').once('input', resolve));

  it('makes a backup on a message, and an incremental one on top of it', async () => {
    await helper.load(archiveNode, [{ id: 'a1', type: 'archive', wires: [['out']] }, { id: 'out', type: 'helper' }] as unknown as TestFlows);
    let next = output();
    helper.getNode('a1').receive({ payload: { action: 'backup' } } as NodeMessage);
    const full = (await next).payload as BackupSummary;
    assert.equal(full.type, 'full');
    assert.ok(fs.existsSync(full.path) && full.path.startsWith(backups));
    const header = (await ArchiveReader.open(full.path, { masterKey: (wrapped) => test.store.unwrapWithMasterKey(wrapped) })).header;
    assert.equal(header.sections.find((section) => section.name === 'events')?.rows, 1);

    next = output();
    helper.getNode('a1').receive({ payload: { action: 'backup', type: 'incremental' } } as NodeMessage);
    assert.equal(((await next).payload as BackupSummary).type, 'incremental');
  });

  it('runs its own schedule, and says when a schedule is not cron', async () => {
    await helper.load(archiveNode, [
      { id: 'a1', type: 'archive', schedule: '* * * * * *', backupType: 'full', wires: [['out']] }, { id: 'out', type: 'helper' },
    ] as unknown as TestFlows);
    const scheduled = await output();
    assert.equal(scheduled.topic, 'backup');
    assert.ok(fs.existsSync((scheduled.payload as BackupSummary).path));
    await helper.unload();

    await helper.load(archiveNode, [{ id: 'bad', type: 'archive', schedule: 'every night' }] as unknown as TestFlows);
    const node = helper.getNode('bad') as unknown as { status: (status: unknown) => void };
    void node;
    // The error is logged at construction; the node shows a red ring.
    const errors = (helper.log().args as unknown[][]).flat().filter((entry) => JSON.stringify(entry).includes('is not a cron expression'));
    assert.ok(errors.length > 0, 'the bad schedule is reported');
  });

  it('sends a bad request to Catch nodes', async () => {
    await helper.load(archiveNode, [{ id: 'a1', type: 'archive' }, { id: 'c1', type: 'catch', scope: null, wires: [['out']] }, { id: 'out', type: 'helper' }] as unknown as TestFlows);
    const next = output();
    helper.getNode('a1').receive({ payload: { action: 'shred' } } as NodeMessage);
    const caught = await next;
    assert.match(String((caught as { error?: { message?: string } }).error?.message), /payload.action must be "backup" or "export"/);
  });
});
