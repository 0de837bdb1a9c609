import { strict as assert } from 'node:assert';
import { escapeLabelValue, renderMetrics } from '../../../src/archive/exporters/prometheus-metrics';
import { commLossSnapshot, snapshotFromVars } from '../../../src/nut/snapshot';

/** One sample line of the text format: name{labels} value. */
const SAMPLE_LINE = /^([a-z_]+)\{((?:[a-z_]+="(?:[^"\\\n]|\\[\\"n])*",?)+)\} (\S+)$/;

function samples(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.trimEnd().split('\n')) {
    if (line.startsWith('# ')) continue;
    const match = SAMPLE_LINE.exec(line);
    assert.ok(match, `not a sample line: ${line}`);
    values.set(`${match[1]}{${match[2]}}`, match[3]!);
  }
  return values;
}

describe('Prometheus metrics of UPS snapshots', () => {
  const onBattery = snapshotFromVars('127.0.0.1:3493', 'rack', {
    'ups.status': 'OB LB', 'battery.charge': '37', 'battery.runtime': '540', 'battery.voltage': '24.6',
    'input.voltage': '0', 'output.voltage': '230.1', 'ups.load': '41', 'ups.realpower': '312',
  }, 1_700_000_000_000);
  const partial = snapshotFromVars('nas.lan:3493', 'closet', { 'ups.status': 'OL CHRG', 'battery.charge': '100' }, 1_700_000_000_000);
  const lost = commLossSnapshot('nas.lan:3493', 'garage', 'data-stale', 1_700_000_000_000);
  const text = renderMetrics([onBattery, partial, lost], 'lab');
  const values = samples(text);
  const labels = (ups: string, server: string): string => `ups="${ups}",server="${server}",site="lab"`;

  it('declares every gauge with HELP and TYPE once', () => {
    const names = [
      'walnut_ups_battery_charge_percent', 'walnut_ups_battery_runtime_seconds', 'walnut_ups_battery_voltage_volts',
      'walnut_ups_input_voltage_volts', 'walnut_ups_output_voltage_volts', 'walnut_ups_load_percent', 'walnut_ups_realpower_watts',
      'walnut_ups_on_battery', 'walnut_ups_low_battery', 'walnut_ups_comm_ok',
    ];
    for (const name of names) {
      assert.equal(text.split('\n').filter((line) => line === `# TYPE ${name} gauge`).length, 1, name);
      assert.equal(text.split('\n').filter((line) => line.startsWith(`# HELP ${name} `)).length, 1, name);
    }
    assert.ok(text.endsWith('\n'));
  });

  it('writes the readings of a UPS on battery, flags as 1/0', () => {
    const rack = labels('rack', '127.0.0.1:3493');
    assert.equal(values.get(`walnut_ups_battery_charge_percent{${rack}}`), '37');
    assert.equal(values.get(`walnut_ups_battery_runtime_seconds{${rack}}`), '540');
    assert.equal(values.get(`walnut_ups_battery_voltage_volts{${rack}}`), '24.6');
    assert.equal(values.get(`walnut_ups_input_voltage_volts{${rack}}`), '0');
    assert.equal(values.get(`walnut_ups_load_percent{${rack}}`), '41');
    assert.equal(values.get(`walnut_ups_realpower_watts{${rack}}`), '312');
    assert.equal(values.get(`walnut_ups_on_battery{${rack}}`), '1');
    assert.equal(values.get(`walnut_ups_low_battery{${rack}}`), '1');
    assert.equal(values.get(`walnut_ups_comm_ok{${rack}}`), '1');
    const closet = labels('closet', 'nas.lan:3493');
    assert.equal(values.get(`walnut_ups_on_battery{${closet}}`), '0');
    assert.equal(values.get(`walnut_ups_low_battery{${closet}}`), '0');
  });

  it('leaves out what a UPS does not report, and flags of a UPS it cannot hear', () => {
    const closet = labels('closet', 'nas.lan:3493');
    assert.equal(values.get(`walnut_ups_battery_charge_percent{${closet}}`), '100');
    assert.equal(values.has(`walnut_ups_battery_runtime_seconds{${closet}}`), false);
    assert.equal(values.has(`walnut_ups_realpower_watts{${closet}}`), false);
    const garage = labels('garage', 'nas.lan:3493');
    assert.equal(values.get(`walnut_ups_comm_ok{${garage}}`), '0');
    assert.equal(values.has(`walnut_ups_on_battery{${garage}}`), false);
    assert.equal([...values.keys()].filter((key) => key.includes('ups="garage"')).length, 1);
  });

  it('escapes backslash, double quote and newline in label values', () => {
    assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    const odd = snapshotFromVars('host:3493', 'we"ird\\ups\nname', { 'ups.status': 'OL' }, 0);
    const line = renderMetrics([odd], 'si"te').split('\n').find((entry) => entry.startsWith('walnut_ups_comm_ok{'));
    assert.equal(line, 'walnut_ups_comm_ok{ups="we\\"ird\\\\ups\\nname",server="host:3493",site="si\\"te"} 1');
    assert.doesNotThrow(() => samples(renderMetrics([odd], 'si"te')));
  });

  it('declares the gauges even with no UPS', () => {
    const empty = renderMetrics([], 'lab');
    assert.equal(samples(empty).size, 0);
    assert.ok(empty.includes('# TYPE walnut_ups_comm_ok gauge'));
  });
});
