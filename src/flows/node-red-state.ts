/**
 * What Node-RED keeps beside its flows, in the store instead of files in its
 * user folder: the editor's user settings, its login sessions (sealed: they
 * hold access tokens) and library entries.
 */
import type { Knex } from 'knex';
import { open, seal } from '../store/aead';

export class NodeRedState {
  constructor(
    private readonly knex: Knex,
    private readonly siteId: number,
    /** Seals values whose key starts with `sealed:`. */
    private readonly sealKey: Buffer,
  ) {}

  async get<T>(key: string, fallback: T): Promise<T> {
    const row = (await this.knex('node_red_state').where({ site_id: this.siteId, key }).first('value')) as { value: string } | undefined;
    if (!row) return fallback;
    const text = key.startsWith('sealed:') ? open(this.sealKey, Buffer.from(row.value, 'base64'), key)?.toString('utf8') : row.value;
    // A session that no longer opens (another data key) is as good as none: the user logs in again.
    return text === undefined ? fallback : (JSON.parse(text) as T);
  }

  async set(key: string, value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    const stored = key.startsWith('sealed:') ? seal(this.sealKey, Buffer.from(text, 'utf8'), key).toString('base64') : text;
    const now = Date.now();
    await this.knex('node_red_state').insert({ site_id: this.siteId, key, value: stored, created_at: now, updated_at: now })
      .onConflict(['site_id', 'key']).merge(['value', 'updated_at']);
  }

  async keys(prefix: string): Promise<string[]> {
    const rows = (await this.knex('node_red_state').where({ site_id: this.siteId }).where('key', 'like', `${prefix.replace(/[%_\\]/g, '\\$&')}%`).select('key')) as Array<{ key: string }>;
    return rows.map((row) => row.key);
  }
}
