/**
 * The state of the mains as a policy sees it: which UPSes it judges on, whether
 * the power is back (for cancel and restore), and the runtime left (for pacing).
 */
import type { CompiledPolicy } from './compile';
import { criticalReason, isHealthy, triggerReason } from './conditions';
import type { Because, EngineState, UpsTrack } from './types';
import { emptyTrack, isOnBattery } from './ups-track';

function tracks(state: EngineState, policy: CompiledPolicy): Array<[string, UpsTrack]> {
  return policy.ups.map((ups) => [ups, state.ups[ups] ?? emptyTrack()]);
}

/** A redundancy group acts only when fewer than min_healthy members are healthy. */
function quorumLost(state: EngineState, policy: CompiledPolicy, now: number): boolean {
  if (!policy.group) return true;
  const healthy = policy.group.members.filter((member) => isHealthy(state.ups[member], now, policy)).length;
  return healthy < policy.group.minHealthy;
}

/** The UPSes whose readings may start a run: all watched ones, or a group's unhealthy members once its quorum is lost. */
function judged(state: EngineState, policy: CompiledPolicy, now: number): Array<[string, UpsTrack]> {
  if (!quorumLost(state, policy, now)) return [];
  const all = tracks(state, policy);
  return policy.group ? all.filter(([, track]) => !isHealthy(track, now, policy)) : all;
}

export interface RunCause {
  because: Because;
  critical: boolean;
  fsd: boolean;
}

/** Why a run must start now, critical reasons first; undefined when nothing holds. */
export function runCause(state: EngineState, policy: CompiledPolicy, now: number): RunCause | undefined {
  const candidates = judged(state, policy, now);
  for (const [ups, track] of candidates) {
    const because = criticalReason(ups, track, now, policy);
    if (because) return { because, critical: true, fsd: track.comm === 'ok' && track.flags.includes('FSD') };
  }
  for (const [ups, track] of candidates) {
    const because = triggerReason(policy, ups, track, now);
    if (because) return { because, critical: false, fsd: track.comm === 'ok' && track.flags.includes('FSD') };
  }
  return undefined;
}

/** Some judged UPS is on battery right now (a new outage). */
export function anyOnBattery(state: EngineState, policy: CompiledPolicy): boolean {
  return tracks(state, policy).some(([, track]) => track.comm === 'ok' && isOnBattery(track.flags));
}

/**
 * The mains has been back for `forMs` on every watched UPS (or on enough group
 * members), with fresh data; with `strict`, LB and FSD must be clear too and the
 * charge above `chargeAbove`.
 */
export function powerBack(
  state: EngineState, policy: CompiledPolicy, now: number, forMs: number, strict: { chargeAbove?: number } | undefined,
): Because | undefined {
  const stable = tracks(state, policy).filter(([, track]) => {
    if (track.comm !== 'ok' || track.onlineSince === undefined || now - track.onlineSince < forMs) return false;
    if (track.flags.includes('OB')) return false;
    if (strict && (track.flags.includes('LB') || track.flags.includes('FSD'))) return false;
    return !(strict?.chargeAbove !== undefined && (track.charge === undefined || track.charge <= strict.chargeAbove));
  });
  const needed = policy.group ? policy.group.minHealthy : policy.ups.length;
  if (stable.length < needed) return undefined;
  return { rule: `online for ${Math.round(forMs / 1000)}s${strict?.chargeAbove === undefined ? '' : ` with charge above ${strict.chargeAbove}%`}`, input: stable.map(([ups, track]) => `${ups} ${track.flags.join(' ')}${track.charge === undefined ? '' : ` ${track.charge}%`}`).join('; ') };
}

/** The least runtime left among the judged UPSes on battery, in ms; undefined when none reports one. */
export function runtimeLeftMs(state: EngineState, policy: CompiledPolicy): number | undefined {
  let least: number | undefined;
  for (const [, track] of tracks(state, policy)) {
    if (track.comm !== 'ok' || !isOnBattery(track.flags) || track.runtime === undefined) continue;
    least = Math.min(least ?? Number.POSITIVE_INFINITY, track.runtime * 1000);
  }
  return least;
}
