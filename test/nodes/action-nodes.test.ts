import { strict as assert } from 'node:assert';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as path from 'node:path';
import helper, { type TestFlows } from 'node-red-node-test-helper';
import type { Node, NodeMessage } from 'node-red';
import { storeBackedRunner } from '../../src/actions/hub-runner';
import type { JobResult } from '../../src/actions/runner';
import { EventBus } from '../../src/bus';
import type { HubServices } from '../../src/hub/services';
import { silentLogger } from '../../src/logger';
import { PolicyService } from '../../src/policy/policy-service';
import type { PolicyDecision } from '../../src/policy/requests';
import { RulesService } from '../../src/policy/rules-service';
import { ensureSite } from '../../src/store/sites';
import { startRealSshd, type RealSshd } from '../helpers/sshd';
import { openTestStore, type TestStore } from '../helpers/store';
import { tempDir } from '../helpers/temp';
import policyNode = require('../../nodes/policy/policy');
import shutdownSshNode = require('../../nodes/shutdown-ssh/shutdown-ssh');
import wakeOnLanNode = require('../../nodes/wake-on-lan/wake-on-lan');
import upsPowerNode = require('../../nodes/ups-power/ups-power');

helper.init(require.resolve('node-red'));

/** Messages reaching a helper node, awaited one at a time. */
function inbox(node: Node): () => Promise<NodeMessage> {
  const queue: NodeMessage[] = [];
  const waiters: Array<(msg: NodeMessage) => void> = [];
  node.on('input', (msg: NodeMessage) => {
    const waiter = waiters.shift();
    if (waiter) waiter(msg);
    else queue.push(msg);
  });
  return () => new Promise((resolve) => {
    const next = queue.shift();
    if (next) resolve(next);
    else waiters.push(resolve);
  });
}

