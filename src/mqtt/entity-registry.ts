/**
 * Which discovery configs the hub has published, and for what owner (`hub`,
 * `ups:<key>`, `policy:<name>`, `target:<name>`), kept in the store: an
 * entity no longer wanted (a variable the UPS stopped reporting, a policy
 * deleted while the hub was off) is removed from Home Assistant with an
 * empty retained config.
 */
import type { Knex } from 'knex';

export interface OwnerChange {
  /** Config topics of the owner that are no longer wanted. */
  removed: string[];
}

export class EntityRegistry {
  /** Config topic → owner. */
  private readonly topics = new Map<string, string>();

  constructor(
    private readonly knex: Knex,
    private readonly siteId: number,
  ) {}

  async load(): Promise<void> {
    const rows = await this.knex('mqtt_entities').where({ site_id: this.siteId }).select('config_topic', 'owner') as Array<{ config_topic: string; owner: string }>;
    for (const row of rows) this.topics.set(row.config_topic, row.owner);
  }

  owners(): Set<string> {
    return new Set(this.topics.values());
  }

  /** The owner's configs are now `wanted`: records new ones, forgets and returns the rest. */
  async replace(owner: string, wanted: readonly string[]): Promise<OwnerChange> {
    const keep = new Set(wanted);
    const had = [...this.topics].filter(([, holder]) => holder === owner).map(([topic]) => topic);
    const removed = had.filter((topic) => !keep.has(topic));
    const added = wanted.filter((topic) => this.topics.get(topic) !== owner);
    if (removed.length === 0 && added.length === 0) return { removed };
    const now = Date.now();
    await this.knex.transaction(async (trx) => {
      if (removed.length > 0) await trx('mqtt_entities').where({ site_id: this.siteId }).whereIn('config_topic', removed).delete();
      for (const topic of added) {
        await trx('mqtt_entities').insert({ site_id: this.siteId, config_topic: topic, owner, updated_at: now }).onConflict(['site_id', 'config_topic']).merge();
      }
    });
    for (const topic of removed) this.topics.delete(topic);
    for (const topic of added) this.topics.set(topic, owner);
    return { removed };
  }
}
