/**
 * A run's stages: starting them on time or early when the battery demands it,
 * sending their actions (together or one after another), ending them when their
 * actions finish or their timeout applies `on_timeout`. Mutates the run copy
 * step() hands it and appends decisions.
 */
import type { CompiledPolicy, CompiledStage } from './compile';
import { runtimeLeftMs } from './power';
import type { Because, Decision, EngineState, RunState, StageRun } from './types';

export interface RunContext {
  policy: CompiledPolicy;
  state: EngineState;
  now: number;
  decisions: Decision[];
}

const finished = (stage: StageRun): boolean => stage.state === 'done' || stage.state === 'timed_out';
const settled = (state: string): boolean => state === 'done' || state === 'failed' || state === 'skipped';

export function newStageRuns(policy: CompiledPolicy): StageRun[] {
  return policy.stages.map((stage) => ({
    name: stage.name, state: 'pending', actions: stage.actions.map((action) => ({ ...action, state: 'pending' })),
  }));
}

/** Worst-case end of the rest of the plan if every stage keeps its planned time and takes its whole timeout. */
export function plannedEnd(run: RunState, policy: CompiledPolicy, now: number): number {
  let t = now;
  run.stages.forEach((stage, index) => {
    const compiled = policy.stages[index]!;
    if (finished(stage)) return;
    if (stage.state === 'running') t = Math.max(t, stage.startedAt! + compiled.timeoutMs);
    else t = Math.max(t, run.startedAt + compiled.afterMs) + compiled.timeoutMs;
  });
  return t;
}

/** Moves the stages on as far as they can go at `now`. */
export function advanceStages(run: RunState, context: RunContext): void {
  for (let guard = 0; guard < run.stages.length * 4 + 4 && run.phase === 'stages'; guard += 1) {
    const index = run.stages.findIndex((stage) => !finished(stage));
    if (index < 0) {
      run.phase = 'awaiting_restore';
      run.outcome = 'completed';
      return;
    }
    const stage = run.stages[index]!;
    const compiled = context.policy.stages[index]!;
    if (stage.state === 'pending' && !startStage(run, stage, index, compiled, context)) return;
    if (stage.state === 'running' && !progressStage(run, stage, compiled, context)) return;
  }
}

function startStage(run: RunState, stage: StageRun, index: number, compiled: CompiledStage, context: RunContext): boolean {
  const { now, policy } = context;
  const plannedAt = run.startedAt + compiled.afterMs;
  let pacing: Decision['pacing'];
  let because: Because;
  if (now >= plannedAt) {
    pacing = 'planned';
    because = { rule: `stage planned at +${Math.round(compiled.afterMs / 1000)}s`, input: `run started at ${run.startedAt}` };
  } else if (run.critical) {
    pacing = 'critical';
    because = { rule: 'critical: stages follow each other without waiting', input: `run ${run.id}` };
  } else {
    const runtime = runtimeLeftMs(context.state, policy);
    const remaining = plannedEnd(run, policy, now) - now;
    if (runtime === undefined || runtime - policy.reserveMs >= remaining) return false;
    pacing = 'compressed';
    because = {
      rule: `runtime left minus reserve (${Math.round((runtime - policy.reserveMs) / 1000)}s) is shorter than the rest of the plan (${Math.round(remaining / 1000)}s)`,
      input: `runtime ${Math.round(runtime / 1000)}s`,
    };
  }
  stage.state = 'running';
  stage.startedAt = now;
  if (policy.pointOfNoReturn !== undefined && index >= policy.pointOfNoReturn) run.pastPointOfNoReturn = true;
  context.decisions.push({ kind: 'stage_start', t: now, runId: run.id, stage: stage.name, pacing, because });
  return true;
}

/** Sends what the stage may send now and ends it when it is over; true when it ended. */
function progressStage(run: RunState, stage: StageRun, compiled: CompiledStage, context: RunContext): boolean {
  const { now } = context;
  if (stage.actions.every((action) => settled(action.state))) {
    endStage(run, stage, stage.actions.some((action) => action.state === 'failed') ? 'done_with_failures' : 'done', context, {
      rule: 'every action of the stage finished', input: stage.actions.map((action) => `${action.target} ${action.state}`).join(', '),
    });
    return true;
  }
  if (now - stage.startedAt! >= compiled.timeoutMs) {
    applyTimeout(run, stage, compiled, context);
    return true;
  }
  const inFlight = stage.actions.some((action) => action.state === 'sent');
  for (const action of stage.actions) {
    if (action.state !== 'pending' || (!compiled.parallel && inFlight)) continue;
    action.state = 'sent';
    action.sentAt = now;
    context.decisions.push({
      kind: 'action', t: now, runId: run.id, stage: stage.name, target: action.target, op: action.op,
      timeoutMs: Math.max(0, stage.startedAt! + compiled.timeoutMs - now),
      because: { rule: compiled.parallel ? 'stage started (parallel)' : 'next action of the stage', input: `stage ${stage.name}` },
    });
    if (!compiled.parallel) break;
  }
  return false;
}

function applyTimeout(run: RunState, stage: StageRun, compiled: CompiledStage, context: RunContext): void {
  const because: Because = { rule: `stage timeout ${Math.round(compiled.timeoutMs / 1000)}s, on_timeout: ${compiled.onTimeout}`, input: stage.actions.filter((action) => !settled(action.state)).map((action) => `${action.target} ${action.state}`).join(', ') };
  if (compiled.onTimeout === 'force') {
    for (const action of stage.actions) {
      if (settled(action.state)) continue;
      action.state = 'sent';
      action.sentAt = context.now;
      context.decisions.push({ kind: 'action', t: context.now, runId: run.id, stage: stage.name, target: action.target, op: action.op, force: true, timeoutMs: compiled.timeoutMs, because });
    }
  } else {
    for (const action of stage.actions) if (action.state === 'pending') action.state = 'skipped';
  }
  endStage(run, stage, 'timed_out', context, because);
  if (compiled.onTimeout === 'abort') {
    for (const later of run.stages) {
      if (later.state !== 'pending') continue;
      later.state = 'timed_out';
      for (const action of later.actions) action.state = 'skipped';
    }
    run.phase = 'awaiting_restore';
    run.outcome = 'aborted';
  }
}

function endStage(run: RunState, stage: StageRun, outcome: string, context: RunContext, because: Because): void {
  stage.state = outcome === 'timed_out' ? 'timed_out' : 'done';
  stage.endedAt = context.now;
  context.decisions.push({ kind: 'stage_end', t: context.now, runId: run.id, stage: stage.name, outcome, because });
}

/** Stops every stage where it is (a cancel): nothing pending is sent any more. */
export function stopStages(run: RunState): void {
  for (const stage of run.stages) {
    if (stage.state === 'pending' || stage.state === 'running') stage.state = stage.state === 'pending' ? 'timed_out' : 'done';
    for (const action of stage.actions) if (action.state === 'pending') action.state = 'skipped';
  }
}
