import type { Knex } from 'knex';
import type { EventBus } from '../bus';
import type { Logger } from '../logger';
import type { NutEvent } from '../nut/events';
import type { UpsSnapshot } from '../nut/snapshot';
import { Event, Ups } from './models';
import type { SampleBuffer } from './sample-buffer';

/**
 * Records what the bus carries: every watched UPS gets a registry row (`ups`),
 * its readings become samples (at most one per UPS per second, through the
 * batching buffer), its events become `events` rows. Whatever a flow does, what
 * the hub watched is on record.
 */
export class UpsRecorder {
  private readonly upsIds = new Map<string, Promise<number>>();
  private readonly lastSampleAt = new Map<string, number>();
  private readonly unsubscribe: Array<() => void> = [];
  private pendingEvents: Promise<unknown> = Promise.resolve();
  /** Readings waiting for their UPS's registry id: stop() waits for them so none is lost. */
  private readonly pendingSamples = new Set<Promise<void>>();

  constructor(
    private readonly knex: Knex,
    private readonly bus: EventBus,
    private readonly samples: SampleBuffer,
    private readonly siteId: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.unsubscribe.push(this.bus.onUpsSnapshot((snapshot) => this.recordSnapshot(snapshot)));
    this.unsubscribe.push(this.bus.onUpsEvent((event) => this.recordEvent(event)));
  }

  async stop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    await Promise.all([...this.pendingSamples]);
    await this.pendingEvents;
  }

  /** The registry id of a UPS, creating its row on first sight. */
  upsId(server: string, name: string, vars: Record<string, string> = {}): Promise<number> {
    const key = `${server}/${name}`;
    let id = this.upsIds.get(key);
    if (id === undefined) {
      id = this.ensureUps(server, name, vars);
      this.upsIds.set(key, id);
      id.catch(() => this.upsIds.delete(key));
    }
    return id;
  }

  private recordSnapshot(snapshot: UpsSnapshot): void {
    if (snapshot.comm !== 'ok') return;
    const key = `${snapshot.server}/${snapshot.ups}`;
    const second = Math.floor(snapshot.ts / 1000);
    if (this.lastSampleAt.get(key) === second) return;
    this.lastSampleAt.set(key, second);
    const pending = this.upsId(snapshot.server, snapshot.ups, snapshot.vars).then(
      (upsId) => this.samples.add({
        ups_id: upsId,
        ts: snapshot.ts,
        status: snapshot.status,
        battery_charge: snapshot.batteryCharge ?? null,
        battery_runtime: snapshot.batteryRuntime ?? null,
        battery_voltage: snapshot.batteryVoltage ?? null,
        input_voltage: snapshot.inputVoltage ?? null,
        output_voltage: snapshot.outputVoltage ?? null,
        ups_load: snapshot.load ?? null,
        ups_realpower: snapshot.realpower ?? null,
      }),
      (error: unknown) => this.logger.error({ err: error, ups: key }, 'cannot register UPS'),
    );
    this.pendingSamples.add(pending);
    void pending.finally(() => this.pendingSamples.delete(pending));
  }

  private recordEvent(event: NutEvent): void {
    const level = event.severity === 'critical' || event.severity === 'error' ? 'error' : event.severity === 'warning' ? 'warn' : 'info';
    this.logger[level]({ type: event.type, server: event.server, ups: event.ups }, event.message);
    const write = async (): Promise<void> => {
      const upsId = await this.upsId(event.server, event.ups);
      await Event.query(this.knex).insert({
        site_id: this.siteId, ups_id: upsId, ts: event.ts, severity: event.severity, type: event.type,
        source: `nut:${event.server}/${event.ups}`, message: event.message, data: event.data === undefined ? null : JSON.stringify(event.data),
      });
    };
    this.pendingEvents = this.pendingEvents.then(write).catch((error: unknown) => this.logger.error({ err: error, type: event.type }, 'cannot record event'));
  }

  private async ensureUps(server: string, name: string, vars: Record<string, string>): Promise<number> {
    const identity = { manufacturer: vars['device.mfr'] ?? vars['ups.mfr'] ?? null, model: vars['device.model'] ?? vars['ups.model'] ?? null, serial: vars['device.serial'] ?? vars['ups.serial'] ?? null };
    const existing = await Ups.query(this.knex).findOne({ site_id: this.siteId, server, name });
    if (existing) {
      if (identity.model !== null && identity.model !== existing.model) await Ups.query(this.knex).patch(identity).findById(existing.id);
      return existing.id;
    }
    const inserted = await Ups.query(this.knex).insert({ site_id: this.siteId, server, name, ...identity });
    this.logger.info({ server, ups: name, id: inserted.id }, 'UPS registered');
    return inserted.id;
  }
}
