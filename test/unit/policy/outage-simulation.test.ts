import { strict as assert } from 'node:assert';
import { MAX_SIMULATION_MS, OutageSimulation } from '../../../src/policy/outage-simulation';
import { policyReport } from '../../../src/policy/policy-report';
import { BASE_TYPES, EngineDriver, policyFrom } from '../../helpers/engine';

const POLICY = `ups: [ups]
triggers:
  any:
    - on_battery: { for: 10s }
stages:
  - name: guests
    timeout: 30s
    actions: [{ target: pve, op: shutdown }]
  - name: plugs
    after: 60s
    actions: [{ target: switch, op: off }]
restore:
  when: { online: { for: 5s }, charge_above: 40 }
  inverse: true
`;

describe('outage simulation', () => {
  it('runs the policy on synthetic on-battery readings, answers every action itself, restores and ends', () => {
    const simulation = new OutageSimulation(policyFrom(POLICY), { targetTypes: BASE_TYPES }, { charge: 80, runtime: 1200 }, 0);
    const decisions = [];
    for (let second = 0; second <= 600 && !simulation.done; second += 1) decisions.push(...simulation.advance(second * 1000));
    assert.ok(simulation.done, 'the run ended');
    const kinds = decisions.map((decision) => [decision.kind, decision.stage, decision.target].filter(Boolean).join(' '));
    assert.deepEqual(kinds.filter((kind) => /^(trigger|action|run_end)/.test(kind)), [
      'trigger', 'action guests pve', 'action plugs switch', 'action restore switch', 'action restore pve', 'run_end',
    ]);
    const trigger = decisions.find((decision) => decision.kind === 'trigger')!;
    assert.equal(trigger.t, 10_000, 'on battery for 10 s, on the real (here virtual) clock');
    const plugs = decisions.find((decision) => decision.kind === 'action' && decision.stage === 'plugs')!;
    assert.equal(plugs.t, 70_000, 'the stage waits its `after`');
  });

  it('can be stopped, and never runs past its limit', () => {
    const stopped = new OutageSimulation(policyFrom(POLICY), { targetTypes: BASE_TYPES }, {}, 0);
    stopped.advance(0);
    stopped.stop();
    assert.deepEqual(stopped.advance(20_000), []);
    const endless = new OutageSimulation(policyFrom(POLICY.replace('on_battery: { for: 10s }', 'battery_charge_below: 1')), { targetTypes: BASE_TYPES }, { runtime: 1_000_000 }, 0);
    endless.advance(MAX_SIMULATION_MS);
    assert.ok(endless.done);
  });
});

describe('policy report', () => {
  it('shows the state, the countdown to the next stage and the predicted margin', () => {
    const policy = policyFrom(POLICY);
    const flags = { armed: true, dryRun: false };
    assert.equal(policyReport({ policy, flags, simulating: false, now: 0 }).state, 'not_running');
    const driver = new EngineDriver(policy);
    driver.hold(0, 10, 'OB');
    const running = policyReport({ policy, flags, state: driver.state, simulating: false, now: 25_000, reading: { runtimeS: 600 } });
    assert.equal(running.state, 'running');
    assert.equal(running.stage, 'guests');
    assert.equal(running.nextStageInS, 45, 'plugs start 60 s after the trigger at 10 s');
    // Worst case after the trigger: plugs start at 60 s and take the default 120 s: 600 s runtime - 180 s - no reserve.
    assert.equal(running.marginS, 420);
    assert.equal(policyReport({ policy, flags, state: driver.state, simulating: true, now: 25_000 }).state, 'simulating');
  });
});
