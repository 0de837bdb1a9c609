import * as fs from 'node:fs';
import { CIPHER, hasPlaintextHeader, readCipherSettings } from './cipher';
import { withRawConnection } from './raw-connection';
import { schemaStatus, type SchemaStatus } from './schema-status';
import type { Store } from './store';

export interface HealthCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface HealthReport {
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

async function medianLatencyMs(store: Store, samples = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const start = process.hrtime.bigint();
    await store.knex.raw('SELECT 1');
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return Math.round((times[Math.floor(times.length / 2)] ?? 0) * 1000) / 1000;
}

/** Every fact `walnut-db health` reports, each check with what it saw. */
export async function checkHealth(store: Store): Promise<HealthReport> {
  const latencyMs = await medianLatencyMs(store);
  const { journalMode, quickCheck, cipher } = await withRawConnection(store.knex, (connection) => ({
    journalMode: String(connection.pragma('journal_mode', { simple: true })),
    quickCheck: (connection.pragma('quick_check') as Array<{ quick_check: string }>).map((row) => row.quick_check).join('; '),
    cipher: readCipherSettings(connection),
  }));
  const schema = await schemaStatus(store.knex);
  const encryptedHeader = !hasPlaintextHeader(store.dbPath);
  const checks: HealthCheck[] = [
    { name: 'connection', ok: true, detail: `SELECT 1 in ${latencyMs} ms (median of 5)` },
    { name: 'wal', ok: journalMode.toLowerCase() === 'wal', detail: `journal_mode=${journalMode}` },
    { name: 'encryption', ok: encryptedHeader, detail: encryptedHeader ? 'file header is not plaintext SQLite' : 'file header reads "SQLite format 3": NOT encrypted' },
    {
      name: 'cipher',
      ok: cipher.cipher === CIPHER.name && cipher.kdfIterations === CIPHER.kdfIterations && cipher.legacy === CIPHER.legacy,
      detail: `${cipher.cipher} legacy=${cipher.legacy} kdf_iter=${cipher.kdfIterations}`,
    },
    { name: 'schema', ok: schema.pending.length === 0, detail: schema.pending.length === 0 ? `at ${schema.version ?? '(empty)'}` : `${schema.pending.length} pending: ${schema.pending.join(', ')}` },
    { name: 'quick_check', ok: quickCheck === 'ok', detail: quickCheck },
  ];
  return {
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
