import type { Knex } from 'knex';
import type Database from 'better-sqlite3-multiple-ciphers';
import { isPostgres, withRawConnection } from './raw-connection';

/** One UPS reading as stored: the numbers the rollups and the runtime budget need. */
export interface SampleRow {
  ups_id: number;
  ts: number;
  status?: string | null;
  battery_charge?: number | null;
  battery_runtime?: number | null;
  battery_voltage?: number | null;
  input_voltage?: number | null;
  output_voltage?: number | null;
  ups_load?: number | null;
  ups_realpower?: number | null;
}

export const SAMPLE_COLUMNS = [
  'ups_id', 'ts', 'status', 'battery_charge', 'battery_runtime', 'battery_voltage',
  'input_voltage', 'output_voltage', 'ups_load', 'ups_realpower',
] as const;

// PostgreSQL: one statement per batch, each column one array parameter (10 parameters, whatever the batch size).
const COLUMN_TYPES: Record<(typeof SAMPLE_COLUMNS)[number], string> = {
  ups_id: 'integer', ts: 'bigint', status: 'text', battery_charge: 'float8', battery_runtime: 'float8', battery_voltage: 'float8',
  input_voltage: 'float8', output_voltage: 'float8', ups_load: 'float8', ups_realpower: 'float8',
};
const UNNEST_SQL = `INSERT INTO ups_samples (${SAMPLE_COLUMNS.join(', ')}) SELECT * FROM unnest(${SAMPLE_COLUMNS.map((column) => `?::${COLUMN_TYPES[column]}[]`).join(', ')})`;

const INSERT_SQL = `INSERT INTO ups_samples (${SAMPLE_COLUMNS.join(', ')}) VALUES (${SAMPLE_COLUMNS.map(() => '?').join(', ')})`;

function values(row: SampleRow): unknown[] {
  return SAMPLE_COLUMNS.map((column) => row[column] ?? null);
}

/**
 * The sample hot path. On SQLite it runs one prepared statement per row inside
 * one transaction on the pool's connection (objection's batch insert is
 * PostgreSQL-only and knex's is several times slower); on PostgreSQL one INSERT
 * of unnested column arrays (no per-row SQL to build or parse).
 */
export class SampleWriter {
  private readonly statements = new WeakMap<Database.Database, Database.Statement>();

  constructor(private readonly knex: Knex) {}

  async insert(rows: readonly SampleRow[]): Promise<void> {
    if (rows.length === 0) return;
    if (isPostgres(this.knex)) {
      const columns = SAMPLE_COLUMNS.map((column) => rows.map((row) => row[column] ?? null));
      // node-postgres sends each JS array as one PostgreSQL array parameter; knex's binding type does not list arrays.
      await this.knex.raw(UNNEST_SQL, columns as unknown as Knex.RawBinding[]);
      return;
    }
    await withRawConnection(this.knex, (connection) => {
      let statement = this.statements.get(connection);
      if (statement === undefined) {
        statement = connection.prepare(INSERT_SQL);
        this.statements.set(connection, statement);
      }
      const prepared = statement;
      connection.transaction(() => {
        for (const row of rows) prepared.run(values(row));
      })();
    });
  }
}
