/**
 * Per-UPS memory of the engine: when it went on battery, when the mains came
 * back, when data last arrived. Pure: returns a new track.
 */
import type { UpsSample, UpsTrack } from './types';

/** How far back the depletion rate looks. */
const CHARGE_WINDOW_MS = 5 * 60_000;

/** OB is on battery (OB CHRG too: buggy firmware). A calibration run (OB CAL) is not an outage. */
export function isOnBattery(flags: readonly string[]): boolean {
  return flags.includes('OB') && !flags.includes('CAL');
}

export function emptyTrack(): UpsTrack {
  return { flags: [], comm: 'lost', lastSeenOnBattery: false, batteryMsInOutage: 0, chargeHistory: [] };
}

/**
 * @param outageResetMs the mains must stay back this long before the time on
 *   battery summed over an outage starts again from zero.
 */
export function trackSample(previous: UpsTrack | undefined, sample: UpsSample, now: number, outageResetMs: number): UpsTrack {
  const track = previous ?? emptyTrack();
  if (sample.comm !== 'ok') {
    // A data gap changes no timer: the UPS is still what it was last seen as.
    return { ...track, comm: sample.comm, lastSampleAt: now };
  }
  const onBattery = isOnBattery(sample.flags);
  const wasOnBattery = track.lastSeenOnBattery && track.comm === 'ok';
  const sinceLast = track.lastOkAt === undefined ? 0 : now - track.lastOkAt;
  // The time since the previous reading was spent as that reading said.
  let batteryMs = track.batteryMsInOutage + (wasOnBattery ? sinceLast : 0);
  const onlineSince = onBattery ? undefined : (track.onlineSince ?? now);
  if (onlineSince !== undefined && now - onlineSince >= outageResetMs) batteryMs = 0;
  let chargeHistory = track.chargeHistory;
  if (!onBattery) chargeHistory = [];
  else if (sample.charge !== undefined) {
    chargeHistory = [...chargeHistory.filter(([at]) => now - at <= CHARGE_WINDOW_MS), [now, sample.charge]];
    if (chargeHistory.length > 64) chargeHistory = chargeHistory.filter((_, index) => index % 2 === 1 || index === chargeHistory.length - 1);
  }
  const next: UpsTrack = {
    lastSampleAt: now,
    lastOkAt: now,
    flags: sample.flags,
    comm: 'ok',
    lastSeenOnBattery: onBattery,
    batteryMsInOutage: batteryMs,
    chargeHistory,
  };
  if (sample.charge !== undefined) next.charge = sample.charge;
  if (sample.runtime !== undefined) next.runtime = sample.runtime;
  const onBatterySince = onBattery ? (track.onBatterySince ?? now) : undefined;
  if (onBatterySince !== undefined) next.onBatterySince = onBatterySince;
  if (onlineSince !== undefined) next.onlineSince = onlineSince;
  return next;
}

/** Percent per minute over the window, once it spans 30 s; undefined before. */
export function depletionRate(track: UpsTrack): number | undefined {
  const first = track.chargeHistory[0];
  const last = track.chargeHistory[track.chargeHistory.length - 1];
  if (!first || !last || last[0] - first[0] < 30_000) return undefined;
  return ((first[1] - last[1]) / (last[0] - first[0])) * 60_000;
}

/** Milliseconds since the last reading with data (Infinity before the first). */
export function dataAge(track: UpsTrack, now: number): number {
  return track.lastOkAt === undefined ? Number.POSITIVE_INFINITY : now - track.lastOkAt;
}
