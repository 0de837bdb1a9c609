import { hasFlag, type UpsFlag, type UpsSnapshot } from './snapshot';

export type NutEventType =
  | 'ONLINE' | 'ONBATT' | 'LOWBATT' | 'FSD' | 'COMMOK' | 'COMMBAD' | 'NOCOMM' | 'REPLBATT'
  | 'BYPASS' | 'OVERLOAD' | 'CAL' | 'OFF' | 'ALARM' | 'LOGIN_DENIED';

export type EventSeverity = 'debug' | 'info' | 'warning' | 'error' | 'critical';

export interface NutEvent {
  type: NutEventType;
  severity: EventSeverity;
  server: string;
  ups: string;
  ts: number;
  message: string;
  data?: Record<string, unknown>;
}

/** A flag whose appearance is an event (and for some, whose disappearance too). */
interface FlagRule {
  flag: UpsFlag;
  type: NutEventType;
  severity: EventSeverity;
  message: (ups: string) => string;
}

const FLAG_RULES: FlagRule[] = [
  { flag: 'OB', type: 'ONBATT', severity: 'warning', message: (ups) => `${ups} is on battery` },
  { flag: 'LB', type: 'LOWBATT', severity: 'critical', message: (ups) => `${ups} reports a low battery` },
  { flag: 'FSD', type: 'FSD', severity: 'critical', message: (ups) => `${ups} is in forced shutdown (FSD)` },
  { flag: 'RB', type: 'REPLBATT', severity: 'warning', message: (ups) => `${ups} says its battery needs replacing` },
  { flag: 'BYPASS', type: 'BYPASS', severity: 'warning', message: (ups) => `${ups} is on bypass: the load is not protected` },
  { flag: 'OVER', type: 'OVERLOAD', severity: 'error', message: (ups) => `${ups} is overloaded` },
  { flag: 'CAL', type: 'CAL', severity: 'info', message: (ups) => `${ups} is calibrating its battery` },
  { flag: 'OFF', type: 'OFF', severity: 'error', message: (ups) => `${ups} output is off` },
];

const COMM_LOSS_REASON: Record<string, string> = {
  'data-stale': 'upsd reports DATA-STALE (the driver stopped updating)',
  'driver-not-connected': 'upsd reports DRIVER-NOT-CONNECTED (the driver is gone)',
  'connection-lost': 'the connection to upsd is lost',
};

function event(next: UpsSnapshot, type: NutEventType, severity: EventSeverity, message: string, data?: Record<string, unknown>): NutEvent {
  return { type, severity, server: next.server, ups: next.ups, ts: next.ts, message, ...(data === undefined ? {} : { data }) };
}

/**
 * The events between two readings of one UPS (pure). The first reading (no
 * `previous`) reports only conditions that need attention, as upsmon does at
 * start; ONLINE is reported only when a UPS leaves battery. Readings without
 * data (comm loss) produce COMMBAD/COMMOK and leave flag state untouched, so a
 * short gap does not fake ONBATT → ONLINE transitions.
 */
export function eventsBetween(previous: UpsSnapshot | undefined, next: UpsSnapshot, lastGood: UpsSnapshot | undefined): NutEvent[] {
  const events: NutEvent[] = [];
  const wasOk = previous === undefined || previous.comm === 'ok';
  if (next.comm !== 'ok') {
    if (wasOk) events.push(event(next, 'COMMBAD', 'error', `lost communication with ${next.ups}: ${COMM_LOSS_REASON[next.comm] ?? next.comm}`, { reason: next.comm }));
    return events;
  }
  if (!wasOk) events.push(event(next, 'COMMOK', 'info', `communication with ${next.ups} restored`));
  // Compare flags against the last reading that had data.
  const before = previous?.comm === 'ok' ? previous : lastGood;
  for (const rule of FLAG_RULES) {
    if (hasFlag(next, rule.flag) && (before === undefined || !hasFlag(before, rule.flag))) {
      events.push(event(next, rule.type, rule.severity, rule.message(next.ups)));
    }
  }
  if (before !== undefined && hasFlag(before, 'OB') && !hasFlag(next, 'OB') && hasFlag(next, 'OL')) {
    events.push(event(next, 'ONLINE', 'info', `${next.ups} is back on mains power`));
  }
  if (next.alarm !== undefined && next.alarm !== before?.alarm) {
    events.push(event(next, 'ALARM', 'warning', `${next.ups} alarm: ${next.alarm}`, { alarm: next.alarm }));
  }
  return events;
}
