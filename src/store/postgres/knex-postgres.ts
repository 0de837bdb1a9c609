import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

// int8 (bigint: ids, epoch-millisecond times) and numeric (SUM, AVG of integers) arrive as strings
// by default. Ours stay far below 2^53, so numbers keep one representation on SQLite and PostgreSQL.
const INT8_OID = 20;
const NUMERIC_OID = 1700;
pg.types.setTypeParser(INT8_OID, (value) => Number(value));
pg.types.setTypeParser(NUMERIC_OID, (value) => Number(value));

const ignore = (): void => undefined;

/** The fleet store's pool: `poolSize` connections at most, none kept open while idle. */
export function createPostgresKnex(url: string, poolSize: number): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString: url, application_name: 'walnut' },
    pool: { min: 0, max: poolSize, idleTimeoutMillis: 30_000 },
    acquireConnectionTimeout: 15_000,
    log: { warn: ignore, error: ignore, deprecate: ignore, debug: ignore },
  });
}

/** DATABASE_URL without its password, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable DATABASE_URL)';
  }
}
