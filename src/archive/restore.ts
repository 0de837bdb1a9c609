/**
 * Restoring an archive into a store, in one transaction: all or nothing, so a
 * restore killed half-way leaves the store as it was. `replace` empties the
 * restored tables first; `preserve-existing` keeps rows already there (by
 * primary key); an incremental archive updates rows and applies its
 * tombstones. Secrets are re-sealed from the archive's data key to the
 * store's, so another hub (another master key) can read them. An archive of an
 * older schema is restored into a scratch store at its own schema, migrated
 * there, and copied over.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Knex } from 'knex';
import { ArchiveFormatError, StoreError } from '../errors';
import { recordAudit } from '../store/audit';
import { WalnutMigrationSource } from '../store/migration-source';
import { advanceSequences } from '../store/postgres/sequences';
import { isPostgres } from '../store/raw-connection';
import { migrateLatest, migrationConfig, Store } from '../store/store';
import type { ArchiveReader } from './reader';
import { type Resealer, resealerFor } from './reseal';
import { insertPage, tableColumns, tablePages, type InsertMode, type Page } from './table-rows';
import { ARCHIVED_TABLES, archivedTable, type ArchivedTable } from './tables';
import { appliedMigrations } from './writer';

export type RestoreMode = 'replace' | 'preserve-existing';

export interface RestoreOptions {
  mode: RestoreMode;
  dryRun: boolean;
  tables?: readonly string[];
  actor: string;
  siteId: number;
  onProgress?: (progress: { table: string; rows: number; doneRows: number; totalRows: number }) => void;
}

export interface TableReport {
  table: string;
  rows: number;
  /** Rows whose primary key the store already has. */
  conflicts: number;
  /** Rows removed by the archive's tombstones (incremental archives). */
  deleted: number;
}

export interface RestoreReport {
  file: string;
  type: 'full' | 'incremental';
  mode: RestoreMode;
  dryRun: boolean;
  tables: TableReport[];
  /** The archive's schema, when it was older than the store's and migrated on the way. */
  migratedFrom?: string;
}

/** Where rows come from: the archive itself, or a scratch store it was migrated in. */
interface RowSource {
  tables: Array<{ table: ArchivedTable; rows: number }>;
  pages(table: string): AsyncIterable<Page>;
}

/** Conflicts are looked up this many keys at a time. */
const LOOKUP_KEYS = 500;

export async function restoreArchive(store: Store, reader: ArchiveReader, options: RestoreOptions): Promise<RestoreReport> {
  const { header } = reader;
  const selected = new Set(options.tables ?? header.sections.map((section) => section.name));
  for (const name of selected) {
    if (!archivedTable(name)) throw new ArchiveFormatError(`unknown table "${name}"`);
    if (!reader.section(name)) throw new ArchiveFormatError(`${reader.file} has no table "${name}" (it has ${header.sections.map((section) => section.name).join(', ')})`);
  }
  const fromArchive: RowSource = {
    tables: ARCHIVED_TABLES.filter((table) => selected.has(table.name)).map((table) => ({ table, rows: reader.section(table.name)!.rows })),
    pages: (table) => reader.pages(reader.section(table)!),
  };
  const reseal = resealerFor(reader.dataKey, store);
  const report = { file: reader.file, type: header.type, mode: options.mode, dryRun: options.dryRun };

  const known = await new WalnutMigrationSource().getMigrations();
  const newer = header.migrations.filter((name) => !known.includes(name));
  if (newer.length > 0) {
    throw new ArchiveFormatError(`${reader.file} comes from a newer walNUT (schema ${header.migrations.at(-1) ?? '?'}, unknown here: ${newer.join(', ')}): upgrade this hub first`);
  }
  const current = await appliedMigrations(store.knex);
  if (header.migrations.length === current.length) {
    return { ...report, tables: await apply(store, fromArchive, reseal, header.type, options) };
  }
  const scratch = await migratedCopy(fromArchive, header.migrations);
  try {
    const tables = await apply(store, storeSource(scratch.knex, fromArchive.tables), reseal, header.type, options);
    return { ...report, tables, migratedFrom: header.migrations.at(-1) ?? '' };
  } finally {
    await scratch.close();
    fs.rmSync(path.dirname(scratch.dbPath), { recursive: true, force: true });
  }
}

