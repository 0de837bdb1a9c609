/** `walnut backup create | verify | restore | list`. */
import * as os from 'node:os';
import type { Command } from 'commander';
import { WALNUT_VERSION } from '../../settings';
import { createBackup, keySourceFor, listBackups } from '../archive/backups';
import { ArchiveReader } from '../archive/reader';
import { restoreArchive, type RestoreMode } from '../archive/restore';
import { UsageError } from '../errors';
import { ensureSite } from '../store/sites';
import { Store } from '../store/store';
import { cliSettings, formatBytes, type GlobalOptions, printJson, println } from './common';
import { readValueFile } from './hidden-input';
import { progressBar } from './progress';

type Globals = (command: Command) => GlobalOptions;

const actor = (): string => `cli:${os.userInfo().username}`;
const tableList = (value: string | undefined): string[] | undefined => value?.split(',').map((name) => name.trim()).filter(Boolean);
const passphraseFrom = (file: string | undefined): string | undefined => (file === undefined ? undefined : readValueFile(file));

interface CreateFlags { type?: string; since?: string; tables?: string; out?: string; passphraseFile?: string; keep?: string; json?: boolean }

async function create(options: GlobalOptions & CreateFlags): Promise<void> {
  const type = options.type ?? (options.since === undefined ? 'full' : 'incremental');
  if (type !== 'full' && type !== 'incremental') throw new UsageError(`--type must be full or incremental, got "${type}"`);
  const settings = cliSettings(options);
  const store = await Store.open({ settings });
  const progress = progressBar(!options.json);
  try {
    const passphrase = passphraseFrom(options.passphraseFile);
    const tables = tableList(options.tables);
    const created = await createBackup(store, {
      backupsDir: settings.backup.dir, hubVersion: WALNUT_VERSION, site: settings.site, type,
      keep: options.keep === undefined ? settings.backup.keep : Number(options.keep),
      ...(options.since === undefined ? {} : { since: options.since }),
      ...(tables ? { tables } : {}),
      ...(options.out === undefined ? {} : { out: options.out }),
      ...(passphrase === undefined ? {} : { passphrase }),
      onProgress: ({ table, doneRows, totalRows }) => progress.update(table, doneRows, totalRows),
    });
    progress.finish();
    const rows = created.header.sections.reduce((sum, section) => sum + section.rows, 0);
    if (options.json) return printJson({ path: created.path, id: created.header.id, type, size: created.size, sha256: created.sha256, rows, tables: created.header.sections.map(({ name, rows: count, sha256 }) => ({ name, rows: count, sha256 })), pruned: created.pruned });
    println(`${type} backup ${created.path}: ${rows} rows in ${created.header.sections.length} tables, ${formatBytes(created.size)}, sha256 ${created.sha256}`);
    for (const pruned of created.pruned) println(`removed old backup ${pruned}`);
  } finally {
    await store.close();
  }
}

async function verify(file: string, options: GlobalOptions & { passphraseFile?: string; json?: boolean }): Promise<void> {
  const store = await Store.open({ settings: cliSettings(options) });
  try {
    const reader = await ArchiveReader.open(file, keySourceFor(store, passphraseFrom(options.passphraseFile)));
    await reader.verify();
    const { header } = reader;
    if (options.json) return printJson({ ok: true, id: header.id, type: header.type, createdAt: new Date(header.createdAt).toISOString(), schema: header.migrations.at(-1), tables: header.sections.map(({ name, rows }) => ({ name, rows })) });
    println(`${file}: ok (${header.type}, ${new Date(header.createdAt).toISOString()}, schema ${header.migrations.at(-1) ?? '?'}; every section's sha256 and GCM tag checked)`);
    for (const section of header.sections) println(`  ${section.name.padEnd(16)} ${String(section.rows).padStart(10)} rows`);
  } finally {
    await store.close();
  }
}

interface RestoreFlags { dryRun?: boolean; tables?: string; preserveExisting?: boolean; replace?: boolean; passphraseFile?: string; json?: boolean }

