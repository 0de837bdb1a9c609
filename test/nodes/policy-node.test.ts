import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import helper, { type TestFlows } from 'node-red-node-test-helper';
import type { Node, NodeMessage, NodeStatus } from 'node-red';
import { EventBus } from '../../src/bus';
import type { HubServices } from '../../src/hub/services';
import { silentLogger } from '../../src/logger';
import { PolicyService } from '../../src/policy/policy-service';
import type { ActionRequest, PolicyDecision } from '../../src/policy/requests';
import { RulesService } from '../../src/policy/rules-service';
import { tempDir } from '../helpers/temp';
import policyNode = require('../../nodes/policy/policy');

helper.init(require.resolve('node-red'));

const policyText = (op: string): string => `apiVersion: walnut/v1
kind: Policy
name: lab
ups: [ups]
triggers: { any: [{ fsd: true }] }
stages:
  - name: s
    actions: [{ target: nas, op: ${op} }]
`;

/** Every status a node shows from now on, awaited by predicate. */
function statuses(node: Node): (where: (status: NodeStatus) => boolean) => Promise<NodeStatus> {
  const seen: NodeStatus[] = [];
  const waiters: Array<{ where: (status: NodeStatus) => boolean; resolve: (status: NodeStatus) => void }> = [];
  const original = node.status.bind(node);
  node.status = (status: NodeStatus | string) => {
    original(status as NodeStatus);
    const value = status as NodeStatus;
    const index = waiters.findIndex((waiter) => waiter.where(value));
    if (index >= 0) waiters.splice(index, 1)[0]!.resolve(value);
    else seen.push(value);
  };
  return (where) => new Promise((resolve, reject) => {
    const found = seen.find(where);
    if (found) return resolve(found);
    const timer = setTimeout(() => reject(new Error('no matching status within 10 s')), 10_000);
    waiters.push({ where, resolve: (status) => { clearTimeout(timer); resolve(status); } });
  });
}