async function apply(store: Store, source: RowSource, reseal: Resealer, type: 'full' | 'incremental', options: RestoreOptions): Promise<TableReport[]> {
  const totalRows = source.tables.reduce((sum, { rows }) => sum + rows, 0);
  let doneRows = 0;
  const reports: TableReport[] = [];
  const work = async (trx: Knex.Transaction): Promise<void> => {
    if (type === 'full' && options.mode === 'replace' && !options.dryRun) {
      if (isPostgres(trx)) await refuseReplacingOtherSites(trx, options.siteId);
      for (const { table } of [...source.tables].reverse()) await trx(table.name).delete();
    }
    const tombstones: Page[] = [];
    for (const { table } of source.tables) {
      const report: TableReport = { table: table.name, rows: 0, conflicts: 0, deleted: 0 };
      reports.push(report);
      const known = new Set(await tableColumns(trx, table.name));
      for await (const read of source.pages(table.name)) {
        const unknown = read.columns.filter((column) => !known.has(column));
        if (unknown.length > 0) throw new ArchiveFormatError(`table "${table.name}" in the archive has columns this store does not: ${unknown.join(', ')}`);
        const page = reseal(table.name, read);
        if (table.name === 'tombstones' && type === 'incremental') tombstones.push(page);
        report.rows += page.rows.length;
        doneRows += page.rows.length;
        const replacing = type === 'full' && options.mode === 'replace';
        if (options.dryRun || !replacing) report.conflicts += await countExisting(trx, table, page);
        const mode: InsertMode = type === 'incremental' ? 'merge' : replacing ? 'insert' : 'ignore';
        if (!options.dryRun) await insertPage(trx, table, page, mode);
        options.onProgress?.({ table: table.name, rows: report.rows, doneRows, totalRows });
        pauseForTest(doneRows);
      }
    }
    for (const page of tombstones) {
      const tableAt = page.columns.indexOf('table_name');
      const keyAt = page.columns.indexOf('row_key');
      for (const tombstone of page.rows) {
        const target = archivedTable(String(tombstone[tableAt]));
        const report = reports.find((candidate) => candidate.table === target?.name);
        if (!target || !report) continue;
        const where = trx(target.name).where(target.tombstoneKey, String(tombstone[keyAt]));
        report.deleted += Number(options.dryRun ? ((await where.clone().count({ n: '*' }).first()) as { n: number }).n : await where.delete());
      }
    }
    if (!options.dryRun && isPostgres(trx)) await advanceSequences(trx, source.tables.map(({ table }) => table));
    if (!options.dryRun) {
      await recordAudit(trx, {
        siteId: options.siteId, actor: options.actor, action: 'backup.restored', resource: 'store',
        after: { mode: options.mode, type, tables: reports.map(({ table, rows }) => ({ table, rows })) },
      });
    }
  };
  await store.knex.transaction(work);
  return reports;
}

/** A test kills the restore here (WALNUT_TEST_RESTORE_PAUSE_ROWS), mid-transaction, to prove nothing sticks. */
function pauseForTest(doneRows: number): void {
  const after = Number(process.env.WALNUT_TEST_RESTORE_PAUSE_ROWS ?? 0);
  if (after <= 0 || doneRows < after) return;
  process.stderr.write(`restore paused after ${doneRows} rows\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

async function countExisting(trx: Knex.Transaction, table: ArchivedTable, page: Page): Promise<number> {
  const at = table.key.map((column) => page.columns.indexOf(column));
  let found = 0;
  for (let index = 0; index < page.rows.length; index += LOOKUP_KEYS) {
    const chunk = page.rows.slice(index, index + LOOKUP_KEYS);
    const keys = chunk.map((row) => at.map((column) => row[column] as Knex.Value));
    const query = table.key.length === 1
      ? trx(table.name).whereIn(table.key[0]!, keys.map((key) => key[0]!))
      : trx(table.name).whereIn([...table.key], keys as Knex.Value[][]);
    found += Number(((await query.count({ n: '*' }).first()) as { n: number | string }).n);
  }
  return found;
}

function storeSource(knex: Knex, tables: RowSource['tables']): RowSource {
  return {
    tables,
    pages: async function* (name) {
      yield* tablePages(knex, archivedTable(name)!, await tableColumns(knex, name));
    },
  };
}

/** A scratch store at the archive's schema, holding its rows, then migrated to this build's schema. */
async function migratedCopy(source: RowSource, migrations: readonly string[]): Promise<Store> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walnut-restore-'));
  const scratch = await Store.open({
    settings: { dbPath: path.join(dir, 'scratch.db'), production: false, allowNetworkFs: false },
    env: { WALNUT_DB_KEY: randomBytes(32).toString('hex') }, migrate: false,
  });
  try {
    while ((await appliedMigrations(scratch.knex).catch(() => [])).length < migrations.length) {
      await scratch.knex.migrate.up(migrationConfig());
    }
    await scratch.knex.transaction(async (trx) => {
      for (const { table } of source.tables) {
        for await (const page of source.pages(table.name)) await insertPage(trx, table, page, 'insert');
      }
    });
    await migrateLatest(scratch.knex);
    return scratch;
  } catch (error) {
    await scratch.close();
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A fleet database holds other hubs' sites: replacing every row would delete theirs. */
async function refuseReplacingOtherSites(trx: Knex.Transaction, siteId: number): Promise<void> {
  const others = (await trx('sites').whereNot({ id: siteId }).pluck('name')) as string[];
  if (others.length === 0) return;
  throw new StoreError('RESTORE_WOULD_REPLACE_FLEET', `this PostgreSQL database also holds site(s) ${others.map((name) => `"${name}"`).join(', ')}: --replace would delete their rows. Restore with --preserve-existing, or into a database of its own (nothing was changed)`);
}
