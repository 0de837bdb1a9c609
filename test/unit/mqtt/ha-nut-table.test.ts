import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEVICE_CLASS_UNITS, unitAllowed, unitFor, type HaDeviceClass } from '../../../src/mqtt/device-classes';
import { AMBIENT_STATUS_OPTIONS, NUT_SENSORS, sensorFor } from '../../../src/mqtt/ha-nut-table';
import { ROOT } from '../../helpers/process';

/** The rows of ../shared/HA_NUT_ENTITIES.md: `| var | class | unit | state class | category | enabled |`. */
function referenceRows(): Array<{ variable: string; deviceClass: string; unit: string; stateClass: string; category: string; enabled: string }> {
  const file = path.join(ROOT, '..', 'shared', 'HA_NUT_ENTITIES.md');
  const rows = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const cells = /^\| `([^`]+)`[^|]*\|(.*)\|$/.exec(line.trim());
    if (!cells) continue;
    const [deviceClass = '', unit = '', stateClass = '', category = '', enabled = ''] = cells[2]!.split('|').map((cell) => cell.trim());
    rows.push({ variable: cells[1]!, deviceClass, unit, stateClass, category, enabled });
  }
  return rows;
}

const none = (cell: string): boolean => cell.startsWith('—');

describe('Home Assistant NUT sensor table', () => {
  const rows = referenceRows();

  it('has every row of HA_NUT_ENTITIES.md, and no other', () => {
    assert.ok(rows.length > 100, `read ${rows.length} rows`);
    assert.deepEqual(Object.keys(NUT_SENSORS).sort(), rows.map((row) => row.variable).sort());
  });

  for (const row of rows) {
    it(`matches HA for ${row.variable}`, () => {
      const spec = NUT_SENSORS[row.variable]!;
      if (row.deviceClass.startsWith('enum')) {
        assert.equal(spec.deviceClass, 'enum');
        for (const option of AMBIENT_STATUS_OPTIONS) assert.ok(row.deviceClass.includes(option) || row.deviceClass.includes('same options'));
        assert.deepEqual(spec.options, AMBIENT_STATUS_OPTIONS);
      } else {
        assert.equal(spec.deviceClass, none(row.deviceClass) ? undefined : row.deviceClass);
      }
      assert.equal(spec.unit, none(row.unit) ? undefined : row.unit);
      assert.equal(spec.stateClass, none(row.stateClass) ? undefined : row.stateClass);
      assert.equal(spec.category, none(row.category) ? undefined : row.category);
      assert.equal(spec.enabled, row.enabled === 'yes');
    });
  }

  it('publishes only units HA allows for the device class, filling in VA where HA declares none', () => {
    for (const [variable, spec] of Object.entries(NUT_SENSORS)) {
      if (!spec.deviceClass) continue;
      assert.ok(spec.deviceClass in DEVICE_CLASS_UNITS, `${variable}: known class ${spec.deviceClass}`);
      assert.ok(unitAllowed(spec.deviceClass as HaDeviceClass, unitFor(spec.deviceClass, spec.unit)), `${variable}: ${String(spec.unit)} for ${spec.deviceClass}`);
    }
    assert.equal(unitFor(NUT_SENSORS['input.power']!.deviceClass, NUT_SENSORS['input.power']!.unit), 'VA');
  });

  it('finds outlet sensors only for outlets the UPS has, and drops ambient ones when ambient.present is no', () => {
    const vars = { 'outlet.count': '2', 'outlet.1.current': '0.3', 'outlet.3.current': '0.1', 'ambient.temperature': '24' };
    assert.equal(sensorFor('outlet.1.current', vars)?.deviceClass, 'current');
    assert.equal(sensorFor('outlet.3.current', vars), undefined);
    assert.equal(sensorFor('outlet.0.current', vars), undefined);
    assert.equal(sensorFor('ambient.temperature', vars)?.deviceClass, 'temperature');
    assert.equal(sensorFor('ambient.temperature', { ...vars, 'ambient.present': 'no' }), undefined);
    assert.equal(sensorFor('driver.name', vars), undefined, 'HA has no sensor for it');
    assert.equal(sensorFor('toString', vars), undefined, 'no prototype keys');
  });
});
