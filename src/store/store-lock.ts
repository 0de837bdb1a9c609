import Database from 'better-sqlite3-multiple-ciphers';
import { StoreBusyError } from '../errors';

export interface StoreLock {
  release(): void;
}

interface Holder {
  pid: number;
  holder: string;
  since: number;
}

/**
 * One owner at a time per database file: the hub, or a maintenance command such
 * as rekey or reset. The lock is a RESERVED lock on a small SQLite file beside
 * the database: the OS drops it when the process dies (no stale lock after a
 * crash), and other processes can still read who holds it.
 */
export function acquireStoreLock(dbPath: string, holder: string): StoreLock {
  const lockPath = `${dbPath}.lock`;
  const db = new Database(lockPath, { timeout: 0 });
  try {
    db.pragma('journal_mode=DELETE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER, holder TEXT, since INTEGER)');
    // Written before the lock is taken, so contenders read a committed holder row.
    db.prepare('INSERT OR REPLACE INTO holder (id, pid, holder, since) VALUES (1, ?, ?, ?)').run(process.pid, holder, Date.now());
    db.exec('BEGIN IMMEDIATE');
  } catch (error) {
    const current = readHolder(db);
    db.close();
    if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
    const who = current ? `${current.holder} (pid ${current.pid}, since ${new Date(current.since).toISOString()})` : 'another walNUT process';
    throw new StoreBusyError(`${dbPath} is in use by ${who}; stop it first, or point WALNUT_DB_PATH at another database`);
  }
  return {
    release: () => {
      if (!db.open) return;
      db.exec('ROLLBACK');
      db.close();
    },
  };
}

function readHolder(db: Database.Database): Holder | undefined {
  try {
    return db.prepare('SELECT pid, holder, since FROM holder WHERE id = 1').get() as Holder | undefined;
  } catch {
    return undefined;
  }
}
