import * as path from 'node:path';
import type { Knex } from 'knex';
import type { WalnutSettings } from '../../settings';
import { DataKeyError, MigrationError, StoreError } from '../errors';
import { type DerivedKeyLabel, deriveKey } from './aead';
import { loadOrCreateDataKey, unwrapDataKey, wrapDataKey, type WrappedDataKey } from './data-key';
import { createSqlCipherKnex } from './knex-sqlcipher';
import { assertLocalDisk, assertLockingWorks, prepareFolder, restrictFiles } from './local-disk';
import { type MasterKey, resolveMasterKey } from './master-key';
import { WalnutMigrationSource } from './migration-source';
import { recoverInterruptedRekey } from './rekey';
import { SecretStore } from './secrets';
import { acquireStoreLock, type StoreLock } from './store-lock';

export type StoreSettings = Pick<WalnutSettings, 'dbPath' | 'production' | 'allowNetworkFs' | 'databaseUrl'>;

export interface OpenStoreOptions {
  settings: StoreSettings;
  env?: Record<string, string | undefined>;
  /** Run pending migrations (default true). Read-only tools pass false. */
  migrate?: boolean;
  /** Take the store's exclusive lock under this holder name (the hub, rekey, reset). */
  lockAs?: string;
  dockerSecretPath?: string;
  /** Mountinfo text to check instead of /proc/self/mountinfo (tests). */
  mountinfo?: string;
}

export const migrationConfig = (): Knex.MigratorConfig => ({ migrationSource: new WalnutMigrationSource() });

/**
 * The opened store: one keyed connection pool, the data key, and the services
 * built on it. Opening checks the location, resolves the master key, proves it
 * on the file, migrates, and loads (or creates) the data key.
 */
export class Store {
  private constructor(
    readonly knex: Knex,
    readonly dbPath: string,
    readonly masterKeySource: string,
    private readonly dataKey: { key: Buffer; version: number } | undefined,
    private readonly lock: StoreLock | undefined,
    private readonly masterKey: string,
  ) {}

  static async open(options: OpenStoreOptions): Promise<Store> {
    const { settings } = options;
    if (settings.databaseUrl !== undefined) {
      throw new StoreError('STORE_UNSUPPORTED', 'DATABASE_URL (PostgreSQL) is not supported by this build yet; unset it to use the encrypted SQLite store');
    }
    const dbPath = settings.dbPath;
    const folder = path.dirname(dbPath);
    prepareFolder(folder);
    assertLocalDisk(folder, settings.allowNetworkFs, options.mountinfo);
    assertLockingWorks(folder);
    const lock = options.lockAs === undefined ? undefined : acquireStoreLock(dbPath, options.lockAs);
    try {
      recoverInterruptedRekey(dbPath, lock !== undefined);
      const masterKey = resolveStoreKey(options);
      const knex = createSqlCipherKnex(dbPath, masterKey);
      try {
        await knex.raw('SELECT 1');
        restrictFiles(dbPath);
        if (options.migrate ?? true) await migrateLatest(knex);
        const dataKey = (await knex.schema.hasTable('data_keys')) ? await loadOrCreateDataKey(knex, masterKey.key) : undefined;
        return new Store(knex, dbPath, masterKey.source, dataKey, lock, masterKey.key);
      } catch (error) {
        await knex.destroy();
        throw error;
      }
    } catch (error) {
      lock?.release();
      throw error;
    }
  }

  get dataKeyVersion(): number {
    return this.requireDataKey().version;
  }

  /** A key for one purpose, derived from the data key (HKDF with the purpose's label). */
  deriveKey(label: DerivedKeyLabel): Buffer {
    return deriveKey(this.requireDataKey().key, label);
  }

  /** The data key wrapped by another secret (an archive's passphrase), or by this store's master key. */
  wrapDataKey(secret?: string): WrappedDataKey {
    const { key, version } = this.requireDataKey();
    return wrapDataKey(key, secret ?? this.masterKey, version);
  }

  /** A data key wrapped by this store's master key (an archive made by a hub with the same key). */
  unwrapWithMasterKey(wrapped: WrappedDataKey): Buffer {
    return unwrapDataKey(wrapped, this.masterKey);
  }

  secrets(): SecretStore {
    return new SecretStore(this.knex, this.deriveKey('walnut/secrets/v1'), this.dataKeyVersion);
  }

  async close(): Promise<void> {
    await this.knex.destroy();
    this.lock?.release();
  }

  private requireDataKey(): { key: Buffer; version: number } {
    if (this.dataKey === undefined) throw new DataKeyError(`${this.dbPath} has no data key yet: run "walnut-db migrate latest" first`);
    return this.dataKey;
  }
}

function resolveStoreKey(options: OpenStoreOptions): MasterKey {
  const { settings } = options;
  return resolveMasterKey({
    env: options.env ?? process.env,
    dbPath: settings.dbPath,
    production: settings.production,
    ...(options.dockerSecretPath === undefined ? {} : { dockerSecretPath: options.dockerSecretPath }),
  });
}

export async function migrateLatest(knex: Knex): Promise<string[]> {
  try {
    const [, applied] = (await knex.migrate.latest(migrationConfig())) as [number, string[]];
    return applied;
  } catch (error) {
    throw new MigrationError(`migration failed: ${(error as Error).message}`, { cause: error });
  }
}
