import { childPath } from './definitions';
import { type FaultStep, isFaultStep, type Scenario, ScenarioError, type ScenarioStep } from './scenario';
import type { NutSimulator } from './server';

/** Where the runner gets time from; tests pass a manual clock. */
export interface ScenarioClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: ScenarioClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface ScenarioRunOptions {
  clock?: ScenarioClock;
  /** Called after each step is applied (e.g. to log it). */
  onStep?: (step: ScenarioStep, index: number) => void;
}

export interface ScenarioRun {
  /** Settles after the last step (or at stop()); rejects if a step could not be applied. */
  readonly finished: Promise<void>;
  /** Cancels the steps not yet applied. */
  stop(): void;
}

/**
 * Creates the scenario's UPSes (replacing any of the same name) and users, then
 * applies each step `at` seconds after this call, in order; steps at 0 are applied
 * before this returns. Times count from the start, so slow steps do not add drift.
 */
export function runScenario(sim: NutSimulator, scenario: Scenario, options: ScenarioRunOptions = {}): ScenarioRun {
  const clock = options.clock ?? realClock;
  for (const [name, definition] of Object.entries(scenario.ups)) {
    if (sim.hasUps(name)) sim.removeUps(name);
    sim.addUps(name, definition);
  }
  for (const [name, definition] of Object.entries(scenario.users)) sim.addUser(name, definition);

  const issues: string[] = [];
  scenario.steps.forEach((step, index) => {
    if (step.ups !== undefined && !sim.hasUps(step.ups)) issues.push(`${childPath(childPath('$.steps', index), 'ups')}: no UPS named "${step.ups}" in the simulator`);
  });
  if (issues.length > 0) throw new ScenarioError(issues);

  // a stable sort: steps written for the same second keep their order
  const ordered = scenario.steps.map((step, index) => ({ step, index })).sort((a, b) => a.step.at - b.step.at);
  const startedAt = clock.now();
  let next = 0;
  let timer: unknown;
  let stopped = false;
  let settle!: { resolve: () => void; reject: (error: unknown) => void };
  const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  // a caller that never awaits `finished` must not crash the process on a failed step
  finished.catch(() => undefined);

  const applyDue = (): void => {
    timer = undefined;
    try {
      while (!stopped && next < ordered.length) {
        const entry = ordered[next];
        if (!entry || startedAt + entry.step.at * 1000 > clock.now()) break;
        applyStep(sim, entry.step);
        next += 1;
        options.onStep?.(entry.step, entry.index);
      }
    } catch (error) {
      stopped = true;
      settle.reject(error);
      return;
    }
    if (stopped) return;
    const upcoming = ordered[next];
    if (!upcoming) {
      settle.resolve();
      return;
    }
    timer = clock.setTimeout(applyDue, Math.max(0, startedAt + upcoming.step.at * 1000 - clock.now()));
  };
  applyDue();

  return {
    finished,
    stop: () => {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      settle.resolve();
    },
  };
}

export function applyStep(sim: NutSimulator, step: ScenarioStep): void {
  if (isFaultStep(step)) applyFault(sim, step);
  else sim.setVars(step.ups, step.vars);
}

function applyFault(sim: NutSimulator, step: FaultStep): void {
  const on = step.on ?? true;
  const ups = step.ups ?? '';
  switch (step.fault) {
    case 'drop':
      return sim.dropConnections();
    case 'stall':
      return sim.stall(on);
    case 'garbage':
      return sim.garbage(step.line ?? '', step.mode);
    case 'stale':
      return sim.setStale(ups, on);
    case 'driver-disconnected':
      return sim.setDriverConnected(ups, !on);
    case 'command-failure':
      return sim.setCommandFailure(ups, on);
  }
}
