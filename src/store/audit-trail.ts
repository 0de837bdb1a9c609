/** Reading the audit trail back (`walnut audit`): oldest first, filtered by time and action prefix. */
import type { Knex } from 'knex';
import { AuditLog } from './models';

export interface AuditQuery {
  /** Epoch ms: only rows at or after it. */
  since?: number;
  /** `apikey` matches `apikey.created` and `apikey.revoked`. */
  actionPrefix?: string;
  /** The newest `limit` rows (still printed oldest first). */
  limit: number;
}

export interface AuditRow {
  ts: number;
  actor: string;
  action: string;
  resource: string;
  before: unknown;
  after: unknown;
  ip: string | null;
  userAgent: string | null;
}

const parsed = (text: string | null | undefined): unknown => (text == null ? null : JSON.parse(text));

export async function readAuditTrail(knex: Knex, query: AuditQuery): Promise<AuditRow[]> {
  let rows = AuditLog.query(knex).orderBy('ts', 'desc').orderBy('id', 'desc').limit(query.limit);
  if (query.since !== undefined) rows = rows.where('ts', '>=', query.since);
  // LIKE with the prefix's own wildcards escaped, so "user_" means a literal underscore.
  if (query.actionPrefix !== undefined) rows = rows.whereRaw("action like ? escape '\\'", [`${query.actionPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
  const newestFirst = await rows;
  return newestFirst.reverse().map((row) => ({
    ts: Number(row.ts), actor: row.actor, action: row.action, resource: row.resource,
    before: parsed(row.before), after: parsed(row.after), ip: row.ip ?? null, userAgent: row.user_agent ?? null,
  }));
}
