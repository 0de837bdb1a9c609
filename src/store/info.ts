import * as fs from 'node:fs';
import type { Knex } from 'knex';
import { retentionCutoffs, type RetentionOptions } from './retention';
import { schemaStatus } from './schema-status';
import type { Store } from './store';

export const TABLES = [
  'sites', 'ups', 'ups_samples', 'ups_rollups', 'events', 'integrations', 'hosts', 'trusted_keys', 'secrets',
  'policies', 'jobs', 'audit_logs', 'users', 'api_keys', 'flow_revisions', 'archives', 'data_keys', 'tombstones',
] as const;

export interface StoreInfo {
  dbPath: string;
  keySource: string;
  fileSizeBytes: number;
  schemaVersion: string | null;
  dataKeyVersion: number;
  rows: Record<string, number>;
  retention: {
    samplesWindowHours: number;
    rollupsKeptDays: number;
    pruneIntervalSeconds: number;
    batchSize: number;
    oldestSample: string | null;
    newestSample: string | null;
    samplesDueForPruning: number;
    oldestRollup: string | null;
    newestRollup: string | null;
    rollupsDueForPruning: number;
  };
}

const iso = (ms: unknown): string | null => (ms == null ? null : new Date(Number(ms)).toISOString());

async function count(knex: Knex, table: string, where?: [string, string, number]): Promise<number> {
  const query = knex(table).count({ n: '*' });
  if (where) void query.where(...where);
  const row = (await query.first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

async function range(knex: Knex, table: string, column: string): Promise<{ min: unknown; max: unknown }> {
  return ((await knex(table).min({ min: column }).max({ max: column }).first()) as { min: unknown; max: unknown } | undefined) ?? { min: null, max: null };
}

async function databaseSize(knex: Knex): Promise<number> {
  const result = (await knex.raw('SELECT pg_database_size(current_database()) AS size')) as { rows: Array<{ size: number }> };
  return Number(result.rows[0]?.size ?? 0);
}

/** Row counts, file size (on PostgreSQL the database's size) and what retention keeps (`walnut-db info`). */
export async function storeInfo(store: Store, retention: RetentionOptions, now = Date.now()): Promise<StoreInfo> {
  const rows: Record<string, number> = {};
  for (const table of TABLES) rows[table] = await count(store.knex, table);
  const cutoffs = retentionCutoffs(retention, now);
  const samples = await range(store.knex, 'ups_samples', 'ts');
  const rollups = await range(store.knex, 'ups_rollups', 'hour');
  return {
    dbPath: store.dbPath,
    keySource: store.masterKeySource,
    fileSizeBytes: store.isPostgres ? await databaseSize(store.knex) : fs.statSync(store.dbPath).size,
    schemaVersion: (await schemaStatus(store.knex)).version,
    dataKeyVersion: store.dataKeyVersion,
    rows,
    retention: {
      samplesWindowHours: retention.samplesHours,
      rollupsKeptDays: retention.rollupDays,
      pruneIntervalSeconds: retention.intervalSeconds,
      batchSize: retention.batchSize,
      oldestSample: iso(samples.min),
      newestSample: iso(samples.max),
      samplesDueForPruning: await count(store.knex, 'ups_samples', ['ts', '<', cutoffs.samplesBefore]),
      oldestRollup: iso(rollups.min),
      newestRollup: iso(rollups.max),
      rollupsDueForPruning: await count(store.knex, 'ups_rollups', ['hour', '<', cutoffs.rollupsBefore]),
    },
  };
}
