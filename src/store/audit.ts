import type { Knex } from 'knex';
import { AuditLog } from './models';

export interface AuditEntry {
  siteId: number;
  /** Who: `cli:<user>`, `mqtt:<user>@<client>`, `api:<key>`… */
  actor: string;
  action: string;
  resource: string;
  before?: unknown;
  after?: unknown;
}

/** One row of the audit trail: who did what to which resource, and when. */
export async function recordAudit(knex: Knex, entry: AuditEntry): Promise<void> {
  await AuditLog.query(knex).insert({
    site_id: entry.siteId, ts: Date.now(), actor: entry.actor, action: entry.action, resource: entry.resource,
    before: entry.before === undefined ? null : JSON.stringify(entry.before),
    after: entry.after === undefined ? null : JSON.stringify(entry.after),
  });
}
