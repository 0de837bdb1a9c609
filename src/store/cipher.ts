import * as fs from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import { WrongKeyError } from '../errors';
import type { MasterKey } from './master-key';

export type SqliteDatabase = Database.Database;

/**
 * SQLCipher 4 page format (HMAC-SHA512, 4 KiB pages) with the 64,000 PBKDF2
 * iterations the seed asked for: stronger page authentication than SQLCipher 3's
 * HMAC-SHA1, at the cost of Debian's sqlcipher 3.4 tool not opening the file.
 */
export const CIPHER = {
  name: 'sqlcipher',
  legacy: 4,
  kdfIterations: 64000,
  hmac: 'HMAC-SHA512',
  pageSize: 4096,
  description: 'SQLCipher 4 format, AES-256-CBC, PBKDF2-HMAC-SHA512 64,000 iterations, HMAC-SHA512',
} as const;

const PLAINTEXT_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Cipher settings first, then the key: SQLite3MultipleCiphers reads them when the key is set. */
export function applyKey(db: SqliteDatabase, key: string): void {
  db.pragma(`cipher=${quote(CIPHER.name)}`);
  db.pragma(`legacy=${CIPHER.legacy}`);
  db.pragma(`kdf_iter=${CIPHER.kdfIterations}`);
  db.pragma(`key=${quote(key)}`);
}

export interface OpenOptions {
  readonly?: boolean;
  fileMustExist?: boolean;
  /** Skip switching to WAL (rekey needs the rollback journal). */
  journalMode?: 'WAL' | 'DELETE';
}

/**
 * Opens and keys one connection, proving the key with a read so a wrong key fails
 * here with our error rather than later as SQLite's bare "file is not a database".
 */
export function openEncrypted(dbPath: string, masterKey: MasterKey, options: OpenOptions = {}): SqliteDatabase {
  const db = new Database(dbPath, { readonly: options.readonly ?? false, fileMustExist: options.fileMustExist ?? false, timeout: 5000 });
  try {
    applyKey(db, masterKey.key);
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_NOTADB') throw new WrongKeyError(masterKey.source, dbPath);
    throw error;
  }
  applyConnectionPragmas(db, options);
  return db;
}

/** WAL, a 5 s busy timeout, foreign keys, and NORMAL sync (durable at each checkpoint, safe in WAL). */
export function applyConnectionPragmas(db: SqliteDatabase, options: OpenOptions = {}): void {
  if (!options.readonly) db.pragma(`journal_mode=${options.journalMode ?? 'WAL'}`);
  db.pragma('busy_timeout=5000');
  db.pragma('foreign_keys=ON');
  db.pragma('synchronous=NORMAL');
}

/** True when the first 16 bytes are SQLite's plaintext magic: the file is not encrypted. */
export function hasPlaintextHeader(dbPath: string): boolean {
  const fd = fs.openSync(dbPath, 'r');
  try {
    const header = Buffer.alloc(16);
    const read = fs.readSync(fd, header, 0, 16, 0);
    return read === 16 && header.equals(PLAINTEXT_HEADER);
  } finally {
    fs.closeSync(fd);
  }
}

/** The cipher settings as the open connection reports them (for health). */
export function readCipherSettings(db: SqliteDatabase): { cipher: string; legacy: number; kdfIterations: number } {
  const value = (pragma: string): unknown => db.pragma(pragma, { simple: true });
  return { cipher: String(value('cipher')), legacy: Number(value('legacy')), kdfIterations: Number(value('kdf_iter')) };
}
