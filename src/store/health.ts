import * as fs from 'node:fs';
import { CIPHER, hasPlaintextHeader, readCipherSettings } from './cipher';
import { withRawConnection } from './raw-connection';
import { connectionCheck, type HealthCheck, medianLatencyMs, schemaCheck } from './health-check';
import { checkPostgresHealth, type PostgresHealthReport } from './postgres/health';
import { schemaStatus, type SchemaStatus } from './schema-status';
import type { Store } from './store';


export interface SqliteHealthReport {
  backend: 'sqlite';
  healthy: boolean;
  dbPath: string;
  keySource: string;
  latencyMs: number;
  fileSizeBytes: number;
  walSizeBytes: number;
  journalMode: string;
  cipher: { name: string; legacy: number; kdfIterations: number; description: string };
  encryptedHeader: boolean;
  schema: SchemaStatus;
  quickCheck: string;
  checks: HealthCheck[];
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

export type { HealthCheck };
export type HealthReport = SqliteHealthReport | PostgresHealthReport;


/** Every fact `walnut-db health` reports, each check with what it saw. */
export function checkHealth(store: Store): Promise<HealthReport> {
  return store.isPostgres ? checkPostgresHealth(store) : checkSqliteHealth(store);
}

async function checkSqliteHealth(store: Store): Promise<SqliteHealthReport> {
  const latencyMs = await medianLatencyMs(store);
  const { journalMode, quickCheck, cipher } = await withRawConnection(store.knex, (connection) => ({
    journalMode: String(connection.pragma('journal_mode', { simple: true })),
    quickCheck: (connection.pragma('quick_check') as Array<{ quick_check: string }>).map((row) => row.quick_check).join('; '),
    cipher: readCipherSettings(connection),
  }));
  const schema = await schemaStatus(store.knex);
  const encryptedHeader = !hasPlaintextHeader(store.dbPath);
  const checks: HealthCheck[] = [
    connectionCheck(latencyMs),
    { name: 'wal', ok: journalMode.toLowerCase() === 'wal', detail: `journal_mode=${journalMode}` },
    { name: 'encryption', ok: encryptedHeader, detail: encryptedHeader ? 'file header is not plaintext SQLite' : 'file header reads "SQLite format 3": NOT encrypted' },
    {
      name: 'cipher',
      ok: cipher.cipher === CIPHER.name && cipher.kdfIterations === CIPHER.kdfIterations && cipher.legacy === CIPHER.legacy,
      detail: `${cipher.cipher} legacy=${cipher.legacy} kdf_iter=${cipher.kdfIterations}`,
    },
    schemaCheck(schema),
    { name: 'quick_check', ok: quickCheck === 'ok', detail: quickCheck },
  ];
  return {
    backend: 'sqlite',
    healthy: checks.every((check) => check.ok),
    dbPath: store.dbPath,
    keySource: store.masterKeySource,
    latencyMs,
    fileSizeBytes: sizeOf(store.dbPath),
    walSizeBytes: sizeOf(`${store.dbPath}-wal`),
    journalMode,
    cipher: { name: cipher.cipher, legacy: cipher.legacy, kdfIterations: cipher.kdfIterations, description: CIPHER.description },
    encryptedHeader,
    schema,
    quickCheck,
    checks,
  };
}
