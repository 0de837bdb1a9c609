/**
 * The embedded broker's retained messages, kept in the store so they survive
 * a restart. Writes are behind by at most a second: at a thousand state
 * updates a second, each topic's newest message is written once per flush,
 * in one transaction.
 */
import type { Knex } from 'knex';
import type { Logger } from '../logger';

export interface RetainedMessage {
  topic: string;
  payload: Buffer;
  qos: number;
}

const FLUSH_MS = 1000;
const ROWS_PER_INSERT = 200;

export class RetainedStore {
  /** Topic → newest message not yet written (an empty payload deletes). */
  private dirty = new Map<string, RetainedMessage>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly knex: Knex,
    private readonly siteId: number,
    private readonly logger: Logger,
  ) {}

  async load(): Promise<RetainedMessage[]> {
    const rows = await this.knex('mqtt_retained').where({ site_id: this.siteId }).select('topic', 'payload', 'qos') as Array<{ topic: string; payload: Buffer; qos: number }>;
    return rows.map((row) => ({ topic: row.topic, payload: Buffer.from(row.payload), qos: Number(row.qos) }));
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  remember(message: RetainedMessage): void {
    this.dirty.set(message.topic, message);
  }

  /** Writes what changed since the last flush; flushes never overlap. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write()).catch((error: unknown) => {
      this.logger.error({ err: error }, 'could not save retained MQTT messages');
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async write(): Promise<void> {
    if (this.dirty.size === 0) return;
    const batch = [...this.dirty.values()];
    this.dirty = new Map();
    const now = Date.now();
    const kept = batch.filter((message) => message.payload.length > 0)
      .map((message) => ({ site_id: this.siteId, topic: message.topic, payload: message.payload, qos: message.qos, updated_at: now }));
    const deleted = batch.filter((message) => message.payload.length === 0).map((message) => message.topic);
    await this.knex.transaction(async (trx) => {
      for (let index = 0; index < kept.length; index += ROWS_PER_INSERT) {
        await trx('mqtt_retained').insert(kept.slice(index, index + ROWS_PER_INSERT)).onConflict(['site_id', 'topic']).merge();
      }
      for (let index = 0; index < deleted.length; index += ROWS_PER_INSERT) {
        await trx('mqtt_retained').where({ site_id: this.siteId }).whereIn('topic', deleted.slice(index, index + ROWS_PER_INSERT)).delete();
      }
    });
  }
}
