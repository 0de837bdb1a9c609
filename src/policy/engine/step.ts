/**
 * The policy engine: step(policy, state, input, now) → { state, decisions }.
 * Pure — no I/O, no clock of its own, the input state is never changed — so
 * the simulator, the tests and the hub run exactly the same decisions.
 */
import type { Target } from '../spec';
import type { CompiledPolicy } from './compile';
import { restoreActions } from './compile';
import { describeTrack } from './conditions';
import { anyOnBattery, powerBack, runCause } from './power';
import { advanceStages, newStageRuns, stopStages, type RunContext } from './run';
import type { ActionResult, Decision, EngineInput, EngineState, RunState, StageRun, StepResult } from './types';
import { trackSample } from './ups-track';

/** What step() needs besides the policy: target types (inverse restore) and whether runs may start. */
export interface EngineOptions {
  armed: boolean;
  targetTypes: ReadonlyMap<string, Target['type']>;
}

export const RESTORE_STAGE = 'restore';

export function initialState(now = 0): EngineState {
  return { ups: {}, runCount: 0, now };
}

export function step(policy: CompiledPolicy, options: EngineOptions, state: EngineState, input: EngineInput, now: number): StepResult {
  const at = Math.max(now, state.now);
  // A run waiting for the mains changes only its top-level fields, unless a result or a restart touches its actions.
  const deep = state.run !== undefined && (state.run.phase !== 'awaiting_restore' || input.kind === 'result' || input.kind === 'resume');
  const next: EngineState = { ...state, now: at, ...(state.run ? { run: deep ? cloneRun(state.run) : { ...state.run } } : {}) };
  const decisions: Decision[] = [];
  const context: RunContext = { policy, state: next, now: at, decisions };

  if (input.kind === 'sample') {
    if (!policy.ups.includes(input.ups)) return { state, decisions };
    next.ups = { ...state.ups, [input.ups]: trackSample(state.ups[input.ups], input, at, policy.cancelOnlineMs) };
  } else if (input.kind === 'result' && next.run) {
    applyResult(next.run, input, context);
  } else if (input.kind === 'resume' && next.run) {
    verifyInFlight(next.run, context);
  }

  const run = next.run;
  if (run?.phase === 'restoring' && anyOnBattery(next, policy)) {
    endRun(next, 'restore_interrupted', { rule: 'a new outage stops the restore', input: firstOnBattery(next, policy) }, context);
  }
  maybeStartRun(next, options, context);
  if (next.run) progressRun(next, next.run, options, context);
  return { state: next, decisions };
}

function maybeStartRun(state: EngineState, options: EngineOptions, context: RunContext): void {
  const current = state.run;
  // One run at a time: a new one only once the previous was cancelled or its restore began.
  const replaceable = current === undefined || current.outcome === 'cancelled' || current.phase === 'restoring';
  if (!replaceable || !options.armed) return;
  const cause = runCause(state, context.policy, context.now);
  if (!cause) return;
  if (current) endRun(state, current.phase === 'restoring' ? 'restore_interrupted' : 'cancelled', { rule: 'a new run starts', input: cause.because.input }, context);
  const id = `${context.policy.name}-${state.runCount + 1}`;
  state.runCount += 1;
  state.run = {
    id, startedAt: context.now, fsdLatched: cause.fsd, critical: cause.critical, phase: 'stages',
    pastPointOfNoReturn: false, stages: newStageRuns(context.policy),
  };
  context.decisions.push({ kind: 'trigger', t: context.now, runId: id, because: cause.because });
}

