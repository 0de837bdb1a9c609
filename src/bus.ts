import { EventEmitter } from 'node:events';
import type { NutEvent } from './nut/events';
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
