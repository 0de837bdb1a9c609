import type { Knex } from 'knex';
import type { EventBus, RetentionRun } from '../bus';
import type { Logger } from '../logger';
import { type AdvisoryLock, tryAdvisoryLock } from './postgres/advisory-lock';
import { isPostgres } from './raw-connection';

export const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const ROLLUP_CHUNK = 500;
const METRICS = ['battery_charge', 'battery_runtime', 'battery_voltage', 'input_voltage', 'output_voltage', 'ups_load'] as const;

export interface RetentionOptions {
  samplesHours: number;
  rollupDays: number;
  intervalSeconds: number;
  batchSize: number;
}

export const hourStart = (ts: number): number => Math.floor(ts / HOUR_MS) * HOUR_MS;

/** Cut-off times for a run at `now`: what is older is pruned. */
export function retentionCutoffs(options: RetentionOptions, now: number): { samplesBefore: number; rollupsBefore: number } {
  return { samplesBefore: now - options.samplesHours * HOUR_MS, rollupsBefore: now - options.rollupDays * DAY_MS };
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const NOTHING_TO_HOLD: Pick<AdvisoryLock, 'release'> = { release: () => Promise.resolve() };

/**
 * Keeps the store small without losing history: complete hours are rolled up
 * (min/avg/max) before their samples age out; samples past the window and
 * rollups past their days are deleted in bounded batches, yielding between
 * batches so the hub keeps answering during a large prune. On PostgreSQL the
 * hubs of a fleet share the tables, so one hub at a time runs it (an advisory
 * lock); the others skip that turn.
 */
export class RetentionService {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RetentionRun | undefined> = Promise.resolve(undefined);
  private readonly exclusive: () => Promise<Pick<AdvisoryLock, 'release'> | undefined>;

  constructor(
    private readonly knex: Knex,
    private readonly bus: EventBus,
    private readonly logger: Logger,
    private readonly options: RetentionOptions,
    private readonly clock: () => number = Date.now,
  ) {
    this.exclusive = isPostgres(knex) ? () => tryAdvisoryLock(knex, 'retention') : () => Promise.resolve(NOTHING_TO_HOLD);
  }

  start(): void {
    const tick = (): void => {
      this.running = this.runOnce().catch((error: unknown) => {
        this.logger.error({ err: error }, 'retention run failed');
        return undefined;
      });
    };
    tick();
    this.timer = setInterval(tick, this.options.intervalSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One run at `now`; undefined when another hub of the fleet is running it. */
  async runOnce(now: number = this.clock()): Promise<RetentionRun | undefined> {
    const lock = await this.exclusive();
    if (lock === undefined) {
      this.logger.debug('another hub holds the retention lock: skipped');
      return undefined;
    }
    try {
      return await this.run(now);
    } finally {
      await lock.release();
    }
  }

  private async run(now: number): Promise<RetentionRun> {
    const started = Date.now();
    const cutoffs = retentionCutoffs(this.options, now);
    const rolledUpHours = await this.rollUp(hourStart(now));
    const prunedSamples = await this.pruneBatched('ups_samples', 'ts', cutoffs.samplesBefore);
    const prunedRollups = await this.pruneBatched('ups_rollups', 'hour', cutoffs.rollupsBefore);
    const run = { prunedSamples, prunedRollups, rolledUpHours, durationMs: Date.now() - started };
    if (prunedSamples + prunedRollups + rolledUpHours > 0) this.logger.info(run, 'retention run');
    this.bus.emitRetentionRun(run);
    return run;
  }

  /** Rolls up every complete hour after each UPS's last rollup; returns how many (ups, hour) rows were written. */
  private async rollUp(currentHour: number): Promise<number> {
    const upsIds = (await this.knex('ups_samples').distinct('ups_id').pluck('ups_id')) as number[];
    let written = 0;
    for (const upsId of upsIds) {
      const last = (await this.knex('ups_rollups').where({ ups_id: upsId }).max({ hour: 'hour' }).first()) as { hour: number | null } | undefined;
      const from = last?.hour == null ? 0 : Number(last.hour) + HOUR_MS;
      if (from >= currentHour) continue;
      const aggregates = METRICS.flatMap((metric) => [
        this.knex.raw(`MIN(${metric}) AS ${metric}_min`),
        this.knex.raw(`AVG(${metric}) AS ${metric}_avg`),
        this.knex.raw(`MAX(${metric}) AS ${metric}_max`),
      ]);
      const rows = (await this.knex('ups_samples')
        .select(this.knex.raw(`(ts / ${HOUR_MS}) * ${HOUR_MS} AS hour`), this.knex.raw('COUNT(*) AS samples'), ...aggregates)
        .where('ups_id', upsId)
        .andWhere('ts', '>=', from)
        .andWhere('ts', '<', currentHour)
        .groupByRaw(`(ts / ${HOUR_MS})`)) as Record<string, number>[];
      if (rows.length === 0) continue;
      const now = this.clock();
      const records = rows.map((row) => ({ ...row, hour: Number(row.hour), samples: Number(row.samples), ups_id: upsId, created_at: now, updated_at: now }));
      // Chunks keep each statement under SQLite's bound-parameter limit after a long gap.
      for (let i = 0; i < records.length; i += ROLLUP_CHUNK) {
        await this.knex('ups_rollups').insert(records.slice(i, i + ROLLUP_CHUNK)).onConflict(['ups_id', 'hour']).merge();
      }
      written += rows.length;
    }
    return written;
  }

  private async pruneBatched(table: string, column: string, before: number): Promise<number> {
    let total = 0;
    for (;;) {
      const ids = this.knex(table).select('id').where(column, '<', before).limit(this.options.batchSize);
      const deleted = await this.knex(table).whereIn('id', ids).delete();
      total += deleted;
      if (deleted < this.options.batchSize) return total;
      await yieldToLoop();
    }
  }
}
