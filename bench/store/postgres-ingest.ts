/**
 * Sample ingest on the two stores in one run: the hub's path (SampleWriter,
 * 1000-row batches as SampleBuffer writes them) on the encrypted SQLite file and
 * on a real PostgreSQL (Debian's, started here on loopback), plus the simplest
 * correct PostgreSQL code for the same work (one multi-row INSERT per batch
 * through node-postgres) as the baseline. Prints rows/s and the ratios.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Knex } from 'knex';
import pg from 'pg';
import { median } from '../lib/stats';
import { startPostgres } from '../lib/real-postgres';
import { createSqlCipherKnex } from '../../src/store/knex-sqlcipher';
import { createPostgresKnex } from '../../src/store/postgres/knex-postgres';
import { migrationConfig } from '../../src/store/store';
import { SAMPLE_COLUMNS, SampleWriter, type SampleRow } from '../../src/store/samples';

const ROUNDS = 5;
const BATCH = 1000;
const BATCHES = 50;

let clock = Date.now();
const batch = (): SampleRow[] =>
  Array.from({ length: BATCH }, () => ({
    ups_id: 1, ts: clock++, status: 'OL', battery_charge: 100, battery_runtime: 1800, battery_voltage: 27.1,
    input_voltage: 230.4, output_voltage: 230.1, ups_load: 23.5, ups_realpower: 210,
  }));

async function prepare(knex: Knex): Promise<void> {
  await knex.migrate.latest(migrationConfig());
  const now = Date.now();
  await knex('sites').insert({ id: 1, name: 'bench', created_at: now, updated_at: now });
  await knex('ups').insert({ id: 1, site_id: 1, name: 'ups', server: 'localhost:3493', created_at: now, updated_at: now });
}

async function rowsPerSecond(write: (rows: SampleRow[]) => Promise<void>): Promise<number> {
  const data = Array.from({ length: BATCHES }, batch);
  const start = process.hrtime.bigint();
  for (const rows of data) await write(rows);
  return (BATCH * BATCHES) / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** The baseline: one parameterised multi-row INSERT per batch, nothing else. */
function rawInsert(client: pg.Client): (rows: SampleRow[]) => Promise<void> {
  return async (rows) => {
    const params: unknown[] = [];
    const tuples = rows.map((row) => `(${SAMPLE_COLUMNS.map((column) => `$${params.push(row[column] ?? null)}`).join(', ')})`);
    await client.query(`INSERT INTO ups_samples (${SAMPLE_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, params);
  };
}

const fmt = (value: number): string => Math.round(value).toLocaleString('en-US').padStart(9);

async function main(): Promise<void> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'walnut-bench-pg-'));
  const server = await startPostgres(folder, { fsync: true });
  const url = server.createDatabase();
  const sqlite = createSqlCipherKnex(path.join(folder, 'walnut.db'), { key: 'bench-master-key-0123456789-abcdefghijklmnop', source: 'bench' });
  const postgres = createPostgresKnex(url, 10);
  const raw = new pg.Client({ connectionString: url });
  try {
    await prepare(sqlite);
    await prepare(postgres);
    await raw.connect();
    const paths: Array<[string, (rows: SampleRow[]) => Promise<void>]> = [
      ['sqlite (encrypted), SampleWriter', (rows) => new SampleWriter(sqlite).insert(rows)],
      ['postgres, SampleWriter', (rows) => new SampleWriter(postgres).insert(rows)],
      ['postgres, raw multi-row INSERT', rawInsert(raw)],
    ];
    const results = new Map<string, number[]>();
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [name, write] of round % 2 === 0 ? paths : [...paths].reverse()) results.set(name, [...(results.get(name) ?? []), await rowsPerSecond(write)]);
    }
    const get = (name: string): number => median(results.get(name) ?? []);
    console.log(`store ingest, SQLite vs PostgreSQL: rows/s, median of ${ROUNDS} rounds of ${BATCH * BATCHES} rows in ${BATCH}-row batches (PostgreSQL on loopback with its default fsync and synchronous_commit; SQLite WAL, synchronous=NORMAL)`);
    for (const [name] of paths) console.log(`  ${name.padEnd(36)} ${fmt(get(name))}`);
    console.log(`  ratio postgres / sqlite (SampleWriter)        ${(get('postgres, SampleWriter') / get('sqlite (encrypted), SampleWriter')).toFixed(2)}`);
    console.log(`  ratio SampleWriter / raw INSERT on postgres   ${(get('postgres, SampleWriter') / get('postgres, raw multi-row INSERT')).toFixed(2)}`);
  } finally {
    await raw.end().catch(() => undefined);
    await postgres.destroy();
    await sqlite.destroy();
    await server.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

void main();
