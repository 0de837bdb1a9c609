import { type RealPostgres, startPostgres } from '../../bench/lib/real-postgres';
import { tempDir } from './temp';

export { PG_PASSWORD, type RealPostgres } from '../../bench/lib/real-postgres';

/** One server per test run, in a temp folder the root hooks remove. */
let shared: Promise<RealPostgres> | undefined;

/** The run's one server, started on first use and stopped by the root hooks. */
export function sharedPostgres(): Promise<RealPostgres> {
  shared ??= startPostgres(tempDir('walnut-pg-'));
  return shared;
}

export async function stopSharedPostgres(): Promise<void> {
  if (shared === undefined) return;
  const server = await shared.catch(() => undefined);
  shared = undefined;
  await server?.stop();
}
