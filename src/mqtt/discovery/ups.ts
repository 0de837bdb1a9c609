/**
 * A UPS in Home Assistant: HA's NUT sensors for the variables it reports, the
 * status as binary sensors, and a button per instant command (disabled by
 * default: a button that can switch a load off should be enabled on purpose).
 */
import { unitFor } from '../device-classes';
import { sensorFor } from '../ha-nut-table';
import { slug } from '../topics';
import { childDevice, entity, availability, type DiscoveryContext, type DiscoveryEntity, type HaDevice } from './entity';
import type { UpsIdentity } from './ups-identity';

/** HA's translations of the status flags (nut/const.py STATE_TYPES). */
const STATUS_TEXT: Readonly<Record<string, string>> = {
  OL: 'Online', OB: 'On Battery', LB: 'Low Battery', HB: 'High Battery', RB: 'Battery Needs Replaced',
  CHRG: 'Battery Charging', DISCHRG: 'Battery Discharging', BYPASS: 'Bypass Active', CAL: 'Runtime Calibration',
  OFF: 'Offline', OVER: 'Overloaded', TRIM: 'Trimming Voltage', BOOST: 'Boosting Voltage', FSD: 'Forced Shutdown', ALARM: 'Alarm',
};

export function statusDisplay(flags: readonly string[]): string {
  return flags.map((flag) => STATUS_TEXT[flag] ?? flag).join(' ');
}

/** The status flags as binary sensors: key in the state payload, HA device class, name, flag that means ON. */
const BINARY_SENSORS = [
  { key: 'online', deviceClass: 'power', name: 'On mains power', flag: 'OL' },
  { key: 'low_battery', deviceClass: 'battery', name: 'Low battery', flag: 'LB' },
  { key: 'charging', deviceClass: 'battery_charging', name: 'Charging', flag: 'CHRG' },
  { key: 'replace_battery', deviceClass: 'problem', name: 'Replace battery', flag: 'RB' },
  { key: 'overload', deviceClass: 'problem', name: 'Overload', flag: 'OVER' },
] as const;

/** A readable entity name from a NUT variable (the device name comes first in HA). */
const NAMES: Readonly<Record<string, string>> = { 'ups.status.display': 'Status', 'ups.status': 'Status data' };
export function variableName(variable: string): string {
  const words = (NAMES[variable] ?? variable.replace(/^ups\./, '').replace(/[._]/g, ' ')).trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The retained state of a UPS: every variable as upsd sent it, the status in words, and the flag sensors. */
export function upsStatePayload(vars: Readonly<Record<string, string>>, flags: readonly string[]): string {
  const binary: Record<string, 'ON' | 'OFF'> = {};
  for (const sensor of BINARY_SENSORS) binary[sensor.key] = flags.includes(sensor.flag) ? 'ON' : 'OFF';
  return JSON.stringify({ vars: { ...vars, 'ups.status.display': statusDisplay(flags) }, binary });
}

export function upsDevice(context: DiscoveryContext, identity: UpsIdentity): HaDevice {
  return childDevice(context, {
    identifiers: [`${context.topics.nodeId}_${identity.key}`],
    name: identity.name,
    ...(identity.manufacturer ? { manufacturer: identity.manufacturer } : {}),
    ...(identity.model ? { model: identity.model } : {}),
    ...(identity.serial ? { serial_number: identity.serial } : {}),
    ...(identity.firmware ? { sw_version: identity.firmware } : {}),
  });
}

/** Every entity of one UPS, for the variables it reports now and the commands upsd lists for it. */
export function upsEntities(
  context: DiscoveryContext,
  identity: UpsIdentity,
  vars: Readonly<Record<string, string>>,
  commands: readonly string[],
): DiscoveryEntity[] {
  const { topics } = context;
  const device = upsDevice(context, identity);
  const prefix = `${topics.nodeId}_${identity.key}`;
  const available = availability(topics, topics.upsAvailability(identity.key));
  const stateTopic = topics.upsState(identity.key);
  const entities: DiscoveryEntity[] = [];
  const reported = Object.keys(vars).includes('ups.status') ? [...Object.keys(vars), 'ups.status.display'] : Object.keys(vars);
  for (const variable of reported.sort()) {
    const spec = sensorFor(variable, vars);
    if (!spec) continue;
    const unit = unitFor(spec.deviceClass, spec.unit);
    entities.push(entity(context, 'sensor', `${prefix}_${slug(variable)}`, device, {
      name: variableName(variable),
      state_topic: stateTopic,
      value_template: `{{ value_json.vars[${JSON.stringify(variable)}] }}`,
      ...available,
      ...(spec.deviceClass ? { device_class: spec.deviceClass } : {}),
      ...(unit === undefined ? {} : { unit_of_measurement: unit }),
      ...(spec.stateClass ? { state_class: spec.stateClass } : {}),
      ...(spec.category ? { entity_category: spec.category } : {}),
      ...(spec.options ? { options: spec.options } : {}),
      enabled_by_default: spec.enabled,
    }));
  }
  if (vars['ups.status'] !== undefined) {
    for (const sensor of BINARY_SENSORS) {
      entities.push(entity(context, 'binary_sensor', `${prefix}_${sensor.key}`, device, {
        name: sensor.name,
        state_topic: stateTopic,
        value_template: `{{ value_json.binary.${sensor.key} }}`,
        device_class: sensor.deviceClass,
        ...available,
      }));
    }
  }
  for (const command of [...commands].sort()) {
    entities.push(entity(context, 'button', `${prefix}_command_${slug(command)}`, device, {
      name: `Command ${command}`,
      command_topic: topics.upsCommand(identity.key),
      payload_press: command,
      entity_category: 'config',
      enabled_by_default: false,
      ...available,
    }));
  }
  return entities;
}
