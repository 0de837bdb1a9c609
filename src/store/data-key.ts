import { randomBytes, scryptSync } from 'node:crypto';
import type { Knex } from 'knex';
import { DataKeyError } from '../errors';
import { open, seal } from './aead';

/** A data_keys row: the 256-bit data key sealed under a key stretched from the master key. */
export interface WrappedDataKey {
  version: number;
  kdf: string;
  salt: string;
  wrapped: string;
}

// scrypt: a master key may be a human passphrase, so wrapping costs what a guess should cost.
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KDF_NAME = 'scrypt-n15-r8-p1';

function wrappingKey(masterKey: string, salt: Buffer): Buffer {
  return scryptSync(masterKey, salt, 32, SCRYPT);
}

function aad(version: number): string {
  return `walnut data key v${version}`;
}

export function wrapDataKey(dataKey: Buffer, masterKey: string, version: number): WrappedDataKey {
  const salt = randomBytes(16);
  const wrapped = seal(wrappingKey(masterKey, salt), dataKey, aad(version));
  return { version, kdf: KDF_NAME, salt: salt.toString('base64'), wrapped: wrapped.toString('base64') };
}

export function unwrapDataKey(row: WrappedDataKey, masterKey: string): Buffer {
  if (row.kdf !== KDF_NAME) throw new DataKeyError(`data key v${row.version} uses an unknown key derivation "${row.kdf}"`);
  const key = open(wrappingKey(masterKey, Buffer.from(row.salt, 'base64')), Buffer.from(row.wrapped, 'base64'), aad(row.version));
  if (key === undefined || key.length !== 32) {
    throw new DataKeyError(`data key v${row.version} does not unwrap with this master key (it was wrapped by another one)`);
  }
  return key;
}

const newest = (knex: Knex): Promise<WrappedDataKey | undefined> => knex('data_keys').orderBy('version', 'desc').first() as Promise<WrappedDataKey | undefined>;

/**
 * The current (highest) data key; created on first use, so a new store has one from its
 * first open. Two hubs starting on one empty PostgreSQL database race here: the loser's
 * key is ignored and both use the row that won.
 */
export async function loadOrCreateDataKey(knex: Knex, masterKey: string): Promise<{ key: Buffer; version: number }> {
  const existing = await newest(knex);
  if (existing !== undefined) return { key: unwrapDataKey(existing, masterKey), version: existing.version };
  const now = Date.now();
  await knex('data_keys').insert({ ...wrapDataKey(randomBytes(32), masterKey, 1), created_at: now, updated_at: now }).onConflict('version').ignore();
  const row = await newest(knex);
  if (row === undefined) throw new DataKeyError('the data key could not be created');
  return { key: unwrapDataKey(row, masterKey), version: row.version };
}
