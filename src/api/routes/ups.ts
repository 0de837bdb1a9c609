/** GET /ups, /ups/{id}, /ups/{server}/{name}: the UPSes the hub records, each with its newest reading. */
import type { Request, Router } from 'express';
import type { Knex } from 'knex';
import { ApiNotFoundError } from '../../errors';
import type { UpsSnapshot } from '../../nut/snapshot';
import { Ups } from '../../store/models';
import { asyncRoute } from '../async-route';
import type { ApiContext } from '../context';
import { checkQuery } from '../query';
import { noQuery } from '../query-schemas';

export interface UpsItem {
  id: number;
  server: string;
  name: string;
  description: string | null;
  manufacturer: string | null;
  model: string | null;
  serial: string | null;
  latest: UpsSnapshot | null;
}

export function upsItem(row: Ups, snapshots: readonly UpsSnapshot[]): UpsItem {
  const latest = snapshots.find((snapshot) => snapshot.server === row.server && snapshot.ups === row.name) ?? null;
  return {
    id: row.id, server: row.server, name: row.name, description: row.description ?? null,
    manufacturer: row.manufacturer ?? null, model: row.model ?? null, serial: row.serial ?? null, latest,
  };
}

/** The UPS a path names, by id (`/ups/3`) or by server and name (`/ups/127.0.0.1:3493/dummy`). */
export async function findUps(knex: Knex, siteId: number, request: Request): Promise<Ups> {
  const { id, server, name } = request.params as { id?: string; server?: string; name?: string };
  const row = id === undefined
    ? await Ups.query(knex).findOne({ site_id: siteId, server: server ?? '', name: name ?? '' })
    : await Ups.query(knex).findOne({ site_id: siteId, id: Number(id) });
  if (!row) throw new ApiNotFoundError(`no UPS ${id ?? `${name ?? ''} on ${server ?? ''}`} is recorded (see GET /api/v1/ups)`);
  return row;
}

export function upsRoutes(router: Router, context: ApiContext): void {
  router.get('/ups', asyncRoute(async (request, response) => {
    checkQuery(noQuery, request.query);
    const rows = await Ups.query(context.knex).where({ site_id: context.siteId }).orderBy('id');
    const snapshots = context.nut.latest();
    response.json({ items: rows.map((row) => upsItem(row, snapshots)) });
  }));
  const one = asyncRoute(async (request, response) => {
    checkQuery(noQuery, request.query);
    response.json(upsItem(await findUps(context.knex, context.siteId, request), context.nut.latest()));
  });
  router.get('/ups/:id(\\d+)', one);
  router.get('/ups/:server/:name', one);
}
