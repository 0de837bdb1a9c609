/**
 * Sample ingest: the store's path (SampleWriter) and raw better-sqlite3, each on
 * the encrypted store and on plain SQLite with the same schema and pragmas, in
 * one run. Prints rows/s (median of rounds) and the ratios the targets name.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Knex } from 'knex';
import { median, verdict } from '../lib/stats';
import { applyConnectionPragmas, openEncrypted } from '../../src/store/cipher';
import { createSqlCipherKnex, createSqliteKnex } from '../../src/store/knex-sqlcipher';
import { migrationConfig } from '../../src/store/store';
import { SAMPLE_COLUMNS, SampleWriter, type SampleRow } from '../../src/store/samples';

const ROUNDS = 5;
const BATCH = 1000;
const BATCHES = 100; // 100,000 rows per round in transactions
const SINGLE_ROWS = 2000; // single-row commits are fsync-bound: fewer rows

const key = { key: 'bench-master-key-0123456789-abcdefghijklmnop', source: 'bench' };

interface Target {
  name: 'encrypted' | 'plain';
  dbPath: string;
  knex: Knex;
  open: () => Database.Database;
}

function openPlain(dbPath: string): Database.Database {
  const db = new Database(dbPath);
  applyConnectionPragmas(db);
  return db;
}

async function prepare(folder: string, name: Target['name']): Promise<Target> {
  const dbPath = path.join(folder, `${name}.db`);
  const open = name === 'encrypted' ? () => openEncrypted(dbPath, key) : () => openPlain(dbPath);
  const knex = name === 'encrypted' ? createSqlCipherKnex(dbPath, key) : createSqliteKnex(dbPath, open);
  await knex.migrate.latest(migrationConfig());
  const now = Date.now();
  await knex('sites').insert({ id: 1, name: 'bench', created_at: now, updated_at: now });
  await knex('ups').insert({ id: 1, site_id: 1, name: 'ups', server: 'localhost:3493', created_at: now, updated_at: now });
  return { name, dbPath, knex, open };
}

let clock = Date.now();
function rows(count: number): SampleRow[] {
  return Array.from({ length: count }, () => ({
    ups_id: 1, ts: clock++, status: 'OL', battery_charge: 100, battery_runtime: 1800, battery_voltage: 27.1,
    input_voltage: 230.4, output_voltage: 230.1, ups_load: 23.5, ups_realpower: 210,
  }));
}

async function timeRowsPerSecond(count: number, work: () => Promise<void> | void): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

const insertSql = `INSERT INTO ups_samples (${SAMPLE_COLUMNS.join(', ')}) VALUES (${SAMPLE_COLUMNS.map(() => '?').join(', ')})`;
const values = (row: SampleRow): unknown[] => SAMPLE_COLUMNS.map((column) => row[column] ?? null);

type Measure = 'ingest-single' | 'ingest-batch' | 'raw-single' | 'raw-batch';

async function measure(target: Target, kind: Measure, raw: Database.Database): Promise<number> {
  const writer = new SampleWriter(target.knex);
  const statement = raw.prepare(insertSql);
  switch (kind) {
    case 'ingest-single': {
      const data = rows(SINGLE_ROWS);
      return timeRowsPerSecond(SINGLE_ROWS, async () => {
        for (const row of data) await writer.insert([row]);
      });
    }
    case 'ingest-batch': {
      const data = Array.from({ length: BATCHES }, () => rows(BATCH));
      return timeRowsPerSecond(BATCH * BATCHES, async () => {
        for (const batch of data) await writer.insert(batch);
      });
    }
    case 'raw-single': {
      const data = rows(SINGLE_ROWS);
      return timeRowsPerSecond(SINGLE_ROWS, () => {
        for (const row of data) statement.run(values(row));
      });
    }
    case 'raw-batch': {
      const data = Array.from({ length: BATCHES }, () => rows(BATCH));
      const insertMany = raw.transaction((batch: SampleRow[]) => {
        for (const row of batch) statement.run(values(row));
      });
      return timeRowsPerSecond(BATCH * BATCHES, () => {
        for (const batch of data) insertMany(batch);
      });
    }
  }
}

const fmt = (value: number): string => Math.round(value).toLocaleString('en-US').padStart(9);

async function main(): Promise<void> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'walnut-bench-'));
  try {
    const targets = [await prepare(folder, 'encrypted'), await prepare(folder, 'plain')];
    // Raw connections are separate handles on the same files (WAL lets both coexist), used only by the raw baseline.
    const rawHandles = new Map(targets.map((t) => [t.name, t.open()]));
    const kinds: Measure[] = ['ingest-single', 'ingest-batch', 'raw-single', 'raw-batch'];
    const results = new Map<string, number[]>();
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const kind of kinds) {
        for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
          const value = await measure(target, kind, rawHandles.get(target.name)!);
          results.set(`${target.name}/${kind}`, [...(results.get(`${target.name}/${kind}`) ?? []), value]);
        }
      }
    }
    const get = (name: string): number => median(results.get(name) ?? []);
    console.log(`store ingest benchmark: rows/s, median of ${ROUNDS} rounds (${BATCH}-row transactions: ${BATCH * BATCHES} rows; single-row commits: ${SINGLE_ROWS} rows), synchronous=NORMAL, WAL`);
    console.log('                          encrypted      plain   enc/plain');
    for (const kind of kinds) {
      const enc = get(`encrypted/${kind}`);
      const plain = get(`plain/${kind}`);
      console.log(`  ${kind.padEnd(20)} ${fmt(enc)}  ${fmt(plain)}      ${(enc / plain).toFixed(2)}`);
    }
    const encIngest = get('encrypted/ingest-batch');
    // The hub's ingest path is batched (SampleBuffer: one transaction per second), so the targets apply to 1000-row transactions.
    const checks = [
      ['encrypted ingest / plain ingest (1000-row tx)', encIngest / get('plain/ingest-batch'), 0.8],
      ['encrypted ingest / encrypted raw (1000-row tx)', encIngest / get('encrypted/raw-batch'), 0.5],
    ] as const;
    for (const [label, ratio, target] of checks) console.log(`  ${label.padEnd(48)} ${ratio.toFixed(2)}  (target >= ${target.toFixed(2)}) ${verdict(ratio >= target)}`);
    const single = get('encrypted/ingest-single') / get('plain/ingest-single');
    console.log(`  ${'encrypted ingest / plain ingest (single-row)'.padEnd(48)} ${single.toFixed(2)}  (no target: per-commit page encryption; the hub batches)`);
    console.log(`  encrypted ingest (1000-row tx) ${fmt(encIngest).trim()} rows/s  (target >= 100,000) ${verdict(encIngest >= 100_000)}`);
    for (const handle of rawHandles.values()) handle.close();
    for (const target of targets) await target.knex.destroy();
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

void main();
