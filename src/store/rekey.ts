import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RekeyError, UsageError } from '../errors';
import { openEncrypted, type SqliteDatabase } from './cipher';
import { unwrapDataKey, wrapDataKey, type WrappedDataKey } from './data-key';
import { generatedKeyPath, type MasterKey, MIN_KEY_LENGTH } from './master-key';
import { acquireStoreLock } from './store-lock';

/** The steps at which a test may pause a rekey (WALNUT_TEST_REKEY_PAUSE) to kill it there. */
export const REKEY_STEPS = ['locked', 'copied', 'rekeyed', 'staged', 'swapped', 'done'] as const;
export type RekeyStep = (typeof REKEY_STEPS)[number];

export interface RekeyResult {
  dbPath: string;
  oldKeySource: string;
  newKeySource: string;
  /** True when the generated key file beside the database now holds the new key. */
  keyFileUpdated: boolean;
  dataKeyVersions: number[];
}

const tempPath = (dbPath: string): string => `${dbPath}.rekey-tmp`;
const stagedKeyPath = (dbPath: string): string => `${generatedKeyPath(dbPath)}.new`;

function pauseForTest(step: RekeyStep): void {
  if (process.env.WALNUT_TEST_REKEY_PAUSE !== step) return;
  process.stderr.write(`rekey paused at ${step}\n`);
  // Block this thread for good: the test kills the process here.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

/** `cli:<os user>`, as the CLI names its actors (a uid without a passwd entry by its number). */
export function osActor(): string {
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    return `cli:uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

/** The audit row of a rekey: where the keys came from, never a key. Raw SQL: the copy is open through the driver, not knex. */
function auditRekey(db: SqliteDatabase, actor: string, before: object, after: object): void {
  const sites = db.prepare('SELECT id FROM sites').all() as Array<{ id: number }>;
  const now = Date.now();
  db.prepare('INSERT INTO audit_logs (site_id, ts, actor, action, resource, before, after, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(sites.length === 1 ? sites[0]?.id : null, now, actor, 'store.rekeyed', 'store/master-key', JSON.stringify(before), JSON.stringify(after), now, now);
}

/** Flushes a file's data, or a folder's entries after a rename, to disk (Linux accepts fsync on a read-only descriptor). */
function fsyncPath(target: string): void {
  const fd = fs.openSync(target, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function readNewKey(file: string): MasterKey {
  const source = `the new key file ${file}`;
  let key: string;
  try {
    key = fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new UsageError(`cannot read ${source} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if (key.length < MIN_KEY_LENGTH) throw new UsageError(`the key from ${source} is ${key.length} characters; a master key needs at least ${MIN_KEY_LENGTH}`);
  return { key, source };
}

function rewrapDataKeys(db: SqliteDatabase, oldKey: string, newKey: string): number[] {
  const rows = db.prepare('SELECT version, kdf, salt, wrapped FROM data_keys ORDER BY version').all() as WrappedDataKey[];
  const update = db.prepare('UPDATE data_keys SET kdf = ?, salt = ?, wrapped = ?, updated_at = ? WHERE version = ?');
  db.transaction(() => {
    for (const row of rows) {
      const rewrapped = wrapDataKey(unwrapDataKey(row, oldKey), newKey, row.version);
      update.run(rewrapped.kdf, rewrapped.salt, rewrapped.wrapped, Date.now(), row.version);
    }
  })();
  return rows.map((row) => row.version);
}

/**
 * Rotates the master key without a moment where no key opens the database:
 * the live file is frozen (rollback journal, write lock held) and copied; the
 * copy gets the data key re-wrapped and the new file key, is proven to open,
 * and only then replaces the live file with one atomic rename. Killed before
 * the rename, the old key opens the old file; after it, the new key opens the
 * new one. A generated key file is updated through a staged `.key.new` that
 * the next open promotes or discards (recoverInterruptedRekey).
 */
export function rekeyDatabase(dbPath: string, oldKey: MasterKey, newKey: MasterKey, actor = osActor()): RekeyResult {
  if (newKey.key === oldKey.key) throw new UsageError('the new key is the same as the current one');
  const lock = acquireStoreLock(dbPath, 'walnut-db rekey');
  const temp = tempPath(dbPath);
  let live: SqliteDatabase | undefined;
  try {
    pauseForTest('locked');
    // DELETE journal mode folds the WAL into the file; the held write lock keeps it frozen while it is copied.
    live = openEncrypted(dbPath, oldKey, { fileMustExist: true, journalMode: 'DELETE' });
    live.exec('BEGIN IMMEDIATE');
    fs.copyFileSync(dbPath, temp);
    fsyncPath(temp);
    pauseForTest('copied');

    const copy = openEncrypted(temp, oldKey, { fileMustExist: true, journalMode: 'DELETE' });
    let dataKeyVersions: number[];
    try {
      dataKeyVersions = rewrapDataKeys(copy, oldKey.key, newKey.key);
      // Written into the copy, so the row exists exactly when the rekey took effect.
      auditRekey(copy, actor, { keySource: oldKey.source }, { keySource: newKey.source, dataKeyVersions });
      copy.pragma(`rekey='${newKey.key.replace(/'/g, "''")}'`);
    } finally {
      copy.close();
    }
    // Proves the new key and puts the copy back in WAL mode; closing removes its -wal and -shm.
    openEncrypted(temp, newKey, { fileMustExist: true }).close();
    pauseForTest('rekeyed');

    const keyFileUpdated = oldKey.source.startsWith('the generated key file');
    if (keyFileUpdated) {
      fs.writeFileSync(stagedKeyPath(dbPath), `${newKey.key}\n`, { mode: 0o600 });
      fsyncPath(stagedKeyPath(dbPath));
    }
    pauseForTest('staged');

    for (const suffix of ['-wal', '-shm']) fs.rmSync(`${dbPath}${suffix}`, { force: true });
    fs.renameSync(temp, dbPath);
    fsyncPath(path.dirname(dbPath));
    pauseForTest('swapped');

    if (keyFileUpdated) {
      fs.renameSync(stagedKeyPath(dbPath), generatedKeyPath(dbPath));
      fsyncPath(path.dirname(dbPath));
    }
    pauseForTest('done');
    return { dbPath, oldKeySource: oldKey.source, newKeySource: newKey.source, keyFileUpdated, dataKeyVersions };
  } catch (error) {
    fs.rmSync(temp, { force: true });
    if (error instanceof UsageError) throw error;
    throw new RekeyError(`rekey of ${dbPath} failed before the switch; the old key from ${oldKey.source} still opens it: ${(error as Error).message}`, { cause: error });
  } finally {
    // The live handle may now point at the replaced file: rolling back touches nothing.
    if (live?.open) {
      if (live.inTransaction) live.exec('ROLLBACK');
      live.close();
    }
    lock.release();
  }
}

/**
 * Finishes or discards a rekey that was killed: a leftover copy is removed, and a
 * staged key file is promoted if its key opens the database (the swap happened),
 * otherwise removed. Runs only while nobody else holds the store.
 */
export function recoverInterruptedRekey(dbPath: string, holdsLock: boolean): void {
  const staged = stagedKeyPath(dbPath);
  const temp = tempPath(dbPath);
  if (!fs.existsSync(staged) && !fs.existsSync(temp)) return;
  let lock;
  if (!holdsLock) {
    try {
      lock = acquireStoreLock(dbPath, 'rekey recovery');
    } catch {
      return; // A rekey or hub is running: what looks interrupted is in progress.
    }
  }
  try {
    fs.rmSync(temp, { force: true });
    if (!fs.existsSync(staged)) return;
    const stagedKey = fs.readFileSync(staged, 'utf8').replace(/\r?\n$/, '');
    let opens = false;
    try {
      openEncrypted(dbPath, { key: stagedKey, source: staged }, { fileMustExist: true, readonly: true }).close();
      opens = true;
    } catch {
      opens = false;
    }
    if (opens) fs.renameSync(staged, generatedKeyPath(dbPath));
    else fs.rmSync(staged);
  } finally {
    lock?.release();
  }
}
