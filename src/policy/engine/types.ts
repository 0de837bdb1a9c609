/**
 * The policy engine's vocabulary. Everything here is plain JSON: the state is
 * persisted after every decision and read back after a restart.
 */
import type { Op } from '../spec';

/** One reading of one UPS, as the engine needs it (the service converts bus snapshots). */
export interface UpsSample {
  kind: 'sample';
  ups: string;
  /** NUT status flags: OL, OB, LB, FSD, CAL, CHRG… */
  flags: string[];
  /** Percent. */
  charge?: number;
  /** Seconds left, as `battery.runtime`. */
  runtime?: number;
  /** Percent of capacity. */
  load?: number;
  /** `ok`, or the data is stale or the connection lost. */
  comm: 'ok' | 'stale' | 'lost';
}

export type ActionOutcome = 'done' | 'failed';

/** What the runner reports for a job the engine asked for (or verified after a restart). */
export interface ActionResult {
  kind: 'result';
  runId: string;
  stage: string;
  target: string;
  op: Op;
  outcome: ActionOutcome;
  error?: string;
}

/** Time passes with no reading (timers: stage timeouts, comm loss, planned starts). */
export interface Tick {
  kind: 'tick';
}

/** The hub started again with a persisted state: actions that were in flight must be verified. */
export interface Resume {
  kind: 'resume';
}

export type EngineInput = UpsSample | ActionResult | Tick | Resume;

/** Why a decision was taken: the rule, and the input that made it hold. */
export interface Because {
  rule: string;
  input: string;
}

export type DecisionKind = 'trigger' | 'stage_start' | 'action' | 'verify' | 'stage_end' | 'cancel' | 'restore' | 'run_end';

export interface Decision {
  kind: DecisionKind;
  /** Virtual or real milliseconds. */
  t: number;
  runId: string;
  stage?: string;
  target?: string;
  op?: Op;
  /** For `action`: how long the runner may take before the stage's on_timeout applies. */
  timeoutMs?: number;
  /** For `action`: the hard variant (on_timeout: force). */
  force?: boolean;
  /** For `stage_start`: on its planned time, or early because the battery demands it. */
  pacing?: 'planned' | 'compressed' | 'critical';
  /** For `stage_end` and `run_end`: how it ended. */
  outcome?: string;
  because: Because;
}

/** What the engine remembers of one watched UPS. */
export interface UpsTrack {
  lastSampleAt?: number;
  /** The last reading with data (comm ok). */
  lastOkAt?: number;
  flags: string[];
  charge?: number;
  runtime?: number;
  comm: UpsSample['comm'];
  /** Start of the current stretch on battery (kept through short data gaps). */
  onBatterySince?: number;
  /** Start of the current stretch on mains. */
  onlineSince?: number;
  /** The last reading with data said OB. */
  lastSeenOnBattery: boolean;
  /** Time on battery summed over the outage (through short returns of the mains). */
  batteryMsInOutage: number;
  /** Recent (time, charge) pairs for the depletion rate, oldest first. */
  chargeHistory: Array<[number, number]>;
}

export type ActionState = 'pending' | 'sent' | 'done' | 'failed' | 'skipped';

export interface ActionRun {
  target: string;
  op: Op;
  state: ActionState;
  sentAt?: number;
  /** Sent before a restart and not yet confirmed on the device. */
  verifying?: boolean;
}

export interface StageRun {
  name: string;
  state: 'pending' | 'running' | 'done' | 'timed_out';
  startedAt?: number;
  endedAt?: number;
  actions: ActionRun[];
}

export interface RunState {
  id: string;
  startedAt: number;
  /** Started by FSD: never cancelled. */
  fsdLatched: boolean;
  critical: boolean;
  phase: 'stages' | 'awaiting_restore' | 'restoring';
  /** How the stages part ended, once it has. */
  outcome?: 'completed' | 'aborted' | 'cancelled';
  pastPointOfNoReturn: boolean;
  stages: StageRun[];
  restore?: StageRun;
}

export interface EngineState {
  ups: Record<string, UpsTrack>;
  run?: RunState;
  /** Runs started so far: run ids are `<policy>-<n>`. */
  runCount: number;
  /** Last time step() was called: the engine never goes back in time. */
  now: number;
}

export interface StepResult {
  state: EngineState;
  decisions: Decision[];
}
