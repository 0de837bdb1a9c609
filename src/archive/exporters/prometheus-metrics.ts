/**
 * UPS readings in the Prometheus text exposition format (0.0.4): one gauge per
 * reading the hub acts on, labelled with the UPS, its upsd server and the site.
 * A reading the UPS does not report has no line (absent, never zero).
 */
import type { UpsSnapshot } from '../../nut/snapshot';

interface Gauge {
  name: string;
  help: string;
  value: (snapshot: UpsSnapshot) => number | undefined;
}

/** A flag is known only while the hub hears from the UPS; without data it is absent, not 0. */
const flag = (name: string) => (snapshot: UpsSnapshot): number | undefined =>
  snapshot.comm === 'ok' ? Number(snapshot.flags.includes(name)) : undefined;

const GAUGES: readonly Gauge[] = [
  { name: 'walnut_ups_battery_charge_percent', help: 'Battery charge (battery.charge).', value: (s) => s.batteryCharge },
  { name: 'walnut_ups_battery_runtime_seconds', help: 'Battery runtime left (battery.runtime).', value: (s) => s.batteryRuntime },
  { name: 'walnut_ups_battery_voltage_volts', help: 'Battery voltage (battery.voltage).', value: (s) => s.batteryVoltage },
  { name: 'walnut_ups_input_voltage_volts', help: 'Input voltage (input.voltage).', value: (s) => s.inputVoltage },
  { name: 'walnut_ups_output_voltage_volts', help: 'Output voltage (output.voltage).', value: (s) => s.outputVoltage },
  { name: 'walnut_ups_load_percent', help: 'Load (ups.load).', value: (s) => s.load },
  { name: 'walnut_ups_realpower_watts', help: 'Real power drawn (ups.realpower).', value: (s) => s.realpower },
  { name: 'walnut_ups_on_battery', help: '1 while the UPS is on battery (status OB).', value: flag('OB') },
  { name: 'walnut_ups_low_battery', help: '1 while the UPS reports a low battery (status LB).', value: flag('LB') },
  { name: 'walnut_ups_comm_ok', help: '1 while the hub has data from the UPS.', value: (s) => Number(s.comm === 'ok') },
];

/** Label values escape backslash, double quote and newline, as the format says. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Go's float syntax: NaN, +Inf and -Inf spelled its way. */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export function renderMetrics(snapshots: readonly UpsSnapshot[], site: string): string {
  const lines: string[] = [];
  for (const gauge of GAUGES) {
    lines.push(`# HELP ${gauge.name} ${gauge.help}`, `# TYPE ${gauge.name} gauge`);
    for (const snapshot of snapshots) {
      const value = gauge.value(snapshot);
      if (value === undefined) continue;
      const labels = `ups="${escapeLabelValue(snapshot.ups)}",server="${escapeLabelValue(snapshot.server)}",site="${escapeLabelValue(site)}"`;
      lines.push(`${gauge.name}{${labels}} ${formatValue(value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
