import type { SchemaStatus } from './schema-status';
import type { Store } from './store';

/** One line of `walnut-db health`: what was checked, and what it saw. */
export interface HealthCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export async function medianLatencyMs(store: Store, samples = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const start = process.hrtime.bigint();
    await store.knex.raw('SELECT 1');
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return Math.round((times[Math.floor(times.length / 2)] ?? 0) * 1000) / 1000;
}

/** The store answered: how fast. */
export function connectionCheck(latencyMs: number): HealthCheck {
  return { name: 'connection', ok: true, detail: `SELECT 1 in ${latencyMs} ms (median of 5)` };
}

/** Healthy when no migration is pending, on either backend. */
export function schemaCheck(schema: SchemaStatus): HealthCheck {
  const { pending, version } = schema;
  return { name: 'schema', ok: pending.length === 0, detail: pending.length === 0 ? `at ${version ?? '(empty)'}` : `${pending.length} pending: ${pending.join(', ')}` };
}
