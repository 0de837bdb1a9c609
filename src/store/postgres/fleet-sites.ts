/**
 * The sites of a fleet database as an operator checks them: whether a hub
 * holds each one now, its UPS count and its newest sample. Read from pg_locks,
 * so looking never takes a site's lock (a hub starting meanwhile is not refused).
 */
import type { Knex } from 'knex';
import { ADVISORY_NAMESPACE } from './advisory-lock';
import { siteLockName } from './site-lock';

export interface FleetSite {
  name: string;
  /** A hub (or a maintenance command) holds the site's lock right now. */
  held: boolean;
  ups: number;
  /** Epoch ms of the site's newest sample; null before its first. */
  lastSampleAt: number | null;
}

interface Row {
  name: string;
  held: boolean;
  ups: number | string;
  last_sample: number | string | null;
}

export async function fleetSites(knex: Knex): Promise<FleetSite[]> {
  const sites = (await knex('sites').orderBy('name').pluck('name')) as string[];
  if (sites.length === 0) return [];
  // Two-key advisory locks show in pg_locks as classid = first key, objid = second key, objsubid = 2.
  const result = (await knex.raw(`
    SELECT s.name,
      EXISTS (SELECT 1 FROM pg_locks l
              WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND l.classid = ?::int4::oid AND l.objid = hashtext(lock.name)::oid) AS held,
      (SELECT count(*) FROM ups u WHERE u.site_id = s.id) AS ups,
      (SELECT max(m.last) FROM ups u, LATERAL (SELECT max(ts) AS last FROM ups_samples x WHERE x.ups_id = u.id) m WHERE u.site_id = s.id) AS last_sample
    FROM sites s JOIN json_to_recordset(?::json) AS lock(site text, name text) ON lock.site = s.name
    ORDER BY s.name`, [ADVISORY_NAMESPACE, JSON.stringify(sites.map((site) => ({ site, name: siteLockName(site) })))])) as { rows: Row[] };
  return result.rows.map((row) => ({
    name: row.name, held: row.held, ups: Number(row.ups), lastSampleAt: row.last_sample === null ? null : Number(row.last_sample),
  }));
}
