import * as path from 'node:path';
import { Store } from '../../src/store/store';
import { tempDir, testKey } from './temp';

export interface TestStore {
  store: Store;
  dbPath: string;
  key: string;
  env: Record<string, string>;
}

/** An encrypted store in a temp folder, keyed by WALNUT_DB_KEY, migrated. */
export async function openTestStore(options: { key?: string; dbPath?: string; migrate?: boolean } = {}): Promise<TestStore> {
  const key = options.key ?? testKey();
  const dbPath = options.dbPath ?? path.join(tempDir(), 'walnut.db');
  const env = { WALNUT_DB_KEY: key };
  const store = await Store.open({ settings: { dbPath, production: false, allowNetworkFs: false }, env, migrate: options.migrate ?? true });
  return { store, dbPath, key, env };
}
