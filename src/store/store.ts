import * as path from 'node:path';
import type { Knex } from 'knex';
import type { WalnutSettings } from '../../settings';
import { DataKeyError, MigrationError } from '../errors';
import { type DerivedKeyLabel, deriveKey } from './aead';
import { loadOrCreateDataKey, unwrapDataKey, wrapDataKey, type WrappedDataKey } from './data-key';
import { createSqlCipherKnex } from './knex-sqlcipher';
import { assertLocalDisk, assertLockingWorks, prepareFolder, restrictFiles } from './local-disk';
import { type MasterKey, resolveMasterKey } from './master-key';
import { WalnutMigrationSource } from './migration-source';
import { recoverInterruptedRekey } from './rekey';
import { withAdvisoryLock } from './postgres/advisory-lock';
import { connectionError } from './postgres/connection-errors';
import { createPostgresKnex, redactDatabaseUrl } from './postgres/knex-postgres';
import { SiteLock } from './postgres/site-lock';
import { SecretStore } from './secrets';
import { acquireStoreLock } from './store-lock';

export type StoreSettings = Pick<WalnutSettings, 'dbPath' | 'production' | 'allowNetworkFs' | 'databaseUrl'> &
  Partial<Pick<WalnutSettings, 'dbPoolSize' | 'site'>>;

export type StoreDialect = 'sqlite' | 'postgres';

/** What holds the store for one holder: a lock file on SQLite, a per-site advisory lock on PostgreSQL. */
interface HeldLock {
  release(): void | Promise<void>;
}

export interface OpenStoreOptions {
  settings: StoreSettings;
  env?: Record<string, string | undefined>;
  /** Run pending migrations (default true). Read-only tools pass false. */
  migrate?: boolean;
  /**
   * Take the store's exclusive lock under this holder name (the hub, rekey, reset). On
   * PostgreSQL the lock is the site's: hubs of other sites share the database.
   */
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
    /** The SQLite file; on PostgreSQL, DATABASE_URL without its password. */
    readonly dbPath: string,
    readonly dialect: StoreDialect,
    readonly masterKeySource: string,
    private readonly dataKey: { key: Buffer; version: number } | undefined,
    private readonly lock: HeldLock | undefined,
    private readonly masterKey: string,
    /** WALNUT_SITE: whose secrets come first (the fleet's follow). */
    readonly site: string,
  ) {}

  static async open(options: OpenStoreOptions): Promise<Store> {
    if (options.settings.databaseUrl !== undefined) return Store.openPostgres(options, options.settings.databaseUrl);
    const { settings } = options;
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
        return new Store(knex, dbPath, 'sqlite', masterKey.source, dataKey, lock, masterKey.key, settings.site ?? 'default');
      } catch (error) {
        await knex.destroy();
        throw error;
      }
    } catch (error) {
      lock?.release();
      throw error;
    }
  }

  /**
   * The fleet store: the same migrations and models through knex's pg client. The
   * master key only unwraps the data key here (PostgreSQL is not file-encrypted), so
   * every hub of a fleet needs the same WALNUT_DB_KEY; secrets stay sealed field by field.
   */
  private static async openPostgres(options: OpenStoreOptions, url: string): Promise<Store> {
    const { settings } = options;
    const location = redactDatabaseUrl(url);
    const masterKey = resolveStoreKey(options);
    const knex = createPostgresKnex(url, settings.dbPoolSize ?? 10);
    let lock: HeldLock | undefined;
    try {
      await knex.raw('SELECT 1').catch((error: unknown) => {
        throw connectionError(error, location);
      });
      if (options.lockAs !== undefined) lock = await SiteLock.take(knex, settings.site ?? 'default', options.lockAs, location);
      if (options.migrate ?? true) await withAdvisoryLock(knex, 'migrations', () => migrateLatest(knex));
      const dataKey = (await knex.schema.hasTable('data_keys')) ? await loadOrCreateDataKey(knex, masterKey.key) : undefined;
      return new Store(knex, location, 'postgres', masterKey.source, dataKey, lock, masterKey.key, settings.site ?? 'default');
    } catch (error) {
      await lock?.release();
      await knex.destroy();
      throw error;
    }
  }

  get isPostgres(): boolean {
    return this.dialect === 'postgres';
  }

  /** This hub's hold on its site in a fleet database (PostgreSQL, opened with lockAs). */
  get siteLock(): SiteLock | undefined {
    return this.lock instanceof SiteLock ? this.lock : undefined;
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

  /** On a fleet database a secret belongs to this hub's site unless set fleet-wide; the SQLite store's are all fleet-wide (one hub). */
  secrets(): SecretStore {
    return new SecretStore(this.knex, this.deriveKey('walnut/secrets/v1'), this.dataKeyVersion, this.site, this.isPostgres ? 'site' : 'fleet');
  }

  async close(): Promise<void> {
    // PostgreSQL's lock lives on a pooled connection: it goes back before the pool does.
    if (this.isPostgres) await this.lock?.release();
    await this.knex.destroy();
    if (!this.isPostgres) await this.lock?.release();
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
