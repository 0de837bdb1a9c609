import type { EventBus } from '../bus';
import type { Logger } from '../logger';
import type { SampleRow, SampleWriter } from './samples';

export interface SampleBufferOptions {
  flushIntervalMs: number;
  maxRows: number;
}

/**
 * Collects samples from every poller and writes them in one transaction per
 * interval, so a hub watching many UPSes at 1 Hz commits a few times a second,
 * not once per reading. stop() writes what is pending.
 */
export class SampleBuffer {
  private pending: SampleRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly writer: SampleWriter,
    private readonly bus: EventBus,
    private readonly logger: Logger,
    private readonly options: SampleBufferOptions = { flushIntervalMs: 1000, maxRows: 1000 },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  add(row: SampleRow): void {
    this.pending.push(row);
    if (this.pending.length >= this.options.maxRows) void this.flush();
  }

  get size(): number {
    return this.pending.length;
  }

  /** Writes what is pending; flushes run one after another, never concurrently. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.length === 0) return;
      const batch = this.pending;
      this.pending = [];
      try {
        await this.writer.insert(batch);
        this.bus.emitSamplesWritten({ count: batch.length });
      } catch (error) {
        // Keep the rows for the next attempt rather than lose an outage's record.
        this.pending = batch.concat(this.pending);
        this.logger.error({ err: error, rows: batch.length }, 'writing samples failed; will retry');
      }
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
