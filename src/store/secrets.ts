import type { Knex } from 'knex';
import { SecretInputError, SecretNotFoundError, SecretTamperedError } from '../errors';
import { open, seal } from './aead';
import { deleteWithTombstones } from './tombstones';

/**
 * Whose a secret is. On a fleet database every hub of a site sees its site's
 * secrets and the fleet-wide ones, and a site's `ssh/nas` never replaces
 * another site's; the SQLite store holds one hub's secrets, fleet-wide.
 */
export type SecretScope = 'site' | 'fleet';

export interface SecretListing {
  name: string;
  scope: SecretScope;
  createdAt: Date;
  updatedAt: Date;
}

interface SecretRow {
  name: string;
  ciphertext: string;
  key_version: number;
  created_at: number;
  updated_at: number;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$/;
const MAX_SECRET_BYTES = 64 * 1024;

export function assertSecretName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new SecretInputError(`"${name}" is not a valid secret name: 1-128 letters, digits, '.', '_', ':', '/' or '-', starting with a letter or digit`);
  }
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A site's secret is stored as `@<site>/<name>`: no secret name starts with `@` and no site name holds a `/`. */
const SITE_MARK = '@';

/**
 * Field-level encryption on top of the file's: each value sealed with AES-256-GCM
 * under a key derived from the data key, its stored name (site included) as
 * associated data, so a ciphertext moved to another row or site fails too.
 * Values leave only through get().
 */
export class SecretStore {
  constructor(
    private readonly knex: Knex,
    private readonly key: Buffer,
    private readonly keyVersion: number,
    /** The hub's site: its secrets come before the fleet-wide ones of the same name. */
    private readonly site: string,
    /** Where set() and remove() write unless told. */
    private readonly defaultScope: SecretScope,
  ) {}

  private stored(name: string, scope: SecretScope): string {
    return scope === 'site' ? `${SITE_MARK}${this.site}/${name}` : name;
  }

  async set(name: string, value: string, scope: SecretScope = this.defaultScope): Promise<void> {
    await this.insertRow(name, value, scope).onConflict('name').merge(['ciphertext', 'key_version', 'updated_at']);
  }

  /**
   * Stores `value` unless get(name) would already find one; true when it was stored.
   * Hubs of one site starting together create their secrets this way, so the first one wins.
   */
  async setIfAbsent(name: string, value: string, scope: SecretScope = this.defaultScope): Promise<boolean> {
    if (await this.has(name)) return false;
    const inserted = (await this.insertRow(name, value, scope).onConflict('name').ignore().returning('name')) as unknown[];
    return inserted.length > 0;
  }

  private insertRow(name: string, value: string, scope: SecretScope): Knex.QueryBuilder {
    assertSecretName(name);
    if (value.length === 0) throw new SecretInputError(`the value for "${name}" is empty`);
    if (Buffer.byteLength(value) > MAX_SECRET_BYTES) throw new SecretInputError(`the value for "${name}" is over ${MAX_SECRET_BYTES} bytes`);
    const stored = this.stored(name, scope);
    const ciphertext = seal(this.key, Buffer.from(value, 'utf8'), stored).toString('base64');
    const now = Date.now();
    return this.knex('secrets').insert({ name: stored, ciphertext, key_version: this.keyVersion, created_at: now, updated_at: now });
  }

  /** The site's row if there is one, else the fleet-wide one. */
  private async find(name: string): Promise<SecretRow | undefined> {
    const site = this.stored(name, 'site');
    const rows = (await this.knex('secrets').whereIn('name', [site, name])) as SecretRow[];
    return rows.find((row) => row.name === site) ?? rows[0];
  }

  async get(name: string): Promise<string> {
    const row = await this.find(name);
    if (row === undefined) throw new SecretNotFoundError(name);
    const plain = open(this.key, Buffer.from(row.ciphertext, 'base64'), row.name);
    if (plain === undefined) throw new SecretTamperedError(name);
    return plain.toString('utf8');
  }

  async has(name: string): Promise<boolean> {
    return (await this.find(name)) !== undefined;
  }

  /** This site's secrets and the fleet-wide ones (a name may be in both: the site's wins), never another site's. */
  async list(): Promise<SecretListing[]> {
    const prefix = this.stored('', 'site');
    const rows = (await this.knex('secrets')
      // substr, not LIKE: a site name may hold `_`, which LIKE reads as a wildcard.
      .where((scope) => void scope.whereRaw('substr(name, 1, ?) = ?', [prefix.length, prefix]).orWhere('name', 'not like', `${SITE_MARK}%`))
      .select('name', 'created_at', 'updated_at')) as SecretRow[];
    return rows
      .map((row) => ({
        name: row.name.startsWith(prefix) ? row.name.slice(prefix.length) : row.name,
        scope: (row.name.startsWith(prefix) ? 'site' : 'fleet') as SecretScope,
        createdAt: new Date(Number(row.created_at)), updatedAt: new Date(Number(row.updated_at)),
      }))
      .sort((a, b) => byCodePoint(a.name, b.name) || byCodePoint(a.scope, b.scope));
  }

  /** True when a secret was removed (in `scope` only: a site never removes the fleet's by accident). */
  async remove(name: string, scope: SecretScope = this.defaultScope): Promise<boolean> {
    const stored = this.stored(name, scope);
    return (await this.knex.transaction((trx) => deleteWithTombstones(trx, 'secrets', { name: stored }, 'name'))) > 0;
  }

  /** Opens every row of the table, whatever its site (values never leave): how many this data key reads. */
  async countReadable(): Promise<{ readable: number; total: number }> {
    const rows = (await this.knex('secrets').select('name', 'ciphertext')) as SecretRow[];
    const readable = rows.filter((row) => open(this.key, Buffer.from(row.ciphertext, 'base64'), row.name) !== undefined).length;
    return { readable, total: rows.length };
  }
}
