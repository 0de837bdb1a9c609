/**
 * Runs a trace through the engine on a virtual clock: one sample per
 * resolution step, and each action's result fed back when the trace says the
 * target finishes (never, for one that hangs). Same step() as the hub.
 */
import type { CompiledPolicy } from './engine/compile';
import { initialState, step, type EngineOptions } from './engine/step';
import type { Decision, EngineState, UpsSample } from './engine/types';
import type { Trace, TraceKeyframe } from './trace';

export interface SimulationResult {
  decisions: Decision[];
  state: EngineState;
  steps: number;
}

interface PendingResult {
  atMs: number;
  decision: Decision;
  outcome: 'done' | 'failed';
}

export function simulate(policy: CompiledPolicy, options: EngineOptions, trace: Trace): SimulationResult {
  const ups = trace.ups ?? policy.ups[0] ?? 'ups';
  const samples = new SampleCursor(trace.keyframes);
  let state = initialState(0);
  const decisions: Decision[] = [];
  const pending: PendingResult[] = [];
  let steps = 0;
  const feed = (input: Parameters<typeof step>[3], at: number): void => {
    const result = step(policy, options, state, input, at);
    state = result.state;
    steps += 1;
    for (const decision of result.decisions) {
      decisions.push(decision);
      if (decision.kind !== 'action' && decision.kind !== 'verify') continue;
      const behaviour = trace.behaviour(decision.target!, decision.op!);
      if (behaviour.hangs) continue;
      pending.push({ atMs: at + behaviour.takesMs, decision, outcome: behaviour.fails ? 'failed' : 'done' });
      pending.sort((a, b) => a.atMs - b.atMs);
    }
  };
  for (let t = 0; t <= trace.endMs; t += trace.resolutionMs) {
    while (pending.length > 0 && pending[0]!.atMs <= t) {
      const { atMs, decision, outcome } = pending.shift()!;
      feed({ kind: 'result', runId: decision.runId, stage: decision.stage!, target: decision.target!, op: decision.op!, outcome }, atMs);
    }
    feed(samples.at(t, ups), t);
  }
  return { decisions, state, steps };
}

/** The UPS as the trace has it at `t`: held flags and comm, numbers interpolated between keyframes. */
class SampleCursor {
  private index = -1;

  constructor(private readonly keyframes: readonly TraceKeyframe[]) {}

  at(t: number, ups: string): UpsSample {
    while (this.index + 1 < this.keyframes.length && this.keyframes[this.index + 1]!.atMs <= t) this.index += 1;
    const sample: UpsSample = { kind: 'sample', ups, flags: ['OL'], comm: 'ok' };
    for (let index = this.index; index >= 0; index -= 1) {
      const frame = this.keyframes[index]!;
      if (frame.flags) {
        sample.flags = frame.flags;
        break;
      }
    }
    for (let index = this.index; index >= 0; index -= 1) {
      const frame = this.keyframes[index]!;
      if (frame.comm) {
        sample.comm = frame.comm;
        break;
      }
    }
    for (const key of ['charge', 'runtime', 'load'] as const) {
      const value = this.interpolate(key, t);
      if (value !== undefined) sample[key] = value;
    }
    return sample;
  }

  private interpolate(key: 'charge' | 'runtime' | 'load', t: number): number | undefined {
    let before: TraceKeyframe | undefined;
    for (let index = this.index; index >= 0; index -= 1) {
      if (this.keyframes[index]![key] !== undefined) {
        before = this.keyframes[index];
        break;
      }
    }
    if (!before) return undefined;
    let after: TraceKeyframe | undefined;
    for (let index = this.index + 1; index < this.keyframes.length; index += 1) {
      if (this.keyframes[index]![key] !== undefined) {
        after = this.keyframes[index];
        break;
      }
    }
    const from = before[key]!;
    if (!after || after.atMs === before.atMs) return from;
    const fraction = (t - before.atMs) / (after.atMs - before.atMs);
    return Math.round((from + (after[key]! - from) * fraction) * 10) / 10;
  }
}
