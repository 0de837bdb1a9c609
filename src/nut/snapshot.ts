/** ups.status flags (PROTOCOLS.md §1.5); anything else a UPS reports is kept as informational. */
export const KNOWN_FLAGS = ['OL', 'OB', 'LB', 'HB', 'RB', 'CHRG', 'DISCHRG', 'BYPASS', 'CAL', 'OFF', 'OVER', 'TRIM', 'BOOST', 'FSD', 'ALARM', 'WAIT'] as const;
export type UpsFlag = (typeof KNOWN_FLAGS)[number];

/** Whether we have data for the UPS, and if not, why (upsd's own words where it gave them). */
export type CommState = 'ok' | 'data-stale' | 'driver-not-connected' | 'connection-lost';

/** One reading of one UPS: every variable as upsd sent it, with the ones the hub acts on parsed. */
export interface UpsSnapshot {
  /** `host:port` of the upsd server. */
  server: string;
  ups: string;
  ts: number;
  comm: CommState;
  status: string;
  flags: string[];
  vars: Record<string, string>;
  batteryCharge?: number;
  batteryRuntime?: number;
  batteryVoltage?: number;
  inputVoltage?: number;
  outputVoltage?: number;
  load?: number;
  realpower?: number;
  alarm?: string;
}

/** NUT numbers are decimals with a dot; anything else (empty, "unknown") is absent, never zero. */
export function parseNumber(value: string | undefined): number | undefined {
  if (value === undefined || !/^-?\d+(\.\d+)?$/.test(value.trim())) return undefined;
  return Number(value);
}

export function splitFlags(status: string): string[] {
  return status.split(/\s+/).filter((flag) => flag.length > 0);
}

export function snapshotFromVars(server: string, ups: string, vars: Record<string, string>, ts: number): UpsSnapshot {
  const status = vars['ups.status'] ?? '';
  const snapshot: UpsSnapshot = { server, ups, ts, comm: 'ok', status, flags: splitFlags(status), vars };
  const numbers: Array<[keyof UpsSnapshot, string]> = [
    ['batteryCharge', 'battery.charge'],
    ['batteryRuntime', 'battery.runtime'],
    ['batteryVoltage', 'battery.voltage'],
    ['inputVoltage', 'input.voltage'],
    ['outputVoltage', 'output.voltage'],
    ['load', 'ups.load'],
    ['realpower', 'ups.realpower'],
  ];
  for (const [field, variable] of numbers) {
    const value = parseNumber(vars[variable]);
    if (value !== undefined) (snapshot as unknown as Record<string, number>)[field] = value;
  }
  const alarm = vars['ups.alarm']?.trim();
  if (alarm) snapshot.alarm = alarm;
  return snapshot;
}

/** A snapshot for a UPS we cannot read: no variables, and why. */
export function commLossSnapshot(server: string, ups: string, comm: Exclude<CommState, 'ok'>, ts: number): UpsSnapshot {
  return { server, ups, ts, comm, status: '', flags: [], vars: {} };
}

export const hasFlag = (snapshot: Pick<UpsSnapshot, 'flags'>, flag: UpsFlag): boolean => snapshot.flags.includes(flag);
