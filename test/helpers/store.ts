import * as path from 'node:path';
import { Store } from '../../src/store/store';
import { sharedPostgres } from './postgres';
import { tempDir, testKey } from './temp';

export type StoreBackend = 'sqlite' | 'postgres';

/** The store's suites run once per backend: CI runs both. */
export const STORE_BACKENDS: readonly StoreBackend[] = ['sqlite', 'postgres'];

/** WALNUT_TEST_BACKEND=postgres runs every suite that does not name a backend on PostgreSQL. */
const DEFAULT_BACKEND: StoreBackend = process.env.WALNUT_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';

export function describeEachBackend(title: string, suite: (this: Mocha.Suite, backend: StoreBackend) => void): void {
  for (const backend of STORE_BACKENDS) {
    describe(`${title} [${backend}]`, function () {
      suite.call(this, backend);
    });
  }
}

export interface TestStore {
  store: Store;
  /** The SQLite file (on PostgreSQL: where a generated key file would go). */
  dbPath: string;
  key: string;
  env: Record<string, string>;
  /** DATABASE_URL of the test's own database on the shared server (PostgreSQL only). */
  databaseUrl?: string;
}

export interface TestStoreOptions {
  key?: string;
  dbPath?: string;
  migrate?: boolean;
  backend?: StoreBackend;
  /** Open an existing PostgreSQL database again instead of a fresh one. */
  databaseUrl?: string;
  site?: string;
  lockAs?: string;
}

/** An encrypted store in a temp folder (or a fresh database on the shared PostgreSQL), keyed by WALNUT_DB_KEY, migrated. */
export async function openTestStore(options: TestStoreOptions = {}): Promise<TestStore> {
  const key = options.key ?? testKey();
  const dbPath = options.dbPath ?? path.join(tempDir(), 'walnut.db');
  const env = { WALNUT_DB_KEY: key };
  const backend = options.backend ?? DEFAULT_BACKEND;
  const databaseUrl = options.databaseUrl ?? (backend === 'postgres' ? (await sharedPostgres()).createDatabase() : undefined);
  const store = await Store.open({
    settings: { dbPath, production: false, allowNetworkFs: false, ...(databaseUrl === undefined ? {} : { databaseUrl }), ...(options.site === undefined ? {} : { site: options.site }) },
    env,
    migrate: options.migrate ?? true,
    ...(options.lockAs === undefined ? {} : { lockAs: options.lockAs }),
  });
  return { store, dbPath, key, env, ...(databaseUrl === undefined ? {} : { databaseUrl }) };
}
