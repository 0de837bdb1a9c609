import { strict as assert } from 'node:assert';
import { simulate } from '../../../src/policy/simulate';
import { parseTrace } from '../../../src/policy/trace';
import { BASE_TYPES, EngineDriver, policyFrom } from '../../helpers/engine';

/** Two stages five minutes apart, the second past the point of no return, an inverse restore. */
const STANDARD = `ups: [ups]
triggers:
  any:
    - on_battery: { for: 2m }
cancel_when: { online: { for: 30s } }
stages:
  - name: guests
    timeout: 60s
    actions: [{ target: pve, op: shutdown }]
  - name: hosts
    after: 5m
    timeout: 60s
    actions: [{ target: nas, op: shutdown }]
point_of_no_return: hosts
restore:
  when: { online: { for: 1m } }
  inverse: true
`;

/** One test per promise in DESIGN.md "What the policy engine promises". */
describe('policy engine: the promises', () => {
  it('on battery means OB: OB CHRG is on battery, OB CAL is not, OB LB during calibration is critical', () => {
    const chrg = new EngineDriver(policyFrom(STANDARD));
    chrg.hold(0, 119, 'OB CHRG');
    assert.equal(chrg.first('trigger'), undefined);
    chrg.sample(120, 'OB CHRG');
    assert.equal(chrg.first('trigger')?.because.rule, 'on_battery for 2m');

    const calibration = new EngineDriver(policyFrom(STANDARD));
    calibration.hold(0, 600, 'OB CAL DISCHRG');
    assert.equal(calibration.first('trigger'), undefined, 'a calibration run is no outage');
    calibration.sample(601, 'OB CAL DISCHRG LB');
    assert.match(calibration.first('trigger')!.because.rule, /critical: on battery with low battery/);
  });

  it('critical starts at once: OB LB at 90 % charge, FSD, silence on battery; other triggers only on battery', () => {
    const lowBattery = new EngineDriver(policyFrom(STANDARD));
    lowBattery.sample(0, 'OL');
    lowBattery.sample(1, 'OB LB', { charge: 90 });
    assert.equal(lowBattery.first('trigger')?.t, 1000, 'LB is trusted at any charge, without waiting 2 minutes');

    const fsd = new EngineDriver(policyFrom(STANDARD));
    fsd.sample(0, 'OL FSD');
    assert.match(fsd.first('trigger')!.because.rule, /FSD/);

    const silent = new EngineDriver(policyFrom(STANDARD));
    silent.sample(0, 'OB');
    silent.lost(5);
    silent.lost(14);
    assert.equal(silent.first('trigger'), undefined);
    silent.lost(15);
    assert.match(silent.first('trigger')!.because.rule, /no data for 15s while on battery/);

    const charging = new EngineDriver(policyFrom('ups: [ups]\ntriggers: { any: [{ battery_charge_below: 50 }, { runtime_below: 10m }] }\nstages: [{ name: s, actions: [{ target: nas, op: shutdown }] }]\n'));
    charging.hold(0, 600, 'OL CHRG', { charge: 20, runtime: 100 });
    assert.equal(charging.first('trigger'), undefined, 'a low charge while charging after an outage is no outage');
  });

  it('FSD latches: a run started by FSD is never cancelled, even when the power returns', () => {
    const engine = new EngineDriver(policyFrom(STANDARD));
    engine.sample(0, 'OB FSD');
    engine.hold(1, 300, 'OL');
    assert.equal(engine.first('cancel'), undefined);
    engine.finishAll(301);
    engine.hold(302, 700, 'OL');
    assert.ok(engine.kinds().includes('stage_start hosts'), 'the run went on to its last stage');
  });

  it('short data gaps change nothing: a stale minute neither resets nor restarts the on-battery timer; comm loss online never triggers', () => {
    const engine = new EngineDriver(policyFrom(STANDARD));
    engine.hold(0, 59, 'OB');
    engine.lost(60, 'stale');
    engine.lost(70, 'stale');
    engine.hold(71, 119, 'OB');
    assert.equal(engine.first('trigger'), undefined);
    engine.sample(120, 'OB');
    assert.equal(engine.first('trigger')?.t, 120_000, 'two minutes from the first OB, gap included');

    const online = new EngineDriver(policyFrom(STANDARD));
    online.sample(0, 'OL');
    for (let t = 1; t <= 3600; t += 10) online.lost(t);
    assert.deepEqual(online.decisions, []);
  });

  it('pacing follows the battery: planned times while the margin allows, compressed when not, back to planned when the runtime rises', () => {
    const engine = new EngineDriver(policyFrom(STANDARD.replace('ups: [ups]', 'ups: [ups]\nreserve: 1m')));
    engine.hold(0, 120, 'OB', { runtime: 3000 });
    engine.finishAll(130);
    engine.hold(131, 200, 'OB', { runtime: 3000 });
    assert.equal(engine.first('stage_start')?.pacing, 'planned');
    assert.ok(!engine.kinds().includes('stage_start hosts'), 'hosts waits for its planned +5m');
    // The runtime collapses: what is left minus the reserve no longer covers the plan.
    engine.sample(201, 'OB', { runtime: 200 });
    const hosts = engine.decisions.find((decision) => decision.kind === 'stage_start' && decision.stage === 'hosts')!;
    assert.equal(hosts.t, 201_000);
    assert.equal(hosts.pacing, 'compressed');
    assert.match(hosts.because.rule, /runtime left minus reserve \(140s\) is shorter than the rest of the plan/);

    const recovering = new EngineDriver(policyFrom(STANDARD.replace('ups: [ups]', 'ups: [ups]\nreserve: 1m').replace('after: 5m', 'after: 10m').replace('  - name: hosts', '  - name: middle\n    after: 5m\n    timeout: 60s\n    actions: [{ target: lamp, op: \'off\' }]\n  - name: hosts')));
    recovering.hold(0, 120, 'OB', { runtime: 3000 });
    recovering.finishAll(121);
    recovering.sample(130, 'OB', { runtime: 100 });
    assert.equal(recovering.decisions.find((decision) => decision.stage === 'middle' && decision.kind === 'stage_start')?.pacing, 'compressed');
    // Shedding the middle stage's load raised the runtime before it finished: the last stage waits for its slot again.
    recovering.hold(131, 135, 'OB', { runtime: 3000 });
    recovering.finishAll(136);
    recovering.hold(137, 400, 'OB', { runtime: 3000 });
    const last = recovering.decisions.find((decision) => decision.kind === 'stage_start' && decision.stage === 'hosts');
    assert.equal(last, undefined, 'not latched: normal pacing is back');
    recovering.hold(401, 720, 'OB', { runtime: 3000 });
    assert.equal(recovering.decisions.find((decision) => decision.kind === 'stage_start' && decision.stage === 'hosts')?.t, 720_000);
  });

  it('a stage that overruns is ended by its on_timeout: continue, force, abort', () => {
    const run = (onTimeout: string): EngineDriver => {
      const engine = new EngineDriver(policyFrom(STANDARD.replace('    timeout: 60s\n    actions: [{ target: pve', `    timeout: 60s\n    on_timeout: ${onTimeout}\n    actions: [{ target: pve`)));
      engine.hold(0, 400, 'OB');
      return engine;
    };
    const continued = run('continue');
    assert.deepEqual(continued.decisions.filter((decision) => decision.kind === 'stage_end').map((decision) => [decision.stage, decision.outcome, decision.t]), [['guests', 'timed_out', 180_000]]);
    assert.equal(continued.decisions.find((decision) => decision.kind === 'stage_start' && decision.stage === 'hosts'), undefined);
    continued.hold(401, 420, 'OB');
    assert.equal(continued.decisions.find((decision) => decision.kind === 'stage_start' && decision.stage === 'hosts')?.t, 420_000, 'the later stage keeps its slot');

    const forced = run('force');
    assert.ok(forced.decisions.some((decision) => decision.kind === 'action' && decision.target === 'pve' && decision.force === true && decision.t === 180_000));

    const aborted = run('abort');
    assert.ok(!aborted.kinds().includes('stage_start hosts'));
    aborted.hold(401, 500, 'OL');
    assert.equal(aborted.first('restore')?.t, 461_000, 'an aborted run restores once the power has been back a minute');
  });

  it('cancel only before the point of no return, and only after the power has been back for the cancel duration', () => {
    const early = new EngineDriver(policyFrom(STANDARD));
    early.hold(0, 125, 'OB');
    early.hold(126, 155, 'OL');
    assert.equal(early.first('cancel'), undefined, 'not before 30 s of mains');
    early.sample(156, 'OL');
    assert.equal(early.first('cancel')?.t, 156_000);

    const late = new EngineDriver(policyFrom(STANDARD));
    late.hold(0, 120, 'OB');
    late.finishAll(121);
    late.hold(122, 420, 'OB');
    assert.ok(late.kinds().includes('stage_start hosts'));
    late.hold(421, 600, 'OL');
    assert.equal(late.first('cancel'), undefined, 'past the point of no return');
  });

  it('restore waits for stable power with LB and FSD cleared; a new outage stops a restore and may start a new run', () => {
    const engine = new EngineDriver(policyFrom(STANDARD));
    engine.hold(0, 120, 'OB');
    engine.finishAll(121);
    engine.hold(122, 420, 'OB');
    engine.finishAll(421);
    engine.hold(422, 600, 'OL LB');
    assert.equal(engine.first('restore'), undefined, 'a minute of mains, but LB still set');
    engine.sample(601, 'OL');
    assert.equal(engine.first('restore')?.t, 601_000, 'stable power and LB cleared');
    assert.deepEqual(engine.kinds(engine.decisions.filter((decision) => decision.kind === 'action' && decision.stage === 'restore')), ['action restore pve start']);
    engine.hold(602, 670, 'OB');
    assert.equal(engine.decisions.find((decision) => decision.kind === 'run_end')?.outcome, 'restore_interrupted');
    engine.hold(671, 790, 'OB');
    assert.equal(engine.decisions.filter((decision) => decision.kind === 'trigger').length, 2, 'the new outage starts a new run');
  });

  it('one run at a time per policy; a redundancy group runs only when fewer than min_healthy members are healthy', () => {
    const engine = new EngineDriver(policyFrom(STANDARD.replace('point_of_no_return: hosts\n', '')));
    engine.hold(0, 120, 'OB');
    engine.finishAll(121);
    engine.hold(122, 420, 'OB');
    engine.finishAll(421);
    engine.hold(422, 900, 'OB');
    assert.equal(engine.decisions.filter((decision) => decision.kind === 'trigger').length, 1, 'the finished run awaits its restore: no second run');

    const group = new EngineDriver(policyFrom(STANDARD.replace('ups: [ups]', 'group: { members: [a, b, c], min_healthy: 2 }')));
    for (let t = 0; t <= 300; t += 1) {
      group.sample(t, 'OB', { ups: 'a' }); // on battery for five minutes, but the group holds
      group.sample(t, 'OL', { ups: 'b' });
      group.sample(t, 'OL', { ups: 'c' });
    }
    assert.equal(group.first('trigger'), undefined, 'two of three healthy: the quorum holds');
    group.sample(301, 'OB', { ups: 'a' });
    group.sample(301, 'OB', { ups: 'b' });
    assert.equal(group.first('trigger')?.t, 301_000, 'b fails too: the quorum is lost, and a has been on battery long enough');
    assert.match(group.first('trigger')!.because.input, /^a, OB/);
  });

  it('a restart never repeats or forgets an action: in-flight jobs are verified before anything is sent again', () => {
    const engine = new EngineDriver(policyFrom(STANDARD));
    engine.hold(0, 120, 'OB');
    assert.ok(engine.kinds().includes('action guests pve shutdown'));
    // The hub dies here; its state was persisted as JSON after the last decision.
    const restarted = new EngineDriver(engine.policy);
    restarted.state = JSON.parse(JSON.stringify(engine.state)) as typeof engine.state;
    const resumed = restarted.input({ kind: 'resume' }, 130);
    assert.deepEqual(restarted.kinds(resumed), ['verify guests pve shutdown']);
    restarted.sample(131, 'OB');
    assert.ok(!restarted.decisions.some((decision) => decision.kind === 'action'), 'nothing is sent before the verification answers');
    const verified = restarted.finishAll(132, 'failed');
    assert.deepEqual(restarted.kinds(verified), ['action guests pve shutdown'], 'not done on the device: sent again, once');
    restarted.finishAll(140, 'done');
    restarted.hold(141, 420, 'OB');
    assert.equal(restarted.decisions.filter((decision) => decision.kind === 'action' && decision.target === 'pve').length, 1);
    assert.ok(restarted.kinds().includes('stage_start hosts'));
  });

  it('every decision is explainable: a rule and the input that made it hold', () => {
    const engine = new EngineDriver(policyFrom(STANDARD));
    engine.hold(0, 120, 'OB', { charge: 80, runtime: 1200 });
    engine.finishAll(121);
    engine.hold(122, 420, 'OB', { charge: 60, runtime: 900 });
    engine.finishAll(421);
    engine.hold(422, 500, 'OL', { charge: 60 });
    assert.ok(engine.decisions.length >= 8);
    for (const decision of engine.decisions) {
      assert.ok(decision.because.rule.length > 0 && decision.because.input.length > 0, JSON.stringify(decision));
    }
    assert.equal(engine.first('trigger')!.because.input, 'ups, OB, charge 80%, runtime 1200s');
  });

  it('the simulator plays the world too: action results come back on the virtual clock, hangs run into the timeout', () => {
    const trace = parseTrace('world.yaml', `apiVersion: walnut/v1
kind: Trace
ups: ups
end: 15m
samples:
  - { at: 0s, status: OB, runtime: 3000 }
targets:
  pve: { takes: 45s }
  nas: { hangs: true }
`);
    const { decisions } = simulate(policyFrom(STANDARD), { armed: true, targetTypes: BASE_TYPES }, trace);
    const ends = decisions.filter((decision) => decision.kind === 'stage_end').map((decision) => [decision.stage, decision.outcome, decision.t / 1000]);
    assert.deepEqual(ends, [['guests', 'done', 165], ['hosts', 'timed_out', 480]], 'pve answers 45 s after it was asked; nas never does');
  });
});
