import knexFactory, { type Knex } from 'knex';
import Database from 'better-sqlite3-multiple-ciphers';
import { openEncrypted } from './cipher';
import type { MasterKey } from './master-key';

// knex ships no types for its dialect classes; this is the part we extend.
type ClientConstructor = new (config: Knex.Config) => Knex.Client;
const BetterSqlite3Client = require('knex/lib/dialects/better-sqlite3') as ClientConstructor;

/**
 * knex's better-sqlite3 client with the cipher build as its driver and our own
 * connection opener: every new connection is keyed and configured before knex
 * sees it, so a wrong key fails on the first query with WrongKeyError.
 */
function sqliteClient(openConnection: () => Database.Database): ClientConstructor {
  return class SqliteClient extends BetterSqlite3Client {
    _driver(): unknown {
      return Database;
    }

    override acquireRawConnection(): Promise<unknown> {
      return Promise.resolve(openConnection());
    }
  };
}

const ignore = (): void => undefined;

/**
 * Pool of exactly one: the driver is synchronous, so more connections only add
 * lock contention. Inside a transaction use only its `trx`; a query on the plain
 * handle would wait for the one connection until the acquire timeout.
 */
export function createSqlCipherKnex(dbPath: string, masterKey: MasterKey): Knex {
  return createSqliteKnex(dbPath, () => openEncrypted(dbPath, masterKey));
}

/** The same knex setup over any opener (the store's benchmark uses it for its plain-SQLite baseline). */
export function createSqliteKnex(dbPath: string, openConnection: () => Database.Database): Knex {
  return knexFactory({
    client: sqliteClient(openConnection) as unknown as typeof Knex.Client,
    connection: { filename: dbPath },
    useNullAsDefault: true,
    pool: { min: 1, max: 1, idleTimeoutMillis: 2_147_483_647 },
    acquireConnectionTimeout: 60_000,
    // knex would print acquire errors to the console; they reach the caller as typed errors instead.
    log: { warn: ignore, error: ignore, deprecate: ignore, debug: ignore },
  });
}
