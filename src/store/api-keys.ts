/**
 * REST API keys: `wn_<prefix>_<secret>`, 256 random bits in the secret. Only
 * a SHA-256 of the whole key is stored (a slow hash adds nothing to a key
 * this random); the prefix finds the row. The key itself is shown once, at
 * creation, and is never logged, listed or audited.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import { UsageError } from '../errors';
import { recordAudit } from './audit';
import { ApiKey } from './models';

const NAME_PATTERN = /^[A-Za-z0-9_.@-]{1,64}$/;
const KEY_PATTERN = /^wn_([a-f0-9]{12})_([A-Za-z0-9_-]{43})$/;
/** last_used_at is written at most this often per key, so reads do not become writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface CreatedApiKey {
  name: string;
  prefix: string;
  /** The only time the key exists outside the client. */
  key: string;
}

export interface ApiKeyListing {
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export function assertApiKeyName(name: string): void {
  if (!NAME_PATTERN.test(name)) throw new UsageError(`"${name}" is not a valid API key name: 1-64 letters, digits, '_', '.', '@' or '-'`);
}

const hashKey = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();
const resource = (name: string, prefix: string): string => `api_key/${name}/${prefix}`;

/** A new key; refuses a name an active key already has. */
export async function createApiKey(knex: Knex, name: string, actor: string, siteId: number): Promise<CreatedApiKey> {
  assertApiKeyName(name);
  const prefix = randomBytes(6).toString('hex');
  const key = `wn_${prefix}_${randomBytes(32).toString('base64url')}`;
  await knex.transaction(async (trx) => {
    const clash = await ApiKey.query(trx).findOne({ name }).whereNull('revoked_at');
    if (clash) throw new UsageError(`an active API key named "${name}" exists (revoke it first: walnut apikeys revoke ${name})`);
    await ApiKey.query(trx).insert({ name, prefix, key_hash: hashKey(key).toString('hex') });
    await recordAudit(trx, { siteId, actor, action: 'apikey.created', resource: resource(name, prefix), after: { name, prefix } });
  });
  return { name, prefix, key };
}

/** Every key, newest first; never a key or its hash. */
export async function listApiKeys(knex: Knex): Promise<ApiKeyListing[]> {
  const rows = await ApiKey.query(knex).select('name', 'prefix', 'created_at', 'last_used_at', 'revoked_at').orderBy('id', 'desc');
  const date = (value: number | null | undefined): Date | null => (value == null ? null : new Date(Number(value)));
  return rows.map((row) => ({ name: row.name, prefix: row.prefix, createdAt: new Date(Number(row.created_at)), lastUsedAt: date(row.last_used_at), revokedAt: date(row.revoked_at) }));
}

/** Revokes the active key with that name or prefix; refused requests start with the next one. */
export async function revokeApiKey(knex: Knex, nameOrPrefix: string, actor: string, siteId: number): Promise<{ name: string; prefix: string }> {
  return knex.transaction(async (trx) => {
    const matches = await ApiKey.query(trx).whereNull('revoked_at').whereRaw('(name = ? or prefix = ?)', [nameOrPrefix, nameOrPrefix]);
    const [row] = matches;
    if (!row) throw new UsageError(`no active API key named or prefixed "${nameOrPrefix}" (see: walnut apikeys list)`);
    if (matches.length > 1) throw new UsageError(`"${nameOrPrefix}" matches ${matches.length} keys: revoke by prefix`);
    const revokedAt = Date.now();
    await ApiKey.query(trx).patch({ revoked_at: revokedAt }).where({ id: row.id });
    await recordAudit(trx, {
      siteId, actor, action: 'apikey.revoked', resource: resource(row.name, row.prefix),
      before: { name: row.name, prefix: row.prefix, revoked: false }, after: { name: row.name, prefix: row.prefix, revoked: true },
    });
    return { name: row.name, prefix: row.prefix };
  });
}

/** The key's name when `presented` is an active key, else null. One indexed lookup, so a revocation counts at once. */
export async function verifyApiKey(knex: Knex, presented: string, now = Date.now()): Promise<{ name: string } | null> {
  const match = KEY_PATTERN.exec(presented);
  if (!match) return null;
  const row = await ApiKey.query(knex).findOne({ prefix: match[1] });
  if (!row || row.revoked_at != null) return null;
  const stored = Buffer.from(row.key_hash, 'hex');
  const candidate = hashKey(presented);
  if (stored.length !== candidate.length || !timingSafeEqual(stored, candidate)) return null;
  if (row.last_used_at == null || now - Number(row.last_used_at) > LAST_USED_RESOLUTION_MS) {
    await knex('api_keys').where({ id: row.id }).update({ last_used_at: now });
  }
  return { name: row.name };
}
