import { connectionCheck, type HealthCheck, medianLatencyMs, schemaCheck } from '../health-check';
import { schemaStatus, type SchemaStatus } from '../schema-status';
import { type FleetSite, fleetSites } from './fleet-sites';
import type { Store } from '../store';

export interface PoolUse {
  max: number;
  used: number;
  free: number;
  pendingAcquires: number;
}

export interface PostgresHealthReport {
  backend: 'postgres';
  healthy: boolean;
  /** DATABASE_URL without its password. */
  dbPath: string;
  keySource: string;
  latencyMs: number;
  serverVersion: string;
  databaseSizeBytes: number;
  /** This process's pool (the CLI's own: a hub's pool shows in `connections`). */
  pool: PoolUse;
  /** Sessions of every walNUT hub and tool on this database right now. */
  connections: number;
  ssl: boolean;
  schema: SchemaStatus;
  /** Every site of the fleet: held by a running hub or not, UPSes, newest sample. */
  sites: FleetSite[];
  checks: HealthCheck[];
}

// knex's pool (tarn) is untyped on Knex.Client; these are the counters it keeps.
interface TarnPool {
  max: number;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

function poolUse(store: Store): PoolUse {
  const pool = (store.knex.client as { pool?: TarnPool }).pool;
  if (pool === undefined) return { max: 0, used: 0, free: 0, pendingAcquires: 0 };
  return { max: pool.max, used: pool.numUsed(), free: pool.numFree(), pendingAcquires: pool.numPendingAcquires() };
}

async function firstRow<T>(store: Store, sql: string): Promise<T> {
  const result = (await store.knex.raw(sql)) as { rows: T[] };
  return result.rows[0] as T;
}

/** `walnut-db health` on the fleet store: server, pool, latency, schema, and whether the link is encrypted. */
export async function checkPostgresHealth(store: Store): Promise<PostgresHealthReport> {
  const latencyMs = await medianLatencyMs(store);
  const { server_version: serverVersion } = await firstRow<{ server_version: string }>(store, 'SHOW server_version');
  const { size } = await firstRow<{ size: number }>(store, 'SELECT pg_database_size(current_database()) AS size');
  const { sessions } = await firstRow<{ sessions: number }>(store, "SELECT count(*) AS sessions FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'walnut'");
  const { ssl } = await firstRow<{ ssl: boolean | null }>(store, 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
  const schema = await schemaStatus(store.knex);
  const sites = schema.applied.length > 0 ? await fleetSites(store.knex) : [];
  const major = Number.parseInt(serverVersion, 10);
  const pool = poolUse(store);
  const checks: HealthCheck[] = [
    connectionCheck(latencyMs),
    { name: 'server', ok: major >= 13, detail: `PostgreSQL ${serverVersion}${major >= 13 ? '' : ' (13 or newer is needed)'}` },
    { name: 'pool', ok: pool.pendingAcquires === 0, detail: `${pool.used} used, ${pool.free} free of ${pool.max}; ${pool.pendingAcquires} waiting` },
    schemaCheck(schema),
    // Field encryption keeps secrets sealed either way; TLS is what keeps samples and events private off this machine.
    { name: 'tls', ok: true, detail: ssl === true ? 'connection encrypted (TLS)' : 'connection NOT encrypted: add sslmode=require to DATABASE_URL when the server is not on this machine' },
  ];
  return {
    backend: 'postgres',
    healthy: checks.every((check) => check.ok),
    dbPath: store.dbPath,
    keySource: store.masterKeySource,
    latencyMs,
    serverVersion,
    databaseSizeBytes: Number(size),
    pool,
    connections: Number(sessions),
    ssl: ssl === true,
    schema,
    sites,
    checks,
  };
}
