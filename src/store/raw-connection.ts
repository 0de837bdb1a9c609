import type { Knex } from 'knex';
import type Database from 'better-sqlite3-multiple-ciphers';

/** The part of knex's (untyped) client used to borrow the pool's SQLite connection. */
interface PoolClient {
  config: { client: unknown };
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void>;
}

const poolClient = (knex: Knex): PoolClient => knex.client as PoolClient;

export function isPostgres(knex: Knex): boolean {
  return poolClient(knex).config.client === 'pg';
}

/**
 * Runs `work` on the pool's better-sqlite3 connection, for what knex cannot
 * express (prepared-statement hot paths, pragmas); the connection always goes back.
 */
export async function withRawConnection<T>(knex: Knex, work: (db: Database.Database) => T): Promise<T> {
  const client = poolClient(knex);
  const connection = (await client.acquireConnection()) as Database.Database;
  try {
    return work(connection);
  } finally {
    await client.releaseConnection(connection);
  }
}