describe('action nodes: shutdown-ssh, ups-power, wake-on-lan', function () {
  this.timeout(60_000);
  let sshd: RealSshd;
  let test: TestStore;
  let rules: RulesService;
  let policies: PolicyService;
  let listener: dgram.Socket;

  before(() => new Promise<void>((resolve) => helper.startServer(() => resolve())));
  after(() => new Promise<void>((resolve) => helper.stopServer(() => resolve())));

  beforeEach(async () => {
    sshd = await startRealSshd();
    listener = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => listener.bind(0, '127.0.0.1', resolve));
    test = await openTestStore();
    await test.store.secrets().set('box-key', sshd.clientKey);
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'lab.yaml'), `apiVersion: walnut/v1
kind: Targets
targets:
  box:
    type: ssh
    host: 127.0.0.1
    port: ${sshd.port}
    user: root
    key: { secretRef: box-key }
    host_key_fingerprint: "${sshd.hostFingerprint}"
    command: ${sshd.shutdownCommand}
  box-wake:
    type: wol
    mac: "00:11:22:33:44:55"
    address: 127.0.0.1
    port: ${listener.address().port}
---
apiVersion: walnut/v1
kind: Policy
name: lab
ups: [ups@127.0.0.1:3493]
triggers: { any: [{ on_battery: {} }] }
stages:
  - name: hosts
    timeout: 30s
    actions: [{ target: box, op: shutdown }]
  - name: after
    actions: [{ target: box-wake, op: wake }]
`);
    const bus = new EventBus();
    const siteId = (await ensureSite(test.store.knex, 'default')).id;
    rules = new RulesService({ dir, bus, logger: silentLogger(), store: { knex: test.store.knex, siteId } });
    await rules.start();
    policies = new PolicyService({ bus, rules, logger: silentLogger(), store: { knex: test.store.knex, siteId }, tickMs: 100 });
    policies.start();
    const runner = storeBackedRunner(test.store, siteId, rules, bus, silentLogger());
    const services = { bus, rules, policies, runner, nut: undefined as never, samples: undefined as never, archive: undefined as never, siteId } satisfies HubServices;
    helper.settings({ walnut: services } as Parameters<typeof helper.settings>[0]);
  });
  afterEach(async () => {
    await helper.unload();
    await policies.stop();
    await rules.stop();
    await test.store.close();
    await sshd.stop();
    listener.close();
  });

  it('policy → shutdown-ssh and wake-on-lan on one wire → results back into the policy: the whole run, with real peers', async () => {
    await helper.load([policyNode, shutdownSshNode, wakeOnLanNode], [
      { id: 'p1', type: 'policy', policy: 'lab', wires: [['ssh', 'wol'], ['decisions']] },
      { id: 'ssh', type: 'shutdown-ssh', wires: [['p1', 'results']] },
      { id: 'wol', type: 'wake-on-lan', wires: [['p1', 'results']] },
      { id: 'results', type: 'helper' }, { id: 'decisions', type: 'helper' },
    ] as unknown as TestFlows);
    const results = inbox(helper.getNode('results'));
    const decisions: PolicyDecision[] = [];
    let lastStageEnded!: () => void;
    const runFinished = new Promise<void>((resolve) => (lastStageEnded = resolve));
    helper.getNode('decisions').on('input', (msg: NodeMessage) => {
      const entry = msg.payload as PolicyDecision;
      decisions.push(entry);
      if (entry.decision.kind === 'stage_end' && entry.decision.stage === 'after') lastStageEnded();
    });
    const packet = new Promise<Buffer>((resolve) => listener.once('message', resolve));
    while (!policies.status('lab').loaded) await new Promise((resolve) => setImmediate(resolve));

    helper.getNode('p1').receive({ payload: { server: '127.0.0.1:3493', ups: 'ups', ts: Date.now(), comm: 'ok', status: 'OB', flags: ['OB'], vars: {} } });
    const shutdown = (await results()).payload as JobResult;
    assert.deepEqual([shutdown.target, shutdown.op, shutdown.state, shutdown.outcome, shutdown.runId, shutdown.stage], ['box', 'shutdown', 'completed', 'done', 'lab-1', 'hosts']);
    assert.deepEqual(sshd.calls(), ['shutdown']);
    const wake = (await results()).payload as JobResult;
    assert.deepEqual([wake.target, wake.state, wake.stage], ['box-wake', 'completed', 'after']);
    assert.equal((await packet).length, 102);
    await runFinished;
    assert.ok(!JSON.stringify(decisions).includes('PRIVATE KEY') && !JSON.stringify([shutdown, wake]).includes('PRIVATE KEY'));
  });

  it('by hand: { op } with the node\'s target; a dry run reaches nothing; a wrong target type or op fails for Catch nodes', async () => {
    await helper.load([shutdownSshNode, upsPowerNode], [
      { id: 'ssh', type: 'shutdown-ssh', target: 'box', wires: [['out']] },
      { id: 'ups', type: 'ups-power', target: 'box', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ] as unknown as TestFlows);
    const out = inbox(helper.getNode('out'));
    helper.getNode('ssh').receive({ payload: { op: 'shutdown', dryRun: true } });
    const dry = (await out()).payload as JobResult;
    assert.deepEqual([dry.state, dry.dryRun], ['completed', true]);
    assert.deepEqual(sshd.calls(), []);

    const errors: string[] = [];
    const bothFailed = new Promise<void>((resolve) => {
      for (const id of ['ssh', 'ups']) {
        const node = helper.getNode(id) as unknown as { on(event: 'call:error', listener: (call: { args: unknown[] }) => void): void };
        node.on('call:error', (call) => {
          errors.push(String(call.args[0]));
          if (errors.length === 2) resolve();
        });
      }
    });
    helper.getNode('ups').receive({ payload: { op: 'poweroff' } });
    helper.getNode('ssh').receive({ payload: { op: 'wake' } });
    await bothFailed;
    assert.match(errors.join('\n'), /"box" is a ssh target: this ups-power node handles ups targets/);
    assert.match(errors.join('\n'), /msg.payload.op must be one of: shutdown|a ssh target cannot wake/);
  });
});
