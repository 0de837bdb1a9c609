/**
 * Home Assistant's own NUT sensors (homeassistant/components/nut/sensor.py
 * SENSOR_TYPES, as ../shared/HA_NUT_ENTITIES.md records them), keyed by NUT
 * variable, so a UPS published by walNUT shows the entities HA users know.
 * `outlet.N.*` rows stand for every outlet 1..outlet.count. A test compares
 * every row with that file.
 */
import type { HaDeviceClass } from './device-classes';

export interface NutSensorSpec {
  deviceClass?: HaDeviceClass;
  /** As HA declares it; publishing fills in the device class's unit where HA declares none. */
  unit?: string;
  stateClass?: 'measurement';
  category?: 'diagnostic';
  enabled: boolean;
  /** The states an `enum` sensor can take. */
  options?: readonly string[];
}

/** NUT's ambient.*.status values (HA's `AMBIENT_THRESHOLD_STATUS_OPTIONS`). */
export const AMBIENT_STATUS_OPTIONS = ['good', 'warning-low', 'critical-low', 'warning-high', 'critical-high'] as const;

export const NUT_SENSORS: Readonly<Record<string, NutSensorSpec>> = {
  'ups.status.display': { enabled: true },
  'ups.status': { enabled: true },
  'ups.alarm': { enabled: true },
  'ups.temperature': { deviceClass: 'temperature', unit: '°C', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'ups.load': { unit: '%', stateClass: 'measurement', enabled: true },
  'ups.load.high': { unit: '%', category: 'diagnostic', enabled: false },
  'ups.id': { category: 'diagnostic', enabled: false },
  'ups.delay.start': { deviceClass: 'duration', unit: 's', category: 'diagnostic', enabled: false },
  'ups.delay.reboot': { deviceClass: 'duration', unit: 's', category: 'diagnostic', enabled: false },
  'ups.delay.shutdown': { deviceClass: 'duration', unit: 's', category: 'diagnostic', enabled: false },
  'ups.timer.start': { deviceClass: 'duration', unit: 's', category: 'diagnostic', enabled: false },
  'ups.timer.reboot': { deviceClass: 'duration', unit: 's', category: 'diagnostic', enabled: false },
  'ups.timer.shutdown': { deviceClass: 'duration', unit: 's', category: 'diagnostic', enabled: false },
  'ups.test.interval': { deviceClass: 'duration', unit: 's', category: 'diagnostic', enabled: false },
  'ups.test.result': { category: 'diagnostic', enabled: false },
  'ups.test.date': { category: 'diagnostic', enabled: false },
  'ups.display.language': { category: 'diagnostic', enabled: false },
  'ups.contacts': { category: 'diagnostic', enabled: false },
  'ups.efficiency': { unit: '%', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'ups.power': { deviceClass: 'apparent_power', unit: 'VA', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'ups.power.nominal': { deviceClass: 'apparent_power', unit: 'VA', category: 'diagnostic', enabled: false },
  'ups.realpower': { deviceClass: 'power', unit: 'W', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'ups.realpower.nominal': { deviceClass: 'power', unit: 'W', category: 'diagnostic', enabled: false },
  'ups.beeper.status': { category: 'diagnostic', enabled: false },
  'ups.type': { category: 'diagnostic', enabled: false },
  'ups.watchdog.status': { category: 'diagnostic', enabled: false },
  'ups.start.auto': { category: 'diagnostic', enabled: false },
  'ups.start.battery': { category: 'diagnostic', enabled: false },
  'ups.start.reboot': { category: 'diagnostic', enabled: false },
  'ups.shutdown': { category: 'diagnostic', enabled: false },
  'battery.charge': { deviceClass: 'battery', unit: '%', stateClass: 'measurement', enabled: true },
  'battery.charge.low': { unit: '%', category: 'diagnostic', enabled: false },
  'battery.charge.restart': { unit: '%', category: 'diagnostic', enabled: false },
  'battery.charge.warning': { unit: '%', category: 'diagnostic', enabled: false },
  'battery.charger.status': { enabled: true },
  'battery.voltage': { deviceClass: 'voltage', unit: 'V', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'battery.voltage.nominal': { deviceClass: 'voltage', unit: 'V', category: 'diagnostic', enabled: false },
  'battery.voltage.low': { deviceClass: 'voltage', unit: 'V', category: 'diagnostic', enabled: false },
  'battery.voltage.high': { deviceClass: 'voltage', unit: 'V', category: 'diagnostic', enabled: false },
  'battery.capacity': { unit: 'Ah', category: 'diagnostic', enabled: false },
  'battery.current': { deviceClass: 'current', unit: 'A', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'battery.current.total': { deviceClass: 'current', unit: 'A', category: 'diagnostic', enabled: false },
  'battery.temperature': { deviceClass: 'temperature', unit: '°C', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'battery.runtime': { deviceClass: 'duration', unit: 's', category: 'diagnostic', enabled: false },
  'battery.runtime.low': { deviceClass: 'duration', unit: 's', category: 'diagnostic', enabled: false },
  'battery.runtime.restart': { deviceClass: 'duration', unit: 's', category: 'diagnostic', enabled: false },
  'battery.alarm.threshold': { category: 'diagnostic', enabled: false },
  'battery.date': { category: 'diagnostic', enabled: false },
  'battery.mfr.date': { category: 'diagnostic', enabled: false },
  'battery.packs': { category: 'diagnostic', enabled: false },
  'battery.packs.bad': { category: 'diagnostic', enabled: false },
  'battery.type': { category: 'diagnostic', enabled: false },
  'input.sensitivity': { category: 'diagnostic', enabled: false },
  'input.transfer.low': { deviceClass: 'voltage', unit: 'V', category: 'diagnostic', enabled: false },
  'input.transfer.high': { deviceClass: 'voltage', unit: 'V', category: 'diagnostic', enabled: false },
  'input.transfer.reason': { category: 'diagnostic', enabled: false },
  'input.voltage': { deviceClass: 'voltage', unit: 'V', stateClass: 'measurement', enabled: true },
  'input.voltage.nominal': { deviceClass: 'voltage', unit: 'V', category: 'diagnostic', enabled: false },
  'input.voltage.status': { category: 'diagnostic', enabled: false },
  'input.L1-N.voltage': { deviceClass: 'voltage', unit: 'V', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.L2-N.voltage': { deviceClass: 'voltage', unit: 'V', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.L3-N.voltage': { deviceClass: 'voltage', unit: 'V', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.frequency': { deviceClass: 'frequency', unit: 'Hz', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.frequency.nominal': { deviceClass: 'frequency', unit: 'Hz', category: 'diagnostic', enabled: false },
  'input.frequency.status': { category: 'diagnostic', enabled: false },
  'input.L1.frequency': { deviceClass: 'frequency', unit: 'Hz', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.L2.frequency': { deviceClass: 'frequency', unit: 'Hz', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.L3.frequency': { deviceClass: 'frequency', unit: 'Hz', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.bypass.current': { deviceClass: 'current', unit: 'A', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.bypass.L1.current': { deviceClass: 'current', unit: 'A', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.bypass.L2.current': { deviceClass: 'current', unit: 'A', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.bypass.L3.current': { deviceClass: 'current', unit: 'A', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.bypass.frequency': { deviceClass: 'frequency', unit: 'Hz', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.bypass.phases': { category: 'diagnostic', enabled: false },
  'input.bypass.realpower': { deviceClass: 'power', unit: 'W', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.bypass.L1.realpower': { deviceClass: 'power', unit: 'W', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.bypass.L2.realpower': { deviceClass: 'power', unit: 'W', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.bypass.L3.realpower': { deviceClass: 'power', unit: 'W', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.bypass.voltage': { deviceClass: 'voltage', unit: 'V', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.bypass.L1-N.voltage': { deviceClass: 'voltage', unit: 'V', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.bypass.L2-N.voltage': { deviceClass: 'voltage', unit: 'V', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.bypass.L3-N.voltage': { deviceClass: 'voltage', unit: 'V', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.current': { deviceClass: 'current', unit: 'A', stateClass: 'measurement', enabled: false },
  'input.current.status': { category: 'diagnostic', enabled: false },
  'input.L1.current': { deviceClass: 'current', unit: 'A', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.L2.current': { deviceClass: 'current', unit: 'A', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.L3.current': { deviceClass: 'current', unit: 'A', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.load': { unit: '%', stateClass: 'measurement', enabled: true },
  'input.phases': { category: 'diagnostic', enabled: false },
  'input.power': { deviceClass: 'apparent_power', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.realpower': { deviceClass: 'power', unit: 'W', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.L1.realpower': { deviceClass: 'power', unit: 'W', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.L2.realpower': { deviceClass: 'power', unit: 'W', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'input.L3.realpower': { deviceClass: 'power', unit: 'W', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'outlet.voltage': { deviceClass: 'voltage', unit: 'V', stateClass: 'measurement', enabled: true },
  'output.power.nominal': { deviceClass: 'apparent_power', unit: 'VA', category: 'diagnostic', enabled: false },
  'output.L1.power.percent': { unit: '%', category: 'diagnostic', enabled: false },
  'output.L2.power.percent': { unit: '%', category: 'diagnostic', enabled: false },
  'output.L3.power.percent': { unit: '%', category: 'diagnostic', enabled: false },
  'output.current': { deviceClass: 'current', unit: 'A', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'output.current.nominal': { deviceClass: 'current', unit: 'A', category: 'diagnostic', enabled: false },
  'output.L1.current': { deviceClass: 'current', unit: 'A', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'output.L2.current': { deviceClass: 'current', unit: 'A', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'output.L3.current': { deviceClass: 'current', unit: 'A', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'output.voltage': { deviceClass: 'voltage', unit: 'V', stateClass: 'measurement', enabled: true },
  'output.voltage.nominal': { deviceClass: 'voltage', unit: 'V', category: 'diagnostic', enabled: false },
  'output.L1-N.voltage': { deviceClass: 'voltage', unit: 'V', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'output.L2-N.voltage': { deviceClass: 'voltage', unit: 'V', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'output.L3-N.voltage': { deviceClass: 'voltage', unit: 'V', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'output.frequency': { deviceClass: 'frequency', unit: 'Hz', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'output.frequency.nominal': { deviceClass: 'frequency', unit: 'Hz', category: 'diagnostic', enabled: false },
  'output.phases': { category: 'diagnostic', enabled: false },
  'output.power': { deviceClass: 'apparent_power', unit: 'VA', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'output.realpower': { deviceClass: 'power', unit: 'W', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'output.realpower.nominal': { deviceClass: 'power', unit: 'W', category: 'diagnostic', enabled: false },
  'output.L1.realpower': { deviceClass: 'power', unit: 'W', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'output.L2.realpower': { deviceClass: 'power', unit: 'W', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'output.L3.realpower': { deviceClass: 'power', unit: 'W', stateClass: 'measurement', category: 'diagnostic', enabled: false },
  'ambient.humidity': { deviceClass: 'humidity', unit: '%', stateClass: 'measurement', category: 'diagnostic', enabled: true },
  'ambient.humidity.status': { deviceClass: 'enum', options: AMBIENT_STATUS_OPTIONS, category: 'diagnostic', enabled: true },
  'ambient.temperature': { deviceClass: 'temperature', unit: '°C', stateClass: 'measurement', category: 'diagnostic', enabled: true },
  'ambient.temperature.status': { deviceClass: 'enum', options: AMBIENT_STATUS_OPTIONS, category: 'diagnostic', enabled: true },
  'outlet.N.current': { deviceClass: 'current', unit: 'A', stateClass: 'measurement', enabled: true },
  'outlet.N.current_status': { category: 'diagnostic', enabled: false },
  'outlet.N.desc': { enabled: true },
  'outlet.N.power': { deviceClass: 'apparent_power', unit: 'VA', stateClass: 'measurement', enabled: true },
  'outlet.N.realpower': { deviceClass: 'power', unit: 'W', stateClass: 'measurement', enabled: true },
};

const OUTLET_VARIABLE = /^outlet\.(\d+)\.(current|current_status|desc|power|realpower)$/;

/**
 * The sensor spec for a variable a UPS reports, or undefined when HA has no
 * sensor for it. Outlet variables count only for outlets 1..outlet.count, and
 * ambient ones only when ambient.present is not "no" (as HA does).
 */
export function sensorFor(variable: string, vars: Readonly<Record<string, string>>): NutSensorSpec | undefined {
  if (variable.startsWith('ambient.') && vars['ambient.present'] === 'no') return undefined;
  const outlet = OUTLET_VARIABLE.exec(variable);
  if (outlet) {
    const count = Number(vars['outlet.count'] ?? 0);
    const index = Number(outlet[1]);
    return index >= 1 && index <= count ? NUT_SENSORS[`outlet.N.${outlet[2]}`] : undefined;
  }
  return Object.hasOwn(NUT_SENSORS, variable) ? NUT_SENSORS[variable] : undefined;
}
