import type { NutSimulatorEvents } from './events';
import type { Session } from './session';
import type { SimUps, SimUser } from './state';
import type { TrackingTable } from './tracking';

/** What a command handler may see and do; the server implements it. */
export interface CommandContext {
  readonly version: string;
  readonly tracking: TrackingTable;
  /** The simulator's clock (ms), for data age. */
  now(): number;
  findUps(name: string): SimUps | undefined;
  /** In the order they were added (upsd keeps ups.conf order). */
  allUps(): SimUps[];
  findUser(name: string): SimUser | undefined;
  /** Every connected client, newest first (upsd's client list order). */
  sessions(): Session[];
  isStale(ups: SimUps): boolean;
  /** The simulated driver will report the outcome of this tracked request later. */
  trackingStarted(id: string): void;
  emit<K extends keyof NutSimulatorEvents>(event: K, ...args: NutSimulatorEvents[K]): void;
}

/** Reply lines, without their newlines. */
export type Reply = string[];

export function err(code: string): Reply {
  return [`ERR ${code}`];
}

/** upsd's ups_available(): a driver that is gone, then data that is too old. */
export function unavailable(ctx: CommandContext, ups: SimUps): Reply | undefined {
  if (!ups.driverConnected) return err('DRIVER-NOT-CONNECTED');
  if (ctx.isStale(ups)) return err('DATA-STALE');
  return undefined;
}

/** Looks the UPS up and checks it is usable, as most GET/LIST/SET/INSTCMD requests do. */
export function availableUps(ctx: CommandContext, name: string): SimUps | Reply {
  const ups = ctx.findUps(name);
  if (!ups) return err('UNKNOWN-UPS');
  return unavailable(ctx, ups) ?? ups;
}

export function isReply(value: unknown): value is Reply {
  return Array.isArray(value);
}
