import type { Knex } from 'knex';
import { SecretInputError, SecretNotFoundError, SecretTamperedError } from '../errors';
import { open, seal } from './aead';
import { deleteWithTombstones } from './tombstones';

export interface SecretListing {
  name: string;
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

/**
 * Field-level encryption on top of the file's: each value sealed with AES-256-GCM
 * under a key derived from the data key, its name as associated data so a
 * ciphertext moved to another row fails too. Values leave only through get().
 */
export class SecretStore {
  constructor(
    private readonly knex: Knex,
    private readonly key: Buffer,
    private readonly keyVersion: number,
  ) {}

  async set(name: string, value: string): Promise<void> {
    await this.insertRow(name, value).onConflict('name').merge(['ciphertext', 'key_version', 'updated_at']);
  }

  /**
   * Stores `value` unless `name` exists; true when it was stored. Hubs of a fleet
   * starting together create shared secrets this way, so the first one wins for all.
   */
  async setIfAbsent(name: string, value: string): Promise<boolean> {
    const inserted = (await this.insertRow(name, value).onConflict('name').ignore().returning('name')) as unknown[];
    return inserted.length > 0;
  }

  private insertRow(name: string, value: string): Knex.QueryBuilder {
    assertSecretName(name);
    if (value.length === 0) throw new SecretInputError(`the value for "${name}" is empty`);
    if (Buffer.byteLength(value) > MAX_SECRET_BYTES) throw new SecretInputError(`the value for "${name}" is over ${MAX_SECRET_BYTES} bytes`);
    const ciphertext = seal(this.key, Buffer.from(value, 'utf8'), name).toString('base64');
    const now = Date.now();
    return this.knex('secrets').insert({ name, ciphertext, key_version: this.keyVersion, created_at: now, updated_at: now });
  }

  async get(name: string): Promise<string> {
    const row = (await this.knex('secrets').where({ name }).first()) as SecretRow | undefined;
    if (row === undefined) throw new SecretNotFoundError(name);
    const plain = open(this.key, Buffer.from(row.ciphertext, 'base64'), name);
    if (plain === undefined) throw new SecretTamperedError(name);
    return plain.toString('utf8');
  }

  async has(name: string): Promise<boolean> {
    return (await this.knex('secrets').where({ name }).first('id')) !== undefined;
  }

  async list(): Promise<SecretListing[]> {
    const rows = (await this.knex('secrets').select('name', 'created_at', 'updated_at').orderBy('name')) as SecretRow[];
    return rows.map((row) => ({ name: row.name, createdAt: new Date(Number(row.created_at)), updatedAt: new Date(Number(row.updated_at)) }));
  }

  /** True when a secret was removed. */
  async remove(name: string): Promise<boolean> {
    return (await this.knex.transaction((trx) => deleteWithTombstones(trx, 'secrets', { name }, 'name'))) > 0;
  }
}
