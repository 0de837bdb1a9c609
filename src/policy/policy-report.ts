/**
 * What a policy looks like from outside (Home Assistant, the API): its state,
 * the countdown to its next stage and the runtime margin its plan predicts
 * from the newest reading. A pure function of the engine's state.
 */
import type { CompiledPolicy } from './engine/compile';
import type { EngineState } from './engine/types';
import { planPolicy, type PowerReading } from './plan';

/** `not_running`: no flow runs the policy (no policy node claims it). */
export const POLICY_STATES = ['not_running', 'idle', 'running', 'awaiting_restore', 'restoring', 'simulating'] as const;
export type PolicyState = (typeof POLICY_STATES)[number];

export interface PolicyReport {
  state: PolicyState;
  runId?: string;
  stage?: string;
  /** Seconds until the next stage is due; absent when none is pending. */
  nextStageInS?: number;
  /** Runtime left at the plan's worst-case end, minus the reserve, in seconds: negative means too late. */
  marginS?: number;
  armed: boolean;
  dryRun: boolean;
  simulating: boolean;
}

export interface ReportInput {
  policy: CompiledPolicy;
  /** The engine state of the running policy (or of its simulation), when there is one. */
  state?: EngineState;
  flags: { armed: boolean; dryRun: boolean };
  reading?: PowerReading;
  simulating: boolean;
  now: number;
}

export function policyReport(input: ReportInput): PolicyReport {
  const { policy, state, flags, reading, simulating, now } = input;
  const run = state?.run;
  const report: PolicyReport = {
    state: simulating ? 'simulating' : state === undefined ? 'not_running' : run === undefined ? 'idle' : run.phase === 'stages' ? 'running' : run.phase,
    armed: flags.armed,
    dryRun: flags.dryRun,
    simulating,
  };
  if (run) {
    report.runId = run.id;
    const stage = run.phase === 'restoring' ? 'restore' : run.stages.find((candidate) => candidate.state === 'running')?.name;
    if (stage) report.stage = stage;
    const pending = run.phase === 'stages' ? run.stages.find((candidate) => candidate.state === 'pending') : undefined;
    const due = pending && policy.stages.find((candidate) => candidate.name === pending.name);
    if (due) report.nextStageInS = Math.max(0, Math.round((run.startedAt + due.afterMs - now) / 1000));
  }
  const margin = reading ? planPolicy(policy, reading).marginMs : undefined;
  if (margin !== undefined) report.marginS = Math.round(margin / 1000);
  return report;
}
