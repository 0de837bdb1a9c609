import { strict as assert } from 'node:assert';
import { EngineDriver, policyFrom } from '../../helpers/engine';

const withTriggers = (triggers: string, extra = ''): EngineDriver => new EngineDriver(policyFrom(`ups: [ups]
triggers:
${triggers}
${extra}stages:
  - name: s
    actions: [{ target: nas, op: shutdown }]
`));

describe('policy engine: every trigger on a virtual clock', () => {
  it('on_battery { for }', () => {
    const engine = withTriggers('  any: [{ on_battery: { for: 90s } }]');
    engine.hold(0, 89, 'OB');
    assert.equal(engine.first('trigger'), undefined);
    engine.sample(90, 'OB');
    assert.equal(engine.first('trigger')?.t, 90_000);
  });

  it('battery_charge_below, only on battery', () => {
    const engine = withTriggers('  any: [{ battery_charge_below: 50 }]');
    engine.hold(0, 10, 'OL', { charge: 30 });
    engine.sample(11, 'OB', { charge: 51 });
    assert.equal(engine.first('trigger'), undefined);
    engine.sample(12, 'OB', { charge: 49.5 });
    assert.equal(engine.first('trigger')?.because.rule, 'battery_charge_below 50');
  });

  it('runtime_below', () => {
    const engine = withTriggers('  any: [{ runtime_below: 5m }]');
    engine.sample(0, 'OB', { runtime: 300 });
    assert.equal(engine.first('trigger'), undefined);
    engine.sample(1, 'OB', { runtime: 299 });
    assert.equal(engine.first('trigger')?.t, 1000);
  });

  it('low_battery (OB LB), and the same critical rule without it', () => {
    const engine = withTriggers('  any: [{ low_battery: true }]');
    engine.sample(0, 'OL LB');
    assert.equal(engine.first('trigger'), undefined, 'LB on mains (recharging) is no outage');
    engine.sample(1, 'OB LB');
    assert.ok(engine.first('trigger'));
  });

  it('fsd, also on mains (a primary ordered the shutdown)', () => {
    const engine = withTriggers('  any: [{ fsd: true }]');
    engine.sample(0, 'OL FSD');
    assert.match(engine.first('trigger')!.because.rule, /FSD/);
    assert.equal(engine.state.run?.fsdLatched, true);
  });

  it('depletion_rate_above: percent per minute over the last minutes', () => {
    const engine = withTriggers('  any: [{ depletion_rate_above: 5 }]');
    for (let t = 0; t <= 60; t += 1) engine.sample(t, 'OB', { charge: 100 - t * (4 / 60) });
    assert.equal(engine.first('trigger'), undefined, '4 %/min');
    const fast = withTriggers('  any: [{ depletion_rate_above: 5 }]');
    for (let t = 0; t <= 40; t += 1) fast.sample(t, 'OB', { charge: 100 - t * (6 / 60) });
    assert.match(fast.first('trigger')!.because.rule, /depletion_rate_above 5%\/min \(6\.0%\/min\)/);
    assert.equal(fast.first('trigger')!.t, 30_000, 'once the window spans 30 s');
  });

  it('time_on_battery_above sums the outage through 2 s flapping, where on_battery { for } never holds', () => {
    const flapping = (triggers: string): EngineDriver => {
      const engine = withTriggers(triggers, 'cancel_when: { online: { for: 1m } }\n');
      for (let t = 0; t < 600; t += 1) engine.sample(t, Math.floor(t / 2) % 2 === 0 ? 'OB' : 'OL');
      return engine;
    };
    assert.equal(flapping('  any: [{ on_battery: { for: 2m } }]').first('trigger'), undefined);
    const summed = flapping('  any: [{ time_on_battery_above: 2m }]').first('trigger');
    assert.ok(summed && summed.t > 238_000 && summed.t < 246_000, `half of the time on battery: ~4 min (${summed?.t})`);
  });

  it('comm_lost { for }: silence after being seen on battery sets the comm-loss time of the critical rule; never while online', () => {
    const engine = withTriggers('  any: [{ comm_lost: { for: 40s } }]');
    engine.sample(0, 'OB');
    engine.lost(39);
    assert.equal(engine.first('trigger'), undefined, 'upsmon\'s 15 s gives way to the policy\'s own time');
    engine.lost(40);
    assert.match(engine.first('trigger')!.because.rule, /no data for 40s while on battery/);
    const online = withTriggers('  any: [{ comm_lost: { for: 10s } }]');
    online.sample(0, 'OL');
    online.lost(100);
    assert.equal(online.first('trigger'), undefined);
  });

  it('all: every condition at once', () => {
    const engine = withTriggers('  all: [{ on_battery: { for: 1m } }, { battery_charge_below: 80 }]');
    engine.hold(0, 120, 'OB', { charge: 90 });
    assert.equal(engine.first('trigger'), undefined);
    engine.sample(121, 'OB', { charge: 79 });
    assert.equal(engine.first('trigger')?.because.rule, 'all of: on_battery for 1m, battery_charge_below 80');
  });

  it('a disarmed policy tracks the UPS but starts nothing', () => {
    const engine = new EngineDriver(policyFrom('ups: [ups]\ntriggers: { any: [{ low_battery: true }] }\nstages: [{ name: s, actions: [{ target: nas, op: shutdown }] }]\n'), { armed: false });
    engine.hold(0, 100, 'OB LB');
    assert.deepEqual(engine.decisions, []);
  });

  it('readings of UPSes the policy does not watch are ignored', () => {
    const engine = withTriggers('  any: [{ fsd: true }]');
    engine.sample(0, 'OB FSD LB', { ups: 'elsewhere' });
    assert.deepEqual(engine.decisions, []);
  });
});
