import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EventBus } from '../../../src/bus';
import { silentLogger } from '../../../src/logger';
import type { UpsSnapshot } from '../../../src/nut/snapshot';
import { PolicyService } from '../../../src/policy/policy-service';
import type { ActionRequest } from '../../../src/policy/requests';
import { RulesService } from '../../../src/policy/rules-service';
import { Event, Policy } from '../../../src/store/models';
import { ensureSite } from '../../../src/store/sites';
import type { Store } from '../../../src/store/store';
import { nextOf } from '../../helpers/bus';
import { openTestStore } from '../../helpers/store';
import { tempDir } from '../../helpers/temp';

const POLICY = `apiVersion: walnut/v1
kind: Policy
name: lab
ups: [ups@127.0.0.1:3493]
triggers: { any: [{ on_battery: {} }] }
stages:
  - name: guests
    timeout: 10m
    actions: [{ target: pve, op: shutdown }]
  - name: hosts
    actions: [{ target: nas, op: shutdown }]
`;

const reading = (status: string, ts: number): UpsSnapshot => ({
  server: '127.0.0.1:3493', ups: 'ups', ts, comm: 'ok', status, flags: status.split(' '), vars: {}, batteryCharge: 80, batteryRuntime: 1200,
});

/** One hub's worth of rules + policy services on a store; `stop()` is what a crash leaves behind (the store file). */
async function startHub(store: Store, dir: string, now: () => number): Promise<{ bus: EventBus; policies: PolicyService; stop(): Promise<void> }> {
  const siteId = (await ensureSite(store.knex, 'default')).id;
  const bus = new EventBus();
  const rules = new RulesService({ dir, bus, logger: silentLogger(), store: { knex: store.knex, siteId } });
  await rules.start();
  const policies = new PolicyService({ bus, rules, logger: silentLogger(), store: { knex: store.knex, siteId }, now, tickMs: 60_000 });
  policies.start();
  return { bus, policies, stop: async () => { await policies.stop(); await rules.stop(); } };
}

describe('policy service: restart mid-run (real encrypted store)', () => {
  let store: Store;
  let dir: string;
  let clock = 1_000_000;
  const now = (): number => clock;

  beforeEach(async () => {
    store = (await openTestStore()).store;
    dir = tempDir();
    await fs.copyFile('test/fixtures/rules/base/targets.yaml', path.join(dir, 'targets.yaml'));
    await fs.writeFile(path.join(dir, 'lab.yaml'), POLICY);
  });
  afterEach(() => store.close());

  it('persists the run after every decision; a restarted hub verifies the in-flight action before sending anything again', async () => {
    const first = await startHub(store, dir, now);
    await first.policies.claim('lab');
    const sent = nextOf<ActionRequest>(first.bus.onActionRequest.bind(first.bus));
    first.bus.emitUpsSnapshot(reading('OB DISCHRG', clock));
    assert.deepEqual(await sent, {
      runId: 'lab-1', policy: 'lab', stage: 'guests', target: 'pve', targetType: 'proxmox', op: 'shutdown', timeout: 600_000,
      dryRun: false, force: false, verify: false,
    });
    await first.stop(); // the hub dies with pve's shutdown in flight

    const saved = JSON.parse((await Policy.query(store.knex).findOne({ name: 'lab' }))!.run_state!) as { run: { id: string } };
    assert.equal(saved.run.id, 'lab-1');
    const events = await Event.query(store.knex).where({ source: 'policy:lab' }).orderBy('id');
    assert.deepEqual(events.map((event) => event.type), ['policy.trigger', 'policy.stage_start', 'policy.action']);
    assert.match(events[0]!.message, /^trigger: on_battery for 0s \(ups@127\.0\.0\.1:3493, OB DISCHRG, charge 80%, runtime 1200s\)$/);

    clock += 30_000;
    const second = await startHub(store, dir, now);
    const requests: ActionRequest[] = [];
    second.bus.onActionRequest((request) => requests.push(request));
    await second.policies.claim('lab');
    assert.deepEqual(requests.map((request) => [request.target, request.op, request.verify]), [['pve', 'shutdown', true]]);
    second.bus.emitUpsSnapshot(reading('OB DISCHRG', clock + 1));
    assert.equal(requests.length, 1, 'nothing is sent while the verification is pending');

    // The device says pve is down: the stage finishes and the next one starts; pve is never asked twice.
    second.policies.reportResult('lab', { runId: 'lab-1', stage: 'guests', target: 'pve', op: 'shutdown', outcome: 'done' });
    assert.deepEqual(requests.map((request) => [request.target, request.op, request.verify]), [['pve', 'shutdown', true], ['nas', 'shutdown', false]]);
    assert.equal(second.policies.status('lab').stage, 'hosts');
    await second.stop();
  });
});
