/**
 * "Simulate outage": a live dry run of one policy on the real clock. Its own
 * engine (the policy's real state is untouched) is fed synthetic readings:
 * on battery from the newest real one, the runtime draining a second per
 * second; once the stages are done, the mains come back and the charge rises
 * so restore runs too. Every action is answered "done" at once: no device is
 * called. It ends with the run, when stopped, or after MAX_MS.
 */
import type { CompiledPolicy } from './engine/compile';
import { initialState, step, type EngineOptions } from './engine/step';
import type { Decision, EngineInput, EngineState } from './engine/types';

export const MAX_SIMULATION_MS = 60 * 60_000;
const DEFAULT_RUNTIME_S = 1800;

export interface SimulationStart {
  charge?: number;
  runtime?: number;
  load?: number;
}

export class OutageSimulation {
  state: EngineState;
  private readonly startedAt: number;
  private powerBackAt: number | undefined;
  private lastCharge = 100;
  private ended = false;

  constructor(
    readonly policy: CompiledPolicy,
    private readonly options: Omit<EngineOptions, 'armed'>,
    private readonly start: SimulationStart,
    now: number,
  ) {
    this.startedAt = now;
    this.state = initialState(now);
  }

  get done(): boolean {
    return this.ended;
  }

  /** One step of the outage at `now`: the readings of every UPS of the policy, and the decisions they bring. */
  advance(now: number): Decision[] {
    if (this.ended) return [];
    const decisions: Decision[] = [];
    for (const ups of this.policy.ups) decisions.push(...this.feed({ kind: 'sample', ups, comm: 'ok', ...this.reading(now) }, now));
    if (this.state.run?.phase === 'awaiting_restore') this.powerBackAt ??= now;
    if (decisions.some((decision) => decision.kind === 'run_end') || now - this.startedAt >= MAX_SIMULATION_MS) this.ended = true;
    return decisions;
  }

  stop(): void {
    this.ended = true;
  }

  private reading(now: number): Pick<Extract<EngineInput, { kind: 'sample' }>, 'flags' | 'charge' | 'runtime' | 'load'> {
    const runtime0 = this.start.runtime ?? DEFAULT_RUNTIME_S;
    const charge0 = this.start.charge ?? 100;
    const load = this.start.load === undefined ? {} : { load: this.start.load };
    if (this.powerBackAt === undefined) {
      const runtime = Math.max(0, runtime0 - (now - this.startedAt) / 1000);
      this.lastCharge = Math.round((charge0 * runtime) / runtime0);
      return { flags: ['OB', 'DISCHRG'], runtime: Math.round(runtime), charge: this.lastCharge, ...load };
    }
    // Charging back at 1 % a second: restore's charge_above is reached in minutes, not hours.
    const charge = Math.min(100, this.lastCharge + (now - this.powerBackAt) / 1000);
    return { flags: charge < 100 ? ['OL', 'CHRG'] : ['OL'], runtime: Math.round((runtime0 * charge) / 100), charge: Math.round(charge), ...load };
  }

  /** Feeds one input, answering every action the engine asks for as done, and returns all decisions. */
  private feed(input: EngineInput, now: number): Decision[] {
    const { state, decisions } = step(this.policy, { ...this.options, armed: true }, this.state, input, now);
    this.state = state;
    const all = [...decisions];
    for (const decision of decisions) {
      if (decision.kind !== 'action') continue;
      all.push(...this.feed({
        kind: 'result', runId: decision.runId, stage: decision.stage!, target: decision.target!, op: decision.op!, outcome: 'done',
      }, now));
    }
    return all;
  }
}