function progressRun(state: EngineState, run: RunState, options: EngineOptions, context: RunContext): void {
  const { policy, now } = context;
  if (run.phase === 'stages' && !run.pastPointOfNoReturn && !run.fsdLatched) {
    const back = powerBack(state, policy, now, policy.cancelOnlineMs, undefined);
    if (back) {
      stopStages(run);
      run.phase = 'awaiting_restore';
      run.outcome = 'cancelled';
      context.decisions.push({ kind: 'cancel', t: now, runId: run.id, because: back });
      if (!run.stages.some((stage) => stage.actions.some((action) => action.state === 'done' || action.state === 'sent' || action.state === 'failed'))) {
        endRun(state, 'cancelled', { rule: 'cancelled before any action was sent: nothing to restore', input: back.input }, context);
        return;
      }
    }
  }
  if (run.phase === 'stages') {
    // A critical cause met later (LB, FSD, silence on battery) makes the rest of the run go without waiting.
    if (!run.critical) {
      const cause = runCause(state, policy, now);
      if (cause?.critical) {
        run.critical = true;
        run.fsdLatched ||= cause.fsd;
      }
    }
    advanceStages(run, context);
  }
  if (run.phase === 'awaiting_restore') {
    const back = powerBack(state, policy, now, policy.restore.onlineMs, policy.restore.chargeAbove === undefined ? {} : { chargeAbove: policy.restore.chargeAbove });
    if (!back) return;
    const done = run.stages.flatMap((stage) => stage.actions.filter((action) => action.state === 'done' || action.state === 'sent'));
    const actions = restoreActions(policy, done, options.targetTypes);
    run.phase = 'restoring';
    run.restore = { name: RESTORE_STAGE, state: 'running', startedAt: now, actions: actions.map((action) => ({ ...action, state: 'pending' })) };
    context.decisions.push({ kind: 'restore', t: now, runId: run.id, stage: RESTORE_STAGE, because: back });
  }
  if (run.phase === 'restoring') progressRestore(state, run, context);
}

/** Restore actions go one after another; each may take the restore timeout, then counts as failed. */
function progressRestore(state: EngineState, run: RunState, context: RunContext): void {
  const restore = run.restore!;
  const { now, policy } = context;
  for (const action of restore.actions) {
    if (action.state === 'sent' && now - action.sentAt! >= policy.restore.actionTimeoutMs) action.state = 'failed';
  }
  if (restore.actions.some((action) => action.state === 'sent')) return;
  const pending = restore.actions.find((action) => action.state === 'pending');
  if (pending) {
    pending.state = 'sent';
    pending.sentAt = now;
    context.decisions.push({
      kind: 'action', t: now, runId: run.id, stage: RESTORE_STAGE, target: pending.target, op: pending.op,
      timeoutMs: policy.restore.actionTimeoutMs, because: { rule: 'restore, one action after another', input: `restore of ${run.id}` },
    });
    return;
  }
  endRun(state, 'restored', { rule: 'every restore action finished', input: restore.actions.map((action) => `${action.target} ${action.state}`).join(', ') || 'nothing to restore' }, context);
}

function applyResult(run: RunState, result: ActionResult, context: RunContext): void {
  if (result.runId !== run.id) return; // a late answer for an earlier run changes nothing
  const stage: StageRun | undefined = result.stage === RESTORE_STAGE ? run.restore : run.stages.find((candidate) => candidate.name === result.stage);
  const action = stage?.actions.find((candidate) => candidate.target === result.target && candidate.op === result.op && candidate.state === 'sent');
  if (!stage || !action) return;
  if (action.verifying && result.outcome === 'failed') {
    // Verified after a restart: not done on the device, so it is sent again (once).
    action.verifying = false;
    action.sentAt = context.now;
    context.decisions.push({
      kind: 'action', t: context.now, runId: run.id, stage: stage.name, target: action.target, op: action.op,
      because: { rule: 'in flight at the restart and not done on the device: sent again', input: result.error ?? 'verify: not done' },
    });
    return;
  }
  action.state = result.outcome;
  action.verifying = false;
}

/** After a restart: every action that was sent is verified on the device before anything is sent again. */
function verifyInFlight(run: RunState, context: RunContext): void {
  for (const stage of [...run.stages, ...(run.restore ? [run.restore] : [])]) {
    for (const action of stage.actions) {
      if (action.state !== 'sent') continue;
      action.verifying = true;
      context.decisions.push({
        kind: 'verify', t: context.now, runId: run.id, stage: stage.name, target: action.target, op: action.op,
        because: { rule: 'the hub restarted with this action in flight', input: `sent at ${action.sentAt ?? '?'}` },
      });
    }
  }
}

function endRun(state: EngineState, outcome: string, because: Decision['because'], context: RunContext): void {
  const run = state.run;
  if (!run) return;
  context.decisions.push({ kind: 'run_end', t: context.now, runId: run.id, outcome, because });
  delete state.run;
}

function firstOnBattery(state: EngineState, policy: CompiledPolicy): string {
  const ups = policy.ups.find((name) => state.ups[name]?.flags.includes('OB'));
  return ups ? describeTrack(ups, state.ups[ups]!) : 'on battery';
}

function cloneRun(run: RunState): RunState {
  const cloneStage = (stage: StageRun): StageRun => ({ ...stage, actions: stage.actions.map((action) => ({ ...action })) });
  return { ...run, stages: run.stages.map(cloneStage), ...(run.restore ? { restore: cloneStage(run.restore) } : {}) };
}
