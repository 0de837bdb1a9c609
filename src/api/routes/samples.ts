/**
 * GET /ups/{…}/samples: a UPS's readings over a time range, oldest first.
 * Short recent ranges come from the raw samples; ranges longer than 48 h, or
 * reaching back past the samples' retention, from the hourly rollups (min,
 * avg, max per hour), and `source` says which.
 */
import type { Router } from 'express';
import type { Knex } from 'knex';
import { asyncRoute } from '../async-route';
import type { ApiContext } from '../context';
import { decodeCursor, pageOf, type Page } from '../pagination';
import { checkQuery, timeRange } from '../query';
import { samplesQuery, type SamplesQuery } from '../query-schemas';
import { findUps } from './ups';

export const RAW_SAMPLES_MAX_SPAN_MS = 48 * 3_600_000;
const HOUR_MS = 3_600_000;
const METRICS = [
  ['batteryCharge', 'battery_charge'], ['batteryRuntime', 'battery_runtime'], ['batteryVoltage', 'battery_voltage'],
  ['inputVoltage', 'input_voltage'], ['outputVoltage', 'output_voltage'], ['load', 'ups_load'],
] as const;

type Row = Record<string, unknown>;
const numberOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

export interface SampleItem {
  ts: number;
  status: string | null;
  [metric: string]: number | string | null;
}

export interface RollupItem {
  /** Start of the hour, epoch ms. */
  ts: number;
  samples: number;
  [metric: string]: number | { min: number | null; avg: number | null; max: number | null };
}

function sampleItem(row: Row): SampleItem {
  const item: SampleItem = { ts: Number(row.ts), status: (row.status as string | null) ?? null };
  for (const [field, column] of METRICS) item[field] = numberOrNull(row[column]);
  item.realpower = numberOrNull(row.ups_realpower);
  return item;
}

function rollupItem(row: Row): RollupItem {
  const item: RollupItem = { ts: Number(row.hour), samples: Number(row.samples) };
  for (const [field, column] of METRICS) {
    item[field] = { min: numberOrNull(row[`${column}_min`]), avg: numberOrNull(row[`${column}_avg`]), max: numberOrNull(row[`${column}_max`]) };
  }
  return item;
}

async function rawPage(knex: Knex, upsId: number, range: { from: number; to: number }, query: SamplesQuery): Promise<Page<SampleItem>> {
  let rows = knex('ups_samples').where({ ups_id: upsId }).whereBetween('ts', [range.from, range.to]).orderBy([{ column: 'ts' }, { column: 'id' }]).limit(query.limit + 1);
  if (query.cursor !== undefined) {
    const [ts, id] = decodeCursor(query.cursor, 2) as [number, number];
    rows = rows.whereRaw('(ts > ? or (ts = ? and id > ?))', [ts, ts, id]);
  }
  return pageOf((await rows) as Row[], query.limit, (row) => [Number(row.ts), Number(row.id)], sampleItem);
}

async function rollupPage(knex: Knex, upsId: number, range: { from: number; to: number }, query: SamplesQuery): Promise<Page<RollupItem>> {
  // Whole hours that overlap the range.
  let rows = knex('ups_rollups').where({ ups_id: upsId }).whereBetween('hour', [Math.floor(range.from / HOUR_MS) * HOUR_MS, range.to]).orderBy('hour').limit(query.limit + 1);
  if (query.cursor !== undefined) rows = rows.where('hour', '>', decodeCursor(query.cursor, 1)[0] ?? 0);
  return pageOf((await rows) as Row[], query.limit, (row) => [Number(row.hour)], rollupItem);
}

export function samplesRoutes(router: Router, context: ApiContext): void {
  const handler = asyncRoute(async (request, response) => {
    const query = checkQuery<SamplesQuery>(samplesQuery, request.query);
    const ups = await findUps(context.knex, context.siteId, request);
    const now = context.now();
    const range = timeRange(query, now, HOUR_MS);
    const retained = now - context.samplesRetentionHours * HOUR_MS;
    const useRollups = range.to - range.from > RAW_SAMPLES_MAX_SPAN_MS || range.from < retained;
    const page = useRollups ? await rollupPage(context.knex, ups.id, range, query) : await rawPage(context.knex, ups.id, range, query);
    response.json({
      ups: { id: ups.id, server: ups.server, name: ups.name }, source: useRollups ? 'rollups' : 'samples',
      from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), ...page,
    });
  });
  router.get('/ups/:id(\\d+)/samples', handler);
  router.get('/ups/:server/:name/samples', handler);
}
