import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NutConfigError } from '../../../../src/errors';
import { loadScenario, parseScenario, ScenarioError } from '../../../../src/nut/simulator/scenario';
import { runScenario, type ScenarioClock } from '../../../../src/nut/simulator/scenario-runner';
import { NutSimulator } from '../../../../src/nut/simulator/server';
import { tempDir } from '../../../helpers/temp';
import { LineClient } from './helpers';

const OUTAGE = path.resolve(__dirname, '../../../../src/nut/simulator/scenarios/outage.json');

/** A clock that moves only when the test says so. */
class ManualClock implements ScenarioClock {
  private time = 0;
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private nextId = 1;

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, callback, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Moves time forward, firing due timers in order (including ones they schedule). */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.callback();
    }
    this.time = target;
  }

  get pending(): number {
    return this.timers.length;
  }
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ScenarioError) return error.issues;
    throw error;
  }
  assert.fail('expected a ScenarioError');
}

describe('NUT simulator scenarios', () => {
  describe('validation', () => {
    it('accepts a small scenario and turns numbers into strings', () => {
      const scenario = parseScenario({
        ups: { ups: { vars: { 'ups.status': 'OL', 'battery.charge': 100, 'battery.voltage': 27.3 } } },
        steps: [{ at: 10, ups: 'ups', status: 'OB DISCHRG', vars: { 'battery.charge': 90 } }, { at: 20, fault: 'drop' }],
      });
      assert.deepEqual(scenario.ups.ups?.vars, { 'ups.status': 'OL', 'battery.charge': '100', 'battery.voltage': '27.3' });
      assert.deepEqual(scenario.steps, [
        { at: 10, ups: 'ups', vars: { 'battery.charge': '90', 'ups.status': 'OB DISCHRG' } },
        { at: 20, fault: 'drop' },
      ]);
    });

    it('lists every problem with its JSON path', () => {
      const issues = issuesOf(() =>
        parseScenario({
          ups: {
            ups: { vars: { 'battery.charge': true, 'bad name': 'x' }, rw: 'ups.id', ranges: { 'ups.delay.shutdown': [{ min: 5, max: 1 }] } },
            'no spaces allowed': { vars: {} },
            nodesc: { description: 3 },
          },
          users: { admin: { password: 'x', upsmon: 'master', actions: ['SET', 'SHUTDOWN'] }, nopass: {} },
          steps: [
            { at: -1, ups: 'ups', vars: { 'ups.status': 'OB' } },
            { at: 5, ups: 'nope', status: 'OB' },
            { at: 6, fault: 'explode' },
            { at: 7, fault: 'stale' },
            { at: 8, fault: 'garbage' },
            { at: 9, ups: 'ups' },
            { at: 10, ups: 'ups', vars: {}, colour: 'red' },
            'not a step',
          ],
          extra: 1,
        }),
      );
      assert.deepEqual(issues, [
        '$.extra: unknown key (expected one of description, ups, users, steps)',
        '$.ups.ups.vars["battery.charge"]: must be a string or a number',
        '$.ups.ups.vars["bad name"]: variable name "bad name" must be a plain word (letters, digits, . _ : @ + -)',
        '$.ups.ups.rw: must be an array of strings',
        '$.ups.ups.ranges["ups.delay.shutdown"][0]: min 5 is above max 1',
        '$.ups["no spaces allowed"]: UPS name must be a plain word',
        '$.ups.nodesc.description: must be a string',
        '$.ups.nodesc.vars: is required',
        '$.users.admin.upsmon: must be "primary" or "secondary"',
        '$.users.admin.actions[1]: must be "SET" or "FSD"',
        '$.users.nopass.password: is required and must be a string',
        '$.steps[0].at: must be a number of seconds >= 0',
        '$.steps[1].ups: "nope" is not defined in $.ups',
        '$.steps[2].fault: must be one of drop, stall, garbage, stale, driver-disconnected, command-failure',
        '$.steps[3].ups: is required for fault "stale"',
        '$.steps[4].line: is required for fault "garbage" and must be a string',
        '$.steps[5]: needs "vars" or "status" (or a "fault")',
        '$.steps[6].colour: unknown key (expected one of at, ups, vars, status)',
        '$.steps[7]: must be an object with "at" and either "ups" + "vars" or "fault"',
      ]);
    });

    it('takes on each kind of step only the keys that apply to it', () => {
      assert.deepEqual(
        issuesOf(() =>
          parseScenario({
            users: { u: { password: 'p', instcmds: 'load.off' } },
            steps: [
              { at: 1, fault: 'drop', ups: 'ups' },
              { at: 2, fault: 'drop', on: true },
              { at: 3, fault: 'stall', line: 'x' },
              { at: 4, fault: 'garbage', line: 'x', mode: 'sometimes' },
              { at: 5, fault: 'stale', ups: 'ups', on: 'yes' },
            ],
          }),
        ),
        [
          '$.users.u.instcmds: must be "ALL" or an array of command names',
          '$.steps[0].ups: fault "drop" applies to every client, not to one UPS',
          '$.steps[1].on: must be true or false, and only for stall, stale, driver-disconnected, command-failure',
          '$.steps[2].line: only for fault "garbage"',
          '$.steps[3].mode: must be "replace-next" or "unsolicited", and only for fault "garbage"',
          '$.steps[4].on: must be true or false, and only for stall, stale, driver-disconnected, command-failure',
        ],
      );
    });

    it('names the file in errors from loadScenario, including JSON syntax errors', async () => {
      const dir = tempDir();
      const bad = path.join(dir, 'bad.json');
      fs.writeFileSync(bad, JSON.stringify({ steps: [{ at: 'soon', fault: 'drop' }] }));
      await assert.rejects(loadScenario(bad), (error: unknown) => {
        assert.ok(error instanceof ScenarioError);
        assert.equal(error.message, `${bad}: invalid scenario:\n  $.steps[0].at: must be a number of seconds >= 0`);
        return true;
      });
      const broken = path.join(dir, 'broken.json');
      fs.writeFileSync(broken, '{ "steps": [ }');
      await assert.rejects(loadScenario(broken), (error: unknown) => {
        assert.ok(error instanceof NutConfigError);
        assert.match(error.message, new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON`));
        return true;
      });
      await assert.rejects(loadScenario(path.join(dir, 'missing.json')), /cannot read scenario/);
    });

    it('the shipped outage scenario is valid: OL at 100 %, OB DISCHRG at 10 s, LB near 20 %, back to OL CHRG', async () => {
      const scenario = await loadScenario(OUTAGE);
      const ups = scenario.ups.ups;
      assert.equal(ups?.vars['ups.status'], 'OL');
      assert.equal(ups?.vars['battery.charge'], '100');
      const statusAt = (status: string): number[] =>
        scenario.steps.flatMap((step) => ('vars' in step && step.vars['ups.status'] === status ? [step.at] : []));
      assert.equal(statusAt('OB DISCHRG')[0], 10);
      const lowBattery = scenario.steps.find((step) => 'vars' in step && step.vars['ups.status']?.includes('LB'));
      const charge = Number(lowBattery && 'vars' in lowBattery ? lowBattery.vars['battery.charge'] : NaN);
      assert.ok(charge >= 15 && charge <= 22, `LB at ${charge} %`);
      assert.ok(statusAt('OL CHRG').length > 0);
      assert.ok((statusAt('OL CHRG')[0] ?? 0) > (lowBattery?.at ?? Infinity));
    });
  });

  describe('running', () => {
    let sim: NutSimulator;
    let client: LineClient | undefined;
    beforeEach(() => (sim = new NutSimulator()));
    afterEach(async () => {
      client?.close();
      client = undefined;
      await sim.stop();
    });

    it('applies steps at their times on an injected clock, same-time steps in file order', async () => {
      const clock = new ManualClock();
      const scenario = parseScenario({
        ups: { ups: { vars: { 'ups.status': 'OL', 'battery.charge': 100 } } },
        users: { mon: { password: 'pw', upsmon: 'secondary' } },
        steps: [
          { at: 30, fault: 'drop' },
          { at: 10, ups: 'ups', status: 'OB DISCHRG' },
          { at: 10, ups: 'ups', vars: { 'battery.charge': 95, 'ups.status': 'OB DISCHRG LB' } },
          { at: 0, ups: 'ups', vars: { 'battery.charge': 99 } },
        ],
      });
      const applied: number[] = [];
      const run = runScenario(sim, scenario, { clock, onStep: (_step, index) => applied.push(index) });
      // steps at 0 are applied before runScenario returns
      assert.deepEqual(applied, [3]);
      const { port } = await sim.start();
      client = await LineClient.connect(port);
      assert.equal(await client.request('GET VAR ups battery.charge'), 'VAR ups battery.charge "99"');

      clock.advance(9_999);
      assert.equal(await client.request('GET VAR ups ups.status'), 'VAR ups ups.status "OL"');
      clock.advance(1);
      assert.deepEqual(applied, [3, 1, 2]);
      assert.equal(await client.request('GET VAR ups ups.status'), 'VAR ups ups.status "OB DISCHRG LB"');
      assert.equal(await client.request('GET VAR ups battery.charge'), 'VAR ups battery.charge "95"');

      clock.advance(20_000);
      await client.closed;
      await run.finished;
      assert.equal(clock.pending, 0);
    });

    it('stop() cancels the steps not yet applied', async () => {
      const clock = new ManualClock();
      const scenario = parseScenario({ ups: { ups: { vars: { 'ups.status': 'OL' } } }, steps: [{ at: 5, ups: 'ups', status: 'OB' }] });
      const run = runScenario(sim, scenario, { clock });
      run.stop();
      await run.finished;
      clock.advance(10_000);
      assert.equal(sim.getVar('ups', 'ups.status'), 'OL');
      assert.equal(clock.pending, 0);
    });

    it('replaces a UPS of the same name and switches faults on and off', async () => {
      const clock = new ManualClock();
      sim.addUps('ups', { vars: { 'ups.status': 'OB' } });
      const scenario = parseScenario({
        ups: { ups: { vars: { 'ups.status': 'OL' } } },
        steps: [
          { at: 1, fault: 'stale', ups: 'ups' },
          { at: 2, fault: 'stale', ups: 'ups', on: false },
          { at: 3, fault: 'driver-disconnected', ups: 'ups' },
        ],
      });
      runScenario(sim, scenario, { clock });
      const { port } = await sim.start();
      client = await LineClient.connect(port);
      assert.equal(await client.request('GET VAR ups ups.status'), 'VAR ups ups.status "OL"');
      clock.advance(1_000);
      assert.equal(await client.request('GET VAR ups ups.status'), 'ERR DATA-STALE');
      clock.advance(1_000);
      assert.equal(await client.request('GET VAR ups ups.status'), 'VAR ups ups.status "OL"');
      clock.advance(1_000);
      assert.equal(await client.request('GET VAR ups ups.status'), 'ERR DRIVER-NOT-CONNECTED');
    });

    it('refuses steps for a UPS the simulator does not have', () => {
      const scenario = parseScenario({ steps: [{ at: 1, ups: 'ghost', status: 'OB' }] });
      assert.deepEqual(
        issuesOf(() => runScenario(sim, scenario, { clock: new ManualClock() })),
        ['$.steps[0].ups: no UPS named "ghost" in the simulator'],
      );
    });

    it('plays the shipped outage scenario from start to end', async () => {
      const clock = new ManualClock();
      const statuses: string[] = [];
      const run = runScenario(sim, await loadScenario(OUTAGE), {
        clock,
        onStep: () => statuses.push(sim.getVar('ups', 'ups.status') ?? ''),
      });
      clock.advance(3_600_000);
      await run.finished;
      assert.equal(statuses[0], 'OB DISCHRG');
      assert.ok(statuses.includes('OB DISCHRG LB'));
      assert.equal(statuses.at(-1), 'OL');
      assert.equal(sim.getVar('ups', 'battery.charge'), '100');
    });
  });
});
