import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import helper, { type TestFlows } from 'node-red-node-test-helper';
import type { NodeMessage } from 'node-red';
import { storeBackedRunner } from '../../src/actions/hub-runner';
import type { JobResult } from '../../src/actions/runner';
import { EventBus } from '../../src/bus';
import type { HubServices } from '../../src/hub/services';
import { silentLogger } from '../../src/logger';
import { RulesService } from '../../src/policy/rules-service';
import { ShellySimulator } from '../../src/shelly/simulator';
import { ensureSite } from '../../src/store/sites';
import { TapoSimulator } from '../../src/tapo/simulator';
import { openTestStore, type TestStore } from '../helpers/store';
import { tempDir } from '../helpers/temp';
import switchShellyNode = require('../../nodes/switch-shelly/switch-shelly');
import switchTapoNode = require('../../nodes/switch-tapo/switch-tapo');
import shutdownProxmoxNode = require('../../nodes/shutdown-proxmox/shutdown-proxmox');

helper.init(require.resolve('node-red'));

describe('device nodes: switch-shelly, switch-tapo, shutdown-proxmox', function () {
  this.timeout(30_000);
  let test: TestStore;
  let rules: RulesService;
  let shelly: ShellySimulator;
  let tapo: TapoSimulator;

  before(() => new Promise<void>((resolve) => helper.startServer(() => resolve())));
  after(() => new Promise<void>((resolve) => helper.stopServer(() => resolve())));

  beforeEach(async () => {
    shelly = new ShellySimulator({ gen: 2, password: 'sh-pw' });
    const relay = await shelly.start({ host: '127.0.0.1', port: 0 });
    tapo = new TapoSimulator({ email: 'me@example.com', password: 'tp-pw', transport: 'klap' });
    const plug = await tapo.start({ host: '127.0.0.1', port: 0 });
    test = await openTestStore();
    await test.store.secrets().set('shelly', 'admin:sh-pw');
    await test.store.secrets().set('tapo', 'me@example.com:tp-pw');
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'targets.yaml'), `apiVersion: walnut/v1
kind: Targets
targets:
  fan: { type: shelly, host: "${relay.host}:${relay.port}", credentials: { secretRef: shelly } }
  heater: { type: tapo, host: "${plug.host}:${plug.port}", credentials: { secretRef: tapo } }
`);
    const bus = new EventBus();
    const siteId = (await ensureSite(test.store.knex, 'default')).id;
    rules = new RulesService({ dir, bus, logger: silentLogger() });
    await rules.start();
    const runner = storeBackedRunner(test.store, siteId, rules, bus, silentLogger());
    const services = { bus, rules, runner, policies: undefined as never, nut: undefined as never, samples: undefined as never, archive: undefined as never, siteId } satisfies HubServices;
    helper.settings({ walnut: services } as Parameters<typeof helper.settings>[0]);
  });
  afterEach(async () => {
    await helper.unload();
    await rules.stop();
    await test.store.close();
    await shelly.stop();
    await tapo.stop();
  });

  it('switch off by hand through each plug node; the result carries no secret', async () => {
    await helper.load([switchShellyNode, switchTapoNode, shutdownProxmoxNode], [
      { id: 'n1', type: 'switch-shelly', target: 'fan', wires: [['out']] },
      { id: 'n2', type: 'switch-tapo', target: 'heater', wires: [['out']] },
      { id: 'n3', type: 'shutdown-proxmox', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ] as unknown as TestFlows);
    const results: JobResult[] = [];
    const twoResults = new Promise<void>((resolve) => helper.getNode('out').on('input', (msg: NodeMessage) => {
      results.push(msg.payload as JobResult);
      if (results.length === 2) resolve();
    }));
    helper.getNode('n1').receive({ payload: { op: 'off' } });
    helper.getNode('n2').receive({ payload: { op: 'off' } });
    await twoResults;
    assert.deepEqual(results.map((result) => [result.target, result.state]).sort(), [['fan', 'completed'], ['heater', 'completed']]);
    assert.equal(shelly.isOn(0), false);
    assert.equal(tapo.deviceOn, false);
    assert.ok(!JSON.stringify(results).includes('sh-pw') && !JSON.stringify(results).includes('tp-pw'));
  });
});
