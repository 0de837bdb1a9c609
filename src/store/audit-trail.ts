/**
 * Reading the audit trail back (`walnut audit`): oldest first, filtered by
 * time, action prefix and site. A site's trail includes the rows of changes to
 * the whole database (no site: a fleet rekey).
 */
import type { Knex } from 'knex';

export interface AuditQuery {
  /** Epoch ms: only rows at or after it. */
  since?: number;
  /** `apikey` matches `apikey.created` and `apikey.revoked`. */
  actionPrefix?: string;
  /** The newest `limit` rows (still printed oldest first). */
  limit: number;
  /** Only this site's rows and the fleet-wide ones; every site when absent. */
  site?: string;
}

export interface AuditRow {
  ts: number;
  /** The site the change belongs to; null for a change to the whole database. */
  site: string | null;
  actor: string;
  action: string;
  resource: string;
  before: unknown;
  after: unknown;
  ip: string | null;
  userAgent: string | null;
}

const parsed = (text: string | null | undefined): unknown => (text == null ? null : JSON.parse(text));

interface StoredRow {
  ts: number | string;
  site: string | null;
  actor: string;
  action: string;
  resource: string;
  before: string | null;
  after: string | null;
  ip: string | null;
  user_agent: string | null;
}

export async function readAuditTrail(knex: Knex, query: AuditQuery): Promise<AuditRow[]> {
  let rows = knex('audit_logs as a').leftJoin('sites as s', 's.id', 'a.site_id')
    .select('a.ts', 's.name as site', 'a.actor', 'a.action', 'a.resource', 'a.before', 'a.after', 'a.ip', 'a.user_agent')
    .orderBy('a.ts', 'desc').orderBy('a.id', 'desc').limit(query.limit);
  if (query.since !== undefined) rows = rows.where('a.ts', '>=', query.since);
  // LIKE with the prefix's own wildcards escaped, so "user_" means a literal underscore.
  if (query.actionPrefix !== undefined) rows = rows.whereRaw("a.action like ? escape '\\'", [`${query.actionPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
  const site = query.site;
  if (site !== undefined) rows = rows.where((scope) => void scope.where('s.name', site).orWhereNull('a.site_id'));
  const newestFirst = (await rows) as StoredRow[];
  return newestFirst.reverse().map((row) => ({
    ts: Number(row.ts), site: row.site ?? null, actor: row.actor, action: row.action, resource: row.resource,
    before: parsed(row.before), after: parsed(row.after), ip: row.ip ?? null, userAgent: row.user_agent ?? null,
  }));
}