async function restore(file: string, options: GlobalOptions & RestoreFlags): Promise<void> {
  if (options.preserveExisting && options.replace) throw new UsageError('give --preserve-existing or --replace, not both');
  const mode: RestoreMode = options.replace ? 'replace' : 'preserve-existing';
  const settings = cliSettings(options);
  // A real restore holds the store's lock: refused while a hub runs on it.
  const store = await Store.open({ settings, ...(options.dryRun ? {} : { lockAs: 'walnut backup restore' }) });
  const progress = progressBar(!options.json);
  try {
    const reader = await ArchiveReader.open(file, keySourceFor(store, passphraseFrom(options.passphraseFile)));
    const site = await ensureSite(store.knex, settings.site);
    const tables = tableList(options.tables);
    const report = await restoreArchive(store, reader, {
      mode, dryRun: options.dryRun === true, actor: actor(), siteId: site.id, ...(tables ? { tables } : {}),
      onProgress: ({ table, doneRows, totalRows }) => progress.update(table, doneRows, totalRows),
    });
    progress.finish();
    if (options.json) return printJson(report);
    println(`${options.dryRun ? 'dry run: would restore' : 'restored'} ${file} (${report.type}, ${mode}${report.migratedFrom ? `, migrated from schema ${report.migratedFrom}` : ''})`);
    println(`  ${'table'.padEnd(16)} ${'rows'.padStart(10)} ${'conflicts'.padStart(10)} ${'deleted'.padStart(8)}`);
    for (const table of report.tables) println(`  ${table.table.padEnd(16)} ${String(table.rows).padStart(10)} ${String(table.conflicts).padStart(10)} ${String(table.deleted).padStart(8)}`);
  } finally {
    await store.close();
  }
}

async function list(options: GlobalOptions & { json?: boolean }): Promise<void> {
  const settings = cliSettings(options);
  const store = await Store.open({ settings });
  try {
    const rows = await listBackups(store, settings.site);
    if (options.json) return printJson(rows.map((row) => ({ id: row.id, path: row.path, type: row.type, baseId: row.base_archive_id ?? null, size: Number(row.size_bytes), sha256: row.sha256, schema: row.schema_version, createdAt: new Date(Number(row.created_at)).toISOString(), present: row.present })));
    if (rows.length === 0) return println('no backups yet: walnut backup create');
    for (const row of rows) {
      println(`${new Date(Number(row.created_at)).toISOString()}  ${row.type.padEnd(11)} ${formatBytes(Number(row.size_bytes)).padStart(10)}  ${row.path}${row.present ? '' : '  (file missing)'}`);
    }
  } finally {
    await store.close();
  }
}

export function registerBackupCommands(program: Command, globals: Globals): void {
  const backup = program.command('backup').description('encrypted, checksummed backups of the store, and restore');
  backup.command('create')
    .description('write an archive of the store (full, or incremental on top of another)')
    .option('--type <type>', 'full or incremental (default: full, or incremental with --since)')
    .option('--since <archive>', 'the archive an incremental backup builds on')
    .option('--tables <list>', 'only these tables (comma-separated)')
    .option('--out <file>', 'where to write it (default: WALNUT_BACKUP_DIR)')
    .option('--passphrase-file <file>', 'wrap the data key with this passphrase instead of the master key (restorable on another hub)')
    .option('--keep <n>', 'keep the newest N backups (default WALNUT_BACKUP_KEEP)')
    .option('--json', 'machine-readable output (no progress bar)')
    .action((options: CreateFlags, command: Command) => create({ ...globals(command), ...options }));
  backup.command('verify')
    .description("check every section's sha256 and GCM tag; a damaged or changed archive names the section")
    .argument('<file>', 'the archive')
    .option('--passphrase-file <file>', 'for an archive made with a passphrase')
    .option('--json', 'machine-readable output')
    .action((file: string, options: { passphraseFile?: string; json?: boolean }, command: Command) => verify(file, { ...globals(command), ...options }));
  backup.command('restore')
    .description('restore an archive in one transaction (all or nothing); refused while a hub runs on the store')
    .argument('<file>', 'the archive')
    .option('--dry-run', 'print rows and conflicts per table, change nothing')
    .option('--tables <list>', 'only these tables (comma-separated)')
    .option('--preserve-existing', 'keep rows the store already has (the default)')
    .option('--replace', 'empty the restored tables first')
    .option('--passphrase-file <file>', 'for an archive made with a passphrase')
    .option('--json', 'machine-readable output (no progress bar)')
    .action((file: string, options: RestoreFlags, command: Command) => restore(file, { ...globals(command), ...options }));
  backup.command('list')
    .description('the backups this hub made, newest first')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }, command: Command) => list({ ...globals(command), ...options }));
}
