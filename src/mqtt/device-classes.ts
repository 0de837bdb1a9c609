/**
 * The Home Assistant sensor device classes walNUT publishes, with the units HA
 * accepts for each (homeassistant/components/sensor/const.py
 * DEVICE_CLASS_UNITS); the first is the one published when a table row names
 * a class but no unit. An entity with a unit its class does not allow is
 * rejected by HA, so discovery never sends one.
 */
export const DEVICE_CLASS_UNITS = {
  apparent_power: ['VA', 'mVA', 'kVA'],
  battery: ['%'],
  current: ['A', 'mA'],
  duration: ['s', 'ms', 'min', 'h', 'd'],
  enum: [],
  frequency: ['Hz', 'kHz', 'MHz', 'GHz'],
  humidity: ['%'],
  power: ['W', 'mW', 'kW', 'MW', 'GW', 'TW', 'BTU/h'],
  temperature: ['°C', '°F', 'K'],
  timestamp: [],
  voltage: ['V', 'mV', 'µV', 'kV', 'MV'],
} as const satisfies Record<string, readonly string[]>;

export type HaDeviceClass = keyof typeof DEVICE_CLASS_UNITS;

/** The unit to publish: the row's own, else the class's first (HA's table has `input.power` as VA-less apparent power). */
export function unitFor(deviceClass: HaDeviceClass | undefined, unit: string | undefined): string | undefined {
  if (unit !== undefined || deviceClass === undefined) return unit;
  const units: readonly string[] = DEVICE_CLASS_UNITS[deviceClass];
  return units[0];
}

export function unitAllowed(deviceClass: HaDeviceClass, unit: string | undefined): boolean {
  const units: readonly string[] = DEVICE_CLASS_UNITS[deviceClass];
  return units.length === 0 ? unit === undefined : unit !== undefined && units.includes(unit);
}
