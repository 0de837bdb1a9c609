import type { Knex } from 'knex';
import { Site } from './models';

/** The row of this hub's site (WALNUT_SITE), created on first use. */
export async function ensureSite(knex: Knex, name: string): Promise<Site> {
  const existing = await Site.query(knex).findOne({ name });
  if (existing) return existing;
  await Site.query(knex).insert({ name }).onConflict('name').ignore();
  return Site.query(knex).findOne({ name }).throwIfNotFound();
}
