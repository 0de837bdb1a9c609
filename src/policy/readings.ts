import type { Knex } from 'knex';
import { Ups } from '../store/models';
import type { PowerReading } from './plan';
import { matchesUpsRef } from './ups-ref';

/** The newest recorded runtime (and real power) of a UPS named in rules, from the store's samples. */
export async function latestReading(knex: Knex, siteId: number, ref: string): Promise<PowerReading | undefined> {
  const candidates = (await Ups.query(knex).where({ site_id: siteId })).filter((ups) => matchesUpsRef(ref, ups.server, ups.name));
  let newest: { ts: number; battery_runtime: number | null; ups_realpower: number | null } | undefined;
  for (const ups of candidates) {
    const row = (await knex('ups_samples').where({ ups_id: ups.id }).whereNotNull('battery_runtime')
      .orderBy('ts', 'desc').first('ts', 'battery_runtime', 'ups_realpower')) as typeof newest;
    if (row && (!newest || Number(row.ts) > Number(newest.ts))) newest = row;
  }
  if (!newest?.battery_runtime) return undefined;
  return { runtimeS: newest.battery_runtime, ...(newest.ups_realpower ? { loadW: newest.ups_realpower } : {}) };
}
