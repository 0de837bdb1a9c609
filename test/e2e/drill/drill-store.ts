/**
 * What the drill reads back from the hub's store (opened beside the running
 * hub, as the other e2e tests do), and a wait on state the test can only poll
 * (a simulator's handle, a file the sshd's shutdown command writes).
 */
import * as path from 'node:path';
import { Store } from '../../../src/store/store';

export interface JobRow {
  id: number;
  run_id: string | null;
  stage: string | null;
  target: string;
  op: string;
  state: string;
  dry_run: number;
  result: string | null;
  error: string | null;
  queued_at: number;
  sent_at: number | null;
  finished_at: number | null;
}

export interface EventRow {
  ts: number;
  type: string;
  source: string;
  message: string;
}

export interface AuditRow {
  ts: number;
  actor: string;
  action: string;
  resource: string;
}

export interface DrillRecords {
  jobs: JobRow[];
  events: EventRow[];
  audit: AuditRow[];
}

/** The hub's records, from its store as its environment names it (its SQLite file, or DATABASE_URL), with its generated key. */
export async function readRecords(env: Record<string, string>): Promise<DrillRecords> {
  const dbPath = path.join(env.WALNUT_DATA_DIR ?? '.', 'walnut.db');
  const databaseUrl = env.DATABASE_URL;
  const store = await Store.open({ settings: { dbPath, production: false, allowNetworkFs: false, ...(databaseUrl === undefined ? {} : { databaseUrl }) }, env: {} });
  try {
    return {
      // dry_run is 0/1 on SQLite and a boolean on PostgreSQL: one shape for the assertions.
      jobs: (await store.knex('jobs').orderBy('id').select<JobRow[]>('id', 'run_id', 'stage', 'target', 'op', 'state', 'dry_run', 'result', 'error', 'queued_at', 'sent_at', 'finished_at'))
        .map((job) => ({ ...job, dry_run: Number(job.dry_run) })),
      events: await store.knex('events').orderBy('id').select<EventRow[]>('ts', 'type', 'source', 'message'),
      audit: await store.knex('audit_logs').orderBy('id').select<AuditRow[]>('ts', 'actor', 'action', 'resource'),
    };
  } finally {
    await store.close();
  }
}

/** Resolves once `predicate` holds, checking every 50 ms; for state with no event to await. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
