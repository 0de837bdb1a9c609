/**
 * Writes an archive of a store: each table streamed page by page into its own
 * section (JSON lines → gzip → AES-256-GCM), so memory stays flat however
 * large a table is. Sections go to a scratch file first (the header, which
 * leads the archive, lists their checksums), then header and sections are
 * written to `<out>.partial`, flushed and renamed: a crash leaves no
 * half-written archive under the final name.
 */
import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Knex } from 'knex';
import { UsageError } from '../errors';
import type { Store } from '../store/store';
import { archiveKeys, encodeHeader, FORMAT_VERSION, sectionAad, type ArchiveHeader, type SectionEntry } from './format';
import { encodeLine, tableColumns, tablePages } from './table-rows';
import { ARCHIVED_TABLES, type ArchivedTable } from './tables';

export interface CreateOptions {
  out: string;
  hubVersion: string;
  site: string;
  type: 'full' | 'incremental';
  /** For incremental archives: the archive this one builds on. */
  base?: { id: string; createdAt: number };
  tables?: readonly string[];
  /** Wrap the data key with this passphrase instead of the master key (for restoring on another hub). */
  passphrase?: string;
  onProgress?: (progress: { table: string; rows: number; tableRows: number; doneRows: number; totalRows: number }) => void;
}

export interface CreatedArchive {
  path: string;
  header: ArchiveHeader;
  size: number;
  sha256: string;
}

export async function appliedMigrations(knex: Knex): Promise<string[]> {
  const rows = (await knex('knex_migrations').orderBy('id').select('name')) as Array<{ name: string }>;
  return rows.map((row) => row.name.replace(/\.(ts|js)$/, ''));
}

export function selectTables(names: readonly string[] | undefined): ArchivedTable[] {
  if (names === undefined) return [...ARCHIVED_TABLES];
  const known = new Set(ARCHIVED_TABLES.map((table) => table.name));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) throw new UsageError(`unknown table ${unknown.map((name) => `"${name}"`).join(', ')}: archives carry ${[...known].join(', ')}`);
  return ARCHIVED_TABLES.filter((table) => names.includes(table.name));
}

/**
 * All reads in one transaction: a consistent snapshot even while a hub writes (on SQLite its writes
 * wait until the reads are done; on PostgreSQL a read-only repeatable-read snapshot, other hubs go on).
 */
export async function createArchive(store: Store, options: CreateOptions): Promise<CreatedArchive> {
  // Taken before the snapshot: a row written in between is in this archive and, again, in the next incremental; none is lost.
  const createdAt = Date.now();
  const snapshot: Knex.TransactionConfig = store.isPostgres ? { isolationLevel: 'repeatable read', readOnly: true } : {};
  return store.knex.transaction((trx) => writeArchive(store, trx, options, createdAt), snapshot);
}

async function writeArchive(store: Store, knex: Knex.Transaction, options: CreateOptions, createdAt: number): Promise<CreatedArchive> {
  const id = randomUUID();
  const keys = archiveKeys(store.deriveKey('walnut/archive/v1'), id);
  const since = options.type === 'incremental' ? options.base?.createdAt : undefined;
  if (options.type === 'incremental' && since === undefined) throw new UsageError('an incremental archive needs the archive it builds on (--since ARCHIVE)');
  const tables: ArchivedTable[] = [];
  for (const table of selectTables(options.tables)) if (await knex.schema.hasTable(table.name)) tables.push(table);

  const counts = new Map<string, number>();
  for (const table of tables) {
    let query = knex(table.name).count({ n: '*' });
    if (since !== undefined) query = query.where(table.changedColumn, '>=', since);
    counts.set(table.name, Number(((await query.first()) as { n: number | string }).n));
  }
  const totalRows = [...counts.values()].reduce((sum, count) => sum + count, 0);

  fs.mkdirSync(path.dirname(options.out), { recursive: true, mode: 0o700 });
  const scratch = `${options.out}.sections`;
  const partial = `${options.out}.partial`;
  const sections: SectionEntry[] = [];
  try {
    const handle = await fs.promises.open(scratch, 'w', 0o600);
    let offset = 0;
    let doneRows = 0;
    try {
      for (const table of tables) {
        const columns = await tableColumns(knex, table.name);
        const nonce = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', keys.sections, nonce);
        cipher.setAAD(sectionAad(id, table.name));
        const hash = createHash('sha256');
        let rows = 0;
        let plainBytes = 0;
        let length = 0;
        const tableRows = counts.get(table.name) ?? 0;
        const lines = async function* (): AsyncGenerator<Buffer> {
          for await (const page of tablePages(knex, table, columns, since)) {
            const chunk = Buffer.from(`${page.rows.map(encodeLine).join('\n')}\n`, 'utf8');
            rows += page.rows.length;
            doneRows += page.rows.length;
            plainBytes += chunk.length;
            options.onProgress?.({ table: table.name, rows, tableRows, doneRows, totalRows });
            yield chunk;
          }
        };
        await pipeline(Readable.from(lines()), createGzip({ level: 6 }), cipher, async (encrypted: AsyncIterable<Buffer>) => {
          for await (const chunk of encrypted) {
            hash.update(chunk);
            length += chunk.length;
            await handle.write(chunk);
          }
        });
        sections.push({
          name: table.name, rows, columns, offset, length, sha256: hash.digest('hex'), plainBytes,
          nonce: nonce.toString('base64'), tag: cipher.getAuthTag().toString('base64'),
        });
        offset += length;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }

    const header: ArchiveHeader = {
      format: FORMAT_VERSION, id, createdAt, hubVersion: options.hubVersion, site: options.site,
      migrations: await appliedMigrations(knex), type: options.type,
      ...(options.base ? { base: options.base } : {}), ...(since === undefined ? {} : { since }),
      compression: 'gzip', cipher: 'aes-256-gcm', checksum: 'sha256',
      key: { ...store.wrapDataKey(options.passphrase), wrappedBy: options.passphrase === undefined ? 'master-key' : 'passphrase' },
      sections,
    };
    const fileHash = createHash('sha256');
    let size = 0;
    const out = fs.createWriteStream(partial, { mode: 0o600 });
    const whole = async function* (): AsyncGenerator<Buffer> {
      yield encodeHeader(header, keys.header);
      for await (const chunk of fs.createReadStream(scratch)) yield chunk as Buffer;
    };
    await pipeline(Readable.from(whole()), async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        fileHash.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    }, out);
    const written = await fs.promises.open(partial, 'r');
    await written.sync();
    await written.close();
    await fs.promises.rename(partial, options.out);
    return { path: options.out, header, size, sha256: fileHash.digest('hex') };
  } finally {
    await fs.promises.rm(scratch, { force: true });
    await fs.promises.rm(partial, { force: true });
  }
}
