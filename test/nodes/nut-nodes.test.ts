import { strict as assert } from 'node:assert';
import helper, { type TestFlows } from 'node-red-node-test-helper';
import type { Node, NodeMessage } from 'node-red';
import { EventBus } from '../../src/bus';
import type { HubServices } from '../../src/hub/services';
import { silentLogger } from '../../src/logger';
import type { NutEvent } from '../../src/nut/events';
import { NutService } from '../../src/nut/service';
import { defaultDemoUps, NutSimulator } from '../../src/nut/simulator';
import type { UpsSnapshot } from '../../src/nut/snapshot';
import nutServerNode = require('../../nodes/nut-server/nut-server');
import nutUpsNode = require('../../nodes/nut-ups/nut-ups');

helper.init(require.resolve('node-red'));

interface UpsMessage extends NodeMessage {
  payload: UpsSnapshot | null;
  event?: NutEvent;
}

/** Messages arriving at a helper node, awaited one by one. */
function collector(node: Node): (where?: (msg: UpsMessage) => boolean) => Promise<UpsMessage> {
  const queue: UpsMessage[] = [];
  const waiters: Array<{ where: (msg: UpsMessage) => boolean; resolve: (msg: UpsMessage) => void }> = [];
  node.on('input', (msg: NodeMessage) => {
    const message = msg as UpsMessage;
    const index = waiters.findIndex((waiter) => waiter.where(message));
    if (index >= 0) waiters.splice(index, 1)[0]?.resolve(message);
    else queue.push(message);
  });
  return (where = () => true) =>
    new Promise((resolve, reject) => {
      const index = queue.findIndex(where);
      if (index >= 0) return resolve(queue.splice(index, 1)[0] as UpsMessage);
      const timer = setTimeout(() => reject(new Error('no matching message within 10 s')), 10_000);
      waiters.push({ where, resolve: (msg) => { clearTimeout(timer); resolve(msg); } });
    });
}

describe('nut-server and nut-ups nodes', function () {
  this.timeout(30_000);
  let simulator: NutSimulator;
  let port: number;
  let services: HubServices;
  const demo = defaultDemoUps();

  before(async () => {
    simulator = new NutSimulator();
    simulator.addUps(demo.name, demo.definition);
    simulator.addUps('second', { ...demo.definition, description: 'another UPS' });
    simulator.addUser('monuser', { password: 'secret', upsmon: 'secondary' });
    ({ port } = await simulator.start({ host: '127.0.0.1', port: 0 }));
    await new Promise<void>((resolve) => helper.startServer(() => resolve()));
  });
  beforeEach(() => {
    const bus = new EventBus();
    services = { bus, nut: new NutService(bus, silentLogger()), samples: undefined as never, archive: undefined as never, rules: undefined as never, policies: undefined as never, runner: undefined as never, siteId: 1 };
    helper.settings({ walnut: services } as Parameters<typeof helper.settings>[0]);
  });
  afterEach(async () => {
    await helper.unload();
    await services.nut.stop();
  });
  after(async () => {
    await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
    await simulator.stop();
  });

  // Node properties beyond NodeDef's are what our editors save; the helper's types know only NodeDef.
  const flows = (items: object[]): TestFlows => items as TestFlows;
  const flow = (ups: string, output: 'change' | 'poll' = 'change'): TestFlows => flows([
    { id: 's1', type: 'nut-server', host: '127.0.0.1', port, pollInterval: 200, tls: false, tlsVerify: true },
    { id: 'u1', type: 'nut-ups', server: 's1', ups, output, wires: [['out']] },
    { id: 'out', type: 'helper' },
  ]);

  it('sends the UPS reading with topic and typed payload, then only changes, then events with msg.event', async () => {
    const loggedIn = new Promise((resolve) => simulator.once('login', resolve));
    await helper.load([nutServerNode, nutUpsNode], flow('ups'), { s1: { username: 'monuser', password: 'secret' } });
    const next = collector(helper.getNode('out'));
    const first = await next();
    assert.equal(first.topic, 'ups');
    assert.equal(first.payload?.status, 'OL');
    assert.equal(first.payload?.batteryCharge, 100);
    assert.equal(first.payload?.server, `127.0.0.1:${port}`);
    assert.equal(services.nut.serverCount, 1, 'the config node started the poller');
    await loggedIn;
    assert.equal(simulator.numLogins('ups'), 1, 'the credentials were used to log in as a secondary');

    simulator.setStatus('ups', 'OB DISCHRG');
    const event = await next((msg) => msg.event !== undefined);
    assert.equal(event.event?.type, 'ONBATT');
    assert.equal(event.topic, 'ups');
    const changed = await next((msg) => msg.event === undefined);
    assert.equal(changed.payload?.status, 'OB DISCHRG', 'the next reading message is the change, not a repeat');
    simulator.setStatus('ups', 'OL');
  });

  it('with no UPS named, sends every UPS of the server; "every poll" repeats unchanged readings', async () => {
    await helper.load([nutServerNode, nutUpsNode], flow('', 'poll'), {});
    const next = collector(helper.getNode('out'));
    const topics = new Set<string>();
    while (topics.size < 2) topics.add(String((await next()).topic));
    assert.deepEqual([...topics].sort(), ['second', 'ups']);
    const again = await next((msg) => msg.topic === 'ups');
    assert.equal(again.payload?.status, 'OL');
  });

  it('releases the poller (and LOGOUTs) when the flow stops', async () => {
    const loggedIn = new Promise((resolve) => simulator.once('login', resolve));
    await helper.load([nutServerNode, nutUpsNode], flow('ups'), { s1: { username: 'monuser', password: 'secret' } });
    await collector(helper.getNode('out'))();
    await loggedIn;
    await helper.unload();
    assert.equal(services.nut.serverCount, 0);
    assert.equal(simulator.numLogins('ups'), 0);
  });

  it('reports a missing server as a node error instead of crashing the flow', async () => {
    await helper.load([nutServerNode, nutUpsNode], flows([{ id: 'u1', type: 'nut-ups', server: '', ups: 'ups', output: 'change', wires: [] }]), {});
    assert.ok(helper.getNode('u1'), 'the node exists');
    const logged = helper.log().args.map((args: unknown[]) => args[0] as { level?: number; msg?: unknown; id?: string });
    assert.ok(logged.some((entry) => entry.id === 'u1' && String(entry.msg).includes('choose a NUT server')), 'the error names what to fix');
  });
});
