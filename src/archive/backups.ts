/**
 * Backups as the operator sees them: made into the data folder's backups/
 * (or a given file), recorded in the `archives` table under the hub's site,
 * the last N kept (never an archive that a kept incremental builds on),
 * listed, verified, restored. A hub lists and prunes only its own site's
 * backups: on a fleet database the other hubs' files are not its to remove.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../errors';
import { Archive } from '../store/models';
import { ensureSite } from '../store/sites';
import type { Store } from '../store/store';
import { ArchiveReader } from './reader';
import { createArchive, type CreateOptions, type CreatedArchive } from './writer';

export interface BackupCreateOptions {
  backupsDir: string;
  hubVersion: string;
  site: string;
  type: 'full' | 'incremental';
  /** The archive an incremental one builds on. */
  since?: string;
  tables?: readonly string[];
  out?: string;
  passphrase?: string;
  /** Keep this many archives in the catalogue (older ones are deleted with their files). */
  keep?: number;
  onProgress?: CreateOptions['onProgress'];
}

export interface BackupCreated extends CreatedArchive {
  pruned: string[];
}

/** The master key of `store` or a passphrase: what opens archives this hub made, or another hub's. */
export const keySourceFor = (store: Store, passphrase?: string): { passphrase?: string; masterKey: Store['unwrapWithMasterKey'] } => ({
  ...(passphrase === undefined ? {} : { passphrase }),
  masterKey: (wrapped) => store.unwrapWithMasterKey(wrapped),
});

export async function createBackup(store: Store, options: BackupCreateOptions): Promise<BackupCreated> {
  let base: { id: string; createdAt: number; path: string } | undefined;
  if (options.type === 'incremental') {
    if (options.since === undefined) throw new UsageError('an incremental backup needs --since ARCHIVE (the archive it builds on)');
    const reader = await ArchiveReader.open(options.since, keySourceFor(store, options.passphrase));
    base = { id: reader.header.id, createdAt: reader.header.createdAt, path: path.resolve(options.since) };
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = path.resolve(options.out ?? path.join(options.backupsDir, `walnut-${options.site}-${stamp}-${options.type}.wnar`));
  const created = await createArchive(store, {
    out, hubVersion: options.hubVersion, site: options.site, type: options.type,
    ...(base ? { base: { id: base.id, createdAt: base.createdAt } } : {}),
    ...(options.tables ? { tables: options.tables } : {}),
    ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const site = await ensureSite(store.knex, options.site);
  const baseRow = base ? await siteArchives(store, site.id).findOne({ path: base.path }) : undefined;
  await Archive.query(store.knex).insert({
    site_id: site.id, path: out, type: options.type, base_archive_id: baseRow?.id ?? null, sha256: created.sha256, size_bytes: created.size,
    schema_version: created.header.migrations.at(-1) ?? '',
  });
  const pruned = options.keep === undefined ? [] : await prune(store, site.id, options.keep);
  return { ...created, pruned };
}

/** A site's catalogued archives, newest first. */
export const siteArchives = (store: Store, siteId: number) =>
  Archive.query(store.knex).where({ site_id: siteId }).orderBy('created_at', 'desc').orderBy('id', 'desc');

export async function listBackups(store: Store, site: string): Promise<Array<Archive & { present: boolean }>> {
  const rows = await siteArchives(store, (await ensureSite(store.knex, site)).id);
  return rows.map((row) => Object.assign(row, { present: fs.existsSync(row.path) }));
}

/** Deletes the site's catalogued archives beyond the newest `keep`, except the bases of kept incrementals. */
async function prune(store: Store, siteId: number, keep: number): Promise<string[]> {
  if (!Number.isInteger(keep) || keep < 1) throw new UsageError(`--keep must be a whole number of at least 1, got ${keep}`);
  const rows = await siteArchives(store, siteId);
  const kept = rows.slice(0, keep);
  const needed = new Set<number>();
  for (const newest of kept) {
    let row: Archive | undefined = newest;
    while (row?.base_archive_id) {
      const baseId: number = row.base_archive_id;
      needed.add(baseId);
      row = rows.find((candidate) => candidate.id === baseId);
    }
  }
  const pruned: string[] = [];
  for (const row of rows.slice(keep)) {
    if (needed.has(row.id)) continue;
    await fs.promises.rm(row.path, { force: true });
    await Archive.query(store.knex).deleteById(row.id);
    pruned.push(row.path);
  }
  return pruned;
}
