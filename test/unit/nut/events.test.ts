import { strict as assert } from 'node:assert';
import { eventsBetween } from '../../../src/nut/events';
import { commLossSnapshot, snapshotFromVars, type UpsSnapshot } from '../../../src/nut/snapshot';

const reading = (status: string, extra: Record<string, string> = {}, ts = 1): UpsSnapshot => snapshotFromVars('h:3493', 'ups', { 'ups.status': status, ...extra }, ts);
const types = (previous: UpsSnapshot | undefined, next: UpsSnapshot, lastGood?: UpsSnapshot): string[] => eventsBetween(previous, next, lastGood).map((e) => e.type);

describe('NUT snapshots and events', () => {
  it('parses numbers and splits flags; non-numbers are absent, not zero', () => {
    const s = reading('OB DISCHRG LB', { 'battery.charge': '18.5', 'battery.runtime': '', 'ups.load': 'unknown', 'input.voltage': '0' });
    assert.deepEqual(s.flags, ['OB', 'DISCHRG', 'LB']);
    assert.equal(s.batteryCharge, 18.5);
    assert.equal(s.batteryRuntime, undefined);
    assert.equal(s.load, undefined);
    assert.equal(s.inputVoltage, 0);
  });

  it('reports on a first reading only what needs attention', () => {
    assert.deepEqual(types(undefined, reading('OL')), []);
    assert.deepEqual(types(undefined, reading('OB DISCHRG')), ['ONBATT']);
    assert.deepEqual(types(undefined, reading('OL RB')), ['REPLBATT']);
  });

  it('derives every flag event once, when the flag appears', () => {
    assert.deepEqual(types(reading('OL'), reading('OB DISCHRG')), ['ONBATT']);
    assert.deepEqual(types(reading('OB DISCHRG'), reading('OB DISCHRG')), []);
    assert.deepEqual(types(reading('OB DISCHRG'), reading('OB DISCHRG LB')), ['LOWBATT']);
    assert.deepEqual(types(reading('OB LB'), reading('FSD OB LB')), ['FSD']);
    assert.deepEqual(types(reading('OL'), reading('OL BYPASS OVER')), ['BYPASS', 'OVERLOAD']);
    assert.deepEqual(types(reading('OL'), reading('OB CAL')), ['ONBATT', 'CAL']);
    assert.deepEqual(types(reading('OL'), reading('OFF')), ['OFF']);
    assert.deepEqual(types(reading('OB'), reading('OL CHRG')), ['ONLINE']);
  });

  it('reports an alarm when ups.alarm changes', () => {
    const events = eventsBetween(reading('OL'), reading('OL ALARM', { 'ups.alarm': 'Fan failure' }), undefined);
    assert.deepEqual(events.map((e) => [e.type, e.data?.alarm]), [['ALARM', 'Fan failure']]);
  });

  it('turns comm loss into COMMBAD/COMMOK without faking flag transitions', () => {
    const ob = reading('OB DISCHRG');
    const lost = commLossSnapshot('h:3493', 'ups', 'data-stale', 2);
    const bad = eventsBetween(ob, lost, ob);
    assert.deepEqual(bad.map((e) => [e.type, e.data?.reason]), [['COMMBAD', 'data-stale']]);
    assert.deepEqual(types(lost, commLossSnapshot('h:3493', 'ups', 'data-stale', 3), ob), [], 'no repeat while still lost');
    assert.deepEqual(types(lost, reading('OB DISCHRG', {}, 4), ob), ['COMMOK'], 'still on battery after the gap: no new ONBATT');
    assert.deepEqual(types(lost, reading('OL', {}, 4), ob), ['COMMOK', 'ONLINE'], 'power came back during the gap');
  });
});
