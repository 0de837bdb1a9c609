import * as path from 'node:path';
import type { NodeStatus } from 'node-red';
import type { PolicyRunStatus } from '../../src/policy/policy-service';
import type { PolicyRulesState } from '../../src/policy/rules-service';
import type { UpsSnapshot } from '../../src/nut/snapshot';

/** The node badge for a UPS reading: green on mains, yellow on battery, red when critical or silent. */
export function upsStatus(snapshot: UpsSnapshot): NodeStatus {
  if (snapshot.comm !== 'ok') return { fill: 'red', shape: 'ring', text: `${snapshot.ups}: no data (${snapshot.comm})` };
  const charge = snapshot.batteryCharge === undefined ? '' : ` ${snapshot.batteryCharge}%`;
  const text = `${snapshot.ups}: ${snapshot.status}${charge}`;
  if (snapshot.flags.includes('FSD') || (snapshot.flags.includes('OB') && snapshot.flags.includes('LB'))) return { fill: 'red', shape: 'dot', text };
  if (snapshot.flags.includes('OB')) return { fill: 'yellow', shape: 'dot', text };
  return { fill: 'green', shape: 'dot', text };
}

/**
 * The node badge for a policy: its run (red while shutting down), a refused
 * rules change (yellow: the last good version runs), not loaded (red ring), or idle.
 */
export function policyStatus(name: string, state: PolicyRulesState, run?: PolicyRunStatus): NodeStatus {
  const where = state.problem ? `${path.basename(state.problem.file)}:${state.problem.line}:${state.problem.column}` : '';
  const dry = run?.dryRun ? ', dry run' : '';
  if (run?.runId) {
    const doing = run.phase === 'restoring' ? 'restoring' : run.phase === 'awaiting_restore' ? 'waiting to restore' : `stage ${run.stage ?? '…'}`;
    return { fill: run.phase === 'stages' ? 'red' : 'blue', shape: 'dot', text: `${name}: ${run.runId} ${doing}${dry}` };
  }
  if (state.running && state.problem) return { fill: 'yellow', shape: 'ring', text: `${name}: ${where} refused, last good version runs` };
  if (state.running && run?.loaded && !run.armed) return { fill: 'grey', shape: 'dot', text: `${name}: disarmed` };
  if (state.running && run?.loaded) return { fill: 'green', shape: 'dot', text: `${name}: armed${dry}` };
  if (state.running) return { fill: 'green', shape: 'dot', text: `${name}: loaded from ${path.basename(state.file ?? '')}` };
  if (state.problem) return { fill: 'red', shape: 'ring', text: `${name}: not loaded (${where})` };
  return { fill: 'grey', shape: 'ring', text: `${name}: no such policy in the rules folder` };
}