describe('policy node', function () {
  this.timeout(30_000);
  let dir: string;
  let rules: RulesService;
  let policies: PolicyService;

  before(() => new Promise<void>((resolve) => helper.startServer(() => resolve())));
  after(() => new Promise<void>((resolve) => helper.stopServer(() => resolve())));

  beforeEach(async () => {
    dir = tempDir();
    await fs.copyFile('test/fixtures/rules/base/targets.yaml', path.join(dir, 'targets.yaml'));
    await fs.writeFile(path.join(dir, 'lab.yaml'), policyText('shutdown'));
    const bus = new EventBus();
    rules = new RulesService({ dir, bus, logger: silentLogger(), debounceMs: 50 });
    await rules.start();
    policies = new PolicyService({ bus, rules, logger: silentLogger(), tickMs: 50 });
    policies.start();
    const services = { bus, rules, policies, nut: undefined as never, samples: undefined as never, archive: undefined as never, runner: undefined as never, siteId: 1 } satisfies HubServices;
    helper.settings({ walnut: services } as Parameters<typeof helper.settings>[0]);
  });
  afterEach(async () => {
    await helper.unload();
    await policies.stop();
    await rules.stop();
  });

  const flow = (policy: string): TestFlows => [{ id: 'p1', type: 'policy', policy } as unknown as TestFlows[number]];

  it('shows loaded, then "refused, last good version runs" with the place, then loaded again', async () => {
    await helper.load(policyNode, flow('lab'));
    const node = helper.getNode('p1');
    const next = statuses(node);
    const warnings: string[] = [];
    const warn = node.warn.bind(node);
    node.warn = (message: unknown) => {
      warnings.push(String(message));
      warn(message);
    };

    await fs.writeFile(path.join(dir, 'lab.yaml'), policyText('explode'));
    const refused = await next((status) => status.fill === 'yellow');
    assert.equal(refused.text, 'lab: lab.yaml:8:34 refused, last good version runs');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /the last good version keeps running: .*lab\.yaml:8:34: `op` must be one of/);

    await fs.writeFile(path.join(dir, 'lab.yaml'), policyText('shutdown'));
    const fixed = await next((status) => status.fill === 'green');
    assert.equal(fixed.text, 'lab: armed');
  });

  it('a policy no file defines shows grey; a policy whose file is broken from the start shows red', async () => {
    await fs.writeFile(path.join(dir, 'other.yaml'), policyText('explode').replace('name: lab', 'name: other'));
    await rules.reloadFile(path.join(dir, 'other.yaml'));
    await helper.load(policyNode, [
      { id: 'n-ghost', type: 'policy', policy: 'ghost' }, { id: 'n-other', type: 'policy', policy: 'other' },
    ] as unknown as TestFlows);
    const ghost = statuses(helper.getNode('n-ghost'));
    const other = statuses(helper.getNode('n-other'));
    // Any accepted change makes every policy node show its state again.
    await fs.writeFile(path.join(dir, 'lab.yaml'), policyText('shutdown').replace('name: s', 'name: t'));
    assert.deepEqual(await other(() => true), { fill: 'red', shape: 'ring', text: 'other: not loaded (other.yaml:8:34)' });
    const shown = await ghost(() => true);
    assert.equal(shown.fill, 'red'); // a broken file might define it: say so rather than "no such policy"
    await fs.rm(path.join(dir, 'other.yaml'));
    assert.deepEqual(await ghost((status) => status.fill === 'grey'), {
      fill: 'grey', shape: 'ring', text: 'ghost: no such policy in the rules folder',
    });
  });

  it('runs the policy: a reading wired in starts a run, requests leave on output 1, results move the stages on, decisions leave on output 2', async () => {
    await fs.writeFile(path.join(dir, 'lab.yaml'), `apiVersion: walnut/v1
kind: Policy
name: lab
ups: [ups@127.0.0.1:3493]
dry_run: true
triggers: { any: [{ on_battery: {} }] }
stages:
  - name: first
    actions: [{ target: lamp, op: 'off' }]
  - name: second
    actions: [{ target: nas, op: shutdown }]
`);
    await rules.reloadFile(path.join(dir, 'lab.yaml'));
    await helper.load(policyNode, [
      { id: 'p1', type: 'policy', policy: 'lab', wires: [['requests'], ['decisions']] },
      { id: 'requests', type: 'helper' }, { id: 'decisions', type: 'helper' },
    ] as unknown as TestFlows);
    const decisions: PolicyDecision[] = [];
    const nextRequest = (): Promise<ActionRequest> => new Promise((resolve) => helper.getNode('requests').once('input', (msg: NodeMessage) => resolve(msg.payload as ActionRequest)));
    helper.getNode('decisions').on('input', (msg: NodeMessage) => decisions.push(msg.payload as PolicyDecision));
    while (!policies.status('lab').loaded) await new Promise((resolve) => setImmediate(resolve));

    const first = nextRequest();
    const reading = { server: '127.0.0.1:3493', ups: 'ups', ts: Date.now(), comm: 'ok', status: 'OB DISCHRG', flags: ['OB', 'DISCHRG'], vars: {} };
    helper.getNode('p1').receive({ payload: reading });
    helper.getNode('p1').receive({ payload: reading }); // the same reading again (as from the bus): counted once
    const off = await first;
    assert.deepEqual(off, {
      runId: 'lab-1', policy: 'lab', stage: 'first', target: 'lamp', targetType: 'tapo', op: 'off', timeout: 120_000,
      dryRun: true, force: false, verify: false,
    });
    const second = nextRequest();
    helper.getNode('p1').receive({ payload: { runId: 'lab-1', stage: 'first', target: 'lamp', op: 'off', outcome: 'done' } });
    assert.equal((await second).target, 'nas');
    assert.deepEqual(decisions.map((entry) => entry.decision.kind).slice(0, 5), ['trigger', 'stage_start', 'action', 'stage_end', 'stage_start']);
    assert.equal(decisions.filter((entry) => entry.decision.kind === 'trigger').length, 1);
  });

  it('a message that is neither a reading nor a result fails with done(err), so Catch nodes see it', async () => {
    await helper.load(policyNode, [{ id: 'p1', type: 'policy', policy: 'lab' }] as unknown as TestFlows);
    const node = helper.getNode('p1');
    // The test helper spies on node.error and announces each call as a `call:error` event.
    const spied = node as unknown as { on(event: 'call:error', listener: (call: { args: unknown[] }) => void): void };
    const failed = new Promise<string>((resolve) => spied.on('call:error', (call) => resolve(String(call.args[0]))));
    node.receive({ payload: 'hello' });
    assert.match(await failed, /expected a UPS reading/);
  });
});
