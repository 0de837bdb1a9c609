/**
 * When a run must start: the critical rule (upsmon's), then the policy's own
 * triggers. Every answer says which rule held and on what input.
 */
import { durationMs } from '../duration';
import type { Trigger } from '../spec';
import type { CompiledPolicy } from './compile';
import type { Because, UpsTrack } from './types';
import { dataAge, depletionRate, isOnBattery } from './ups-track';

export function describeTrack(ups: string, track: UpsTrack): string {
  const parts = [`${ups}`, track.comm === 'ok' ? track.flags.join(' ') || '(no status)' : `no data (${track.comm})`];
  if (track.charge !== undefined) parts.push(`charge ${track.charge}%`);
  if (track.runtime !== undefined) parts.push(`runtime ${track.runtime}s`);
  return parts.join(', ');
}

/** OB+LB (at any charge, even during calibration), FSD, or silence while last seen on battery. */
export function criticalReason(ups: string, track: UpsTrack, now: number, policy: CompiledPolicy): Because | undefined {
  let rule: string | undefined;
  if (track.comm === 'ok' && track.flags.includes('OB') && track.flags.includes('LB')) rule = 'critical: on battery with low battery (OB LB)';
  else if (track.comm === 'ok' && track.flags.includes('FSD')) rule = 'critical: forced shutdown (FSD)';
  else if (track.lastSeenOnBattery && dataAge(track, now) >= policy.commLossMs) {
    rule = `critical: no data for ${Math.round(dataAge(track, now) / 1000)}s while on battery`;
  }
  return rule === undefined ? undefined : { rule, input: describeTrack(ups, track) };
}

export function conditionReason(condition: Trigger, ups: string, track: UpsTrack, now: number): Because | undefined {
  const onBatteryFor = track.onBatterySince === undefined ? undefined : now - track.onBatterySince;
  // Described only when a condition holds: this runs for every reading.
  const held = (rule: string): Because => ({ rule, input: describeTrack(ups, track) });
  if (condition.fsd) return track.flags.includes('FSD') ? held('fsd') : undefined;
  // Everything else counts only while on battery.
  if (onBatteryFor === undefined) return undefined;
  if (condition.low_battery) return track.flags.includes('LB') ? held('low_battery') : undefined;
  if (condition.on_battery) {
    const needed = condition.on_battery.for === undefined ? 0 : durationMs(condition.on_battery.for);
    return onBatteryFor >= needed ? held(`on_battery for ${condition.on_battery.for ?? '0s'}`) : undefined;
  }
  if (condition.battery_charge_below !== undefined) {
    return track.charge !== undefined && track.charge < condition.battery_charge_below ? held(`battery_charge_below ${condition.battery_charge_below}`) : undefined;
  }
  if (condition.runtime_below !== undefined) {
    return track.runtime !== undefined && track.runtime * 1000 < durationMs(condition.runtime_below) ? held(`runtime_below ${condition.runtime_below}`) : undefined;
  }
  if (condition.depletion_rate_above !== undefined) {
    const rate = depletionRate(track);
    return rate !== undefined && rate > condition.depletion_rate_above ? held(`depletion_rate_above ${condition.depletion_rate_above}%/min (${rate.toFixed(1)}%/min)`) : undefined;
  }
  if (condition.time_on_battery_above !== undefined) {
    return track.batteryMsInOutage > durationMs(condition.time_on_battery_above) ? held(`time_on_battery_above ${condition.time_on_battery_above}`) : undefined;
  }
  if (condition.comm_lost) {
    const needed = condition.comm_lost.for === undefined ? 0 : durationMs(condition.comm_lost.for);
    return track.lastSeenOnBattery && track.comm !== 'ok' && dataAge(track, now) >= needed ? held(`comm_lost for ${condition.comm_lost.for ?? '0s'}`) : undefined;
  }
  return undefined;
}

/** The policy's triggers on one UPS: any one condition, or all of them together. */
export function triggerReason(policy: CompiledPolicy, ups: string, track: UpsTrack, now: number): Because | undefined {
  const reasons = policy.triggers.conditions.map((condition) => conditionReason(condition, ups, track, now));
  if (policy.triggers.mode === 'any') return reasons.find((reason) => reason !== undefined);
  if (reasons.length === 0 || reasons.some((reason) => reason === undefined)) return undefined;
  return { rule: `all of: ${reasons.map((reason) => reason!.rule).join(', ')}`, input: reasons[0]!.input };
}

/** A member of a redundancy group counts as healthy on mains with fresh data and neither LB nor FSD. */
export function isHealthy(track: UpsTrack | undefined, now: number, policy: CompiledPolicy): boolean {
  if (!track || dataAge(track, now) >= policy.commLossMs) return false;
  return !isOnBattery(track.flags) && !track.flags.includes('LB') && !track.flags.includes('FSD');
}
