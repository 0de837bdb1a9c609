import { strict as assert } from 'node:assert';
import { realSerial, upsIdentity } from '../../../src/mqtt/discovery/ups-identity';
import { statusDisplay, upsEntities, upsStatePayload } from '../../../src/mqtt/discovery/ups';
import { Topics } from '../../../src/mqtt/topics';

const context = { topics: new Topics('walnut', 'default', 'homeassistant'), version: '1.2.3' };
const VARS = { 'device.mfr': 'APC', 'device.model': 'Back-UPS 700', 'device.serial': '3B1234', 'battery.charge': '97', 'input.power': '120', 'ups.status': 'OL CHRG', 'driver.name': 'usbhid-ups' };

describe('UPS discovery', () => {
  it('identifies a UPS as HA does: manufacturer, model, serial, fake serials filtered', () => {
    assert.equal(upsIdentity('nas:3493', 'ups', VARS).key, 'APC_Back-UPS_700_3B1234');
    for (const fake of ['unknown', 'BLANK', '0000000', '  ']) assert.equal(realSerial({ 'ups.serial': fake }), undefined, fake);
    const anonymous = upsIdentity('nas:3493', 'ups', { ...VARS, 'device.serial': '000000' });
    assert.equal(anonymous.key, 'ups_nas_3493', 'without a serial, its name on its server');
    assert.equal(anonymous.serial, undefined);
  });

  it('makes sensors only for what the UPS reports, status binary sensors, and disabled command buttons', () => {
    const identity = upsIdentity('nas:3493', 'ups', VARS);
    const entities = upsEntities(context, identity, VARS, ['test.battery.start', 'beeper.toggle']);
    const ids = entities.map((entity) => `${entity.component}:${entity.objectId.replace('walnut_default_APC_Back-UPS_700_3B1234_', '')}`);
    assert.deepEqual(ids.sort(), [
      'binary_sensor:charging', 'binary_sensor:low_battery', 'binary_sensor:online', 'binary_sensor:overload', 'binary_sensor:replace_battery',
      'button:command_beeper_toggle', 'button:command_test_battery_start',
      'sensor:battery_charge', 'sensor:input_power', 'sensor:ups_status', 'sensor:ups_status_display',
    ]);
    const inputPower = entities.find((entity) => entity.objectId.endsWith('input_power'))!.config;
    assert.equal(inputPower.unit_of_measurement, 'VA', 'HA declares apparent power without a unit: VA is filled in');
    assert.equal(inputPower.enabled_by_default, false);
    const button = entities.find((entity) => entity.component === 'button')!.config;
    assert.equal(button.enabled_by_default, false);
    assert.equal(button.command_topic, 'walnut/default/ups/APC_Back-UPS_700_3B1234/command/set');
    const device = inputPower.device as Record<string, unknown>;
    assert.deepEqual(device, {
      identifiers: ['walnut_default_APC_Back-UPS_700_3B1234'], name: 'ups', manufacturer: 'APC', model: 'Back-UPS 700', serial_number: '3B1234', via_device: 'walnut_default_hub',
    });
    assert.deepEqual(inputPower.origin, { name: 'walNUT', sw_version: '1.2.3', support_url: 'https://github.com/walnut-hub/walnut' });
  });

  it('puts every variable, the status in words and the flag sensors in one state', () => {
    const state = JSON.parse(upsStatePayload(VARS, ['OB', 'LB', 'RB'])) as { vars: Record<string, string>; binary: Record<string, string> };
    assert.equal(state.vars['battery.charge'], '97');
    assert.equal(state.vars['ups.status.display'], 'On Battery Low Battery Battery Needs Replaced');
    assert.deepEqual(state.binary, { online: 'OFF', low_battery: 'ON', charging: 'OFF', replace_battery: 'ON', overload: 'OFF' });
    assert.equal(statusDisplay(['OL', 'XYZ']), 'Online XYZ');
  });
});
