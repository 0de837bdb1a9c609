import { EventEmitter } from 'node:events';
import type { RulesProblem } from './errors';
import type { NutEvent } from './nut/events';
import type { JobUpdate } from './actions/runner';
import type { ActionRequest, PolicyDecision } from './policy/requests';
import type { UpsSnapshot } from './nut/snapshot';

/** Payloads of every event on the bus; one emitX/onX pair per event below. */
export interface RetentionRun {
  prunedSamples: number;
  prunedRollups: number;
  rolledUpHours: number;
  durationMs: number;
}

export interface SamplesWritten {
  count: number;
}

/** The rules that run now, after a start or an accepted change. */
export interface RulesLoaded {
  /** The file whose change was accepted; absent for the first load. */
  changedFile?: string;
  files: string[];
  policies: string[];
  targets: string[];
  warnings: RulesProblem[];
  /** Overrides dropped because the YAML value they overrode changed. */
  droppedOverrides: { policy: string; flag: 'armed' | 'dry_run' }[];
}

/** A rules file whose current text does not run; the last good version of it (if any) still does. */
export interface RulesRejected {
  file: string;
  problems: RulesProblem[];
  /** sha256 of the version still running, when there is one. */
  runningSha256?: string;
}

type Listener<T> = (payload: T) => void;

/**
 * The typed event bus. Services publish here and never call each other; a
 * listener that throws is reported through onListenerError, not to the emitter,
 * so one broken consumer cannot stop a publisher.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private listenerErrorHandler: (event: string, error: unknown) => void = () => undefined;

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  onListenerError(handler: (event: string, error: unknown) => void): void {
    this.listenerErrorHandler = handler;
  }

  emitRetentionRun(run: RetentionRun): void {
    this.emit('retention.run', run);
  }
  onRetentionRun(listener: Listener<RetentionRun>): () => void {
    return this.on('retention.run', listener);
  }

  emitSamplesWritten(batch: SamplesWritten): void {
    this.emit('samples.written', batch);
  }
  onSamplesWritten(listener: Listener<SamplesWritten>): () => void {
    return this.on('samples.written', listener);
  }

  /** Every reading of every watched UPS (also readings that say communication is lost). */
  emitUpsSnapshot(snapshot: UpsSnapshot): void {
    this.emit('ups.snapshot', snapshot);
  }
  onUpsSnapshot(listener: Listener<UpsSnapshot>): () => void {
    return this.on('ups.snapshot', listener);
  }

  /** ONBATT, ONLINE, LOWBATT, COMMBAD… derived from the readings. */
  emitUpsEvent(event: NutEvent): void {
    this.emit('ups.event', event);
  }
  onUpsEvent(listener: Listener<NutEvent>): () => void {
    return this.on('ups.event', listener);
  }

  emitRulesLoaded(loaded: RulesLoaded): void {
    this.emit('rules.loaded', loaded);
  }
  onRulesLoaded(listener: Listener<RulesLoaded>): () => void {
    return this.on('rules.loaded', listener);
  }

  emitRulesRejected(rejected: RulesRejected): void {
    this.emit('rules.rejected', rejected);
  }
  onRulesRejected(listener: Listener<RulesRejected>): () => void {
    return this.on('rules.rejected', listener);
  }

  /** Every decision of a running policy (trigger, stages, actions, cancel, restore, run end). */
  emitPolicyDecision(decision: PolicyDecision): void {
    this.emit('policy.decision', decision);
  }
  onPolicyDecision(listener: Listener<PolicyDecision>): () => void {
    return this.on('policy.decision', listener);
  }

  /** What a policy asks a target driver to do (or to verify after a restart). */
  emitActionRequest(request: ActionRequest): void {
    this.emit('policy.action', request);
  }
  onActionRequest(listener: Listener<ActionRequest>): () => void {
    return this.on('policy.action', listener);
  }

  /** A job's state changed (queued, sent, acknowledged, completed, failed, cancelled). */
  emitJobUpdate(update: JobUpdate): void {
    this.emit('job.update', update);
  }
  onJobUpdate(listener: Listener<JobUpdate>): () => void {
    return this.on('job.update', listener);
  }

  removeAllListeners(): void {
    this.emitter.removeAllListeners();
  }

  private emit(event: string, payload: unknown): void {
    for (const listener of this.emitter.listeners(event)) {
      try {
        (listener as Listener<unknown>)(payload);
      } catch (error) {
        this.listenerErrorHandler(event, error);
      }
    }
  }

  private on<T>(event: string, listener: Listener<T>): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }
}
