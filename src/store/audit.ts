import type { Knex } from 'knex';
import { AuditLog } from './models';

export interface AuditEntry {
  /** Null for a change to the whole fleet database (a rekey of its data key). */
  siteId: number | null;
  /** Who: `cli:<user>`, `mqtt:<user>@<client>`, `api:<key>`… */
  actor: string;
  action: string;
  resource: string;
  before?: unknown;
  after?: unknown;
  /** Where the change came from, when it came over the network (API, editor). */
  ip?: string;
  userAgent?: string;
}

export const REDACTED = '[redacted]';

// Field names whose values are secrets wherever they appear in a before/after document, matched on
// their last word (snake_case or camelCase): `password`, `mqtt_password`, `accessToken`, `key_hash`; not `passwordChanged`.
const SECRET_FIELD = /(^|_)(pass|password|passphrase|secret|token|api_key|private_key|hash|credential|credentials)$/;
const snakeCase = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
const isSecretField = (name: string): boolean => SECRET_FIELD.test(snakeCase(name));

/** A copy of `value` with every secret-named field's value replaced; audit rows never hold a secret. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, field]) => [key, isSecretField(key) && field != null ? REDACTED : redactSecrets(field)]),
  );
}

const serialise = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(redactSecrets(value)));

/** One row of the audit trail: who did what to which resource, from where, and when. */
export async function recordAudit(knex: Knex, entry: AuditEntry): Promise<void> {
  await AuditLog.query(knex).insert({
    site_id: entry.siteId, ts: Date.now(), actor: entry.actor, action: entry.action, resource: entry.resource,
    before: serialise(entry.before), after: serialise(entry.after),
    ip: entry.ip?.slice(0, 64) ?? null, user_agent: entry.userAgent?.slice(0, 512) ?? null,
  });
}
