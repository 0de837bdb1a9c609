/**
 * The Node-RED editor's users: names and bcrypt hashes in the `users` table.
 * Passwords and hashes never leave this file: not in messages, logs, audit
 * rows or listings.
 */
import bcrypt from 'bcryptjs';
import type { Knex } from 'knex';
import { UsageError } from '../errors';
import { recordAudit } from './audit';
import { User } from './models';
import { deleteWithTombstones } from './tombstones';

/** bcrypt cost: 2^12 rounds, about 0.3 s per hash here. */
export const BCRYPT_COST = 12;
export const MIN_PASSWORD_LENGTH = 10;
/** bcrypt reads only the first 72 bytes of a password; longer ones are refused rather than silently cut. */
export const MAX_PASSWORD_BYTES = 72;

const USERNAME_PATTERN = /^[A-Za-z0-9_.@-]{1,64}$/;

/** What Node-RED's adminAuth expects of a user: every editor user is an admin for now. */
export interface EditorUser {
  username: string;
  permissions: '*';
}

export interface UserListing {
  username: string;
  role: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Refuses a bad username before anything is read or hashed. The name is safe to echo: it is not secret. */
export function assertUsername(username: string): void {
  if (!USERNAME_PATTERN.test(username)) {
    throw new UsageError(`"${username}" is not a valid username: 1-64 letters, digits, '_', '.', '@' or '-'`);
  }
}

/** Refuses a password that is too short or too long. Says why, never what. */
export function assertPassword(password: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) throw new UsageError(`the password is too short: use at least ${MIN_PASSWORD_LENGTH} characters`);
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    throw new UsageError(`the password is too long: bcrypt uses only the first ${MAX_PASSWORD_BYTES} bytes, so use at most ${MAX_PASSWORD_BYTES} bytes`);
  }
}

const resource = (username: string): string => `user/${username}`;
const publicView = (user: Pick<User, 'username' | 'role'>): { username: string; role: string } => ({ username: user.username, role: user.role });

/** Adds an editor user (role admin). Refuses a name that exists, even with other letter case. */
export async function addUser(knex: Knex, username: string, password: string, actor: string, siteId: number): Promise<void> {
  assertUsername(username);
  assertPassword(password);
  // Hash before the transaction: the SQLite pool has one connection, never hold it for 0.3 s of bcrypt.
  const passwordHash = await bcrypt.hash(password, BCRYPT_COST);
  await knex.transaction(async (trx) => {
    const clash = await User.query(trx).whereRaw('lower(username) = ?', [username.toLowerCase()]).first();
    if (clash) {
      throw new UsageError(clash.username === username ? `user "${username}" already exists` : `user "${clash.username}" already exists (names differ only in letter case)`);
    }
    const user = await User.query(trx).insert({ username, password_hash: passwordHash, role: 'admin' });
    await recordAudit(trx, { siteId, actor, action: 'user.added', resource: resource(username), after: publicView(user) });
  });
}

/** Sets a new password for an existing user. */
export async function setPassword(knex: Knex, username: string, password: string, actor: string, siteId: number): Promise<void> {
  assertUsername(username);
  assertPassword(password);
  if (!(await User.query(knex).findOne({ username }))) throw new UsageError(`no user named "${username}"`);
  const passwordHash = await bcrypt.hash(password, BCRYPT_COST);
  await knex.transaction(async (trx) => {
    const user = await User.query(trx).findOne({ username });
    if (!user) throw new UsageError(`no user named "${username}"`);
    await User.query(trx).patch({ password_hash: passwordHash }).where({ id: user.id });
    await recordAudit(trx, {
      siteId, actor, action: 'user.password.changed', resource: resource(username),
      before: publicView(user), after: { ...publicView(user), passwordChanged: true },
    });
  });
}

/** Removes a user (a tombstone records it for incremental backups). Removing the last one is allowed: the caller warns. */
export async function removeUser(knex: Knex, username: string, actor: string, siteId: number): Promise<void> {
  await knex.transaction(async (trx) => {
    const user = await User.query(trx).findOne({ username });
    if (!user) throw new UsageError(`no user named "${username}"`);
    await deleteWithTombstones(trx, 'users', { id: user.id });
    await recordAudit(trx, { siteId, actor, action: 'user.removed', resource: resource(username), before: publicView(user) });
  });
}

/** Names, roles and dates, sorted by name; never a hash. */
export async function listUsers(knex: Knex): Promise<UserListing[]> {
  const rows = await User.query(knex).select('username', 'role', 'created_at', 'updated_at').orderBy('username');
  return rows.map((row) => ({ username: row.username, role: row.role, createdAt: new Date(Number(row.created_at)), updatedAt: new Date(Number(row.updated_at)) }));
}

export async function countUsers(knex: Knex): Promise<number> {
  const row = (await knex('users').count({ count: '*' }).first()) as { count: number | string } | undefined;
  return Number(row?.count ?? 0);
}

/** The editor user of that name, if it exists and its role may use the editor. */
export async function findEditorUser(knex: Knex, username: string): Promise<EditorUser | null> {
  if (typeof username !== 'string' || !USERNAME_PATTERN.test(username)) return null;
  const user = await User.query(knex).select('username', 'role').findOne({ username });
  return user ? editorUser(user) : null;
}

// Compared against when the user does not exist, so a wrong name costs as long as a wrong password.
let dummyHash: Promise<string> | undefined;

/** The user when the password is right, else null (unknown name, wrong or oversized password alike). */
export async function checkPassword(knex: Knex, username: string, password: string): Promise<EditorUser | null> {
  if (typeof username !== 'string' || typeof password !== 'string') return null;
  const user = USERNAME_PATTERN.test(username) ? await User.query(knex).findOne({ username }) : undefined;
  if (!user) {
    dummyHash ??= bcrypt.hash('walnut-no-such-user', BCRYPT_COST);
    await bcrypt.compare(password, await dummyHash);
    return null;
  }
  // bcrypt would compare only the first 72 bytes: a longer candidate can never be the stored password.
  if (password.length === 0 || Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return null;
  const ok = await bcrypt.compare(password, user.password_hash);
  return ok ? editorUser(user) : null;
}

/** Only admins exist today; an unknown role gets no access (fails closed). */
function editorUser(user: Pick<User, 'username' | 'role'>): EditorUser | null {
  return user.role === 'admin' ? { username: user.username, permissions: '*' } : null;
}
