import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { StoreLocationError } from '../errors';

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
}

/** Filesystem types whose locking SQLite cannot trust (shared over a network or a VM boundary). */
const NETWORK_FS_TYPES = new Set([
  'nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', 'ncpfs', '9p', 'afs', 'ceph', 'glusterfs', 'lustre',
  'gfs2', 'ocfs2', 'davfs', 'coda', 'vboxsf', 'vmhgfs', 'virtiofs',
]);
/** FUSE subtypes (`fuse.<name>`) that reach another machine. */
const NETWORK_FUSE_SUBTYPES = new Set([
  'sshfs', 's3fs', 'rclone', 'gcsfuse', 'glusterfs', 'davfs2', 'cephfs', 'juicefs', 'goofys',
  'curlftpfs', 'vmhgfs-fuse', 'smbnetfs', 'afpfs', 'lizardfs', 'moosefs', 'mfs', 'seaweedfs', 'blobfuse', 'blobfuse2',
]);

/** `\040` and friends: mountinfo escapes spaces, tabs, newlines and backslashes as octal. */
function unescapeOctal(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Parses /proc/self/mountinfo (proc(5)): mount point is field 5; fstype and source follow the " - " separator. */
export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const separator = line.indexOf(' - ');
    if (separator < 0) continue;
    const before = line.slice(0, separator).split(' ');
    const after = line.slice(separator + 3).split(' ');
    const mountPoint = before[4];
    const fsType = after[0];
    if (mountPoint === undefined || fsType === undefined) continue;
    entries.push({ mountPoint: unescapeOctal(mountPoint), fsType, source: unescapeOctal(after[1] ?? '') });
  }
  return entries;
}

/** The mount holding `target`: the last-mounted entry with the longest matching mount point. */
export function mountFor(target: string, mounts: MountEntry[]): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const mount of mounts) {
    const prefix = mount.mountPoint === '/' ? '/' : `${mount.mountPoint}/`;
    const inside = target === mount.mountPoint || target.startsWith(prefix);
    if (inside && (best === undefined || mount.mountPoint.length >= best.mountPoint.length)) best = mount;
  }
  return best;
}

export function isNetworkFilesystem(mount: MountEntry): boolean {
  if (NETWORK_FS_TYPES.has(mount.fsType)) return true;
  if (mount.fsType.startsWith('fuse.')) return NETWORK_FUSE_SUBTYPES.has(mount.fsType.slice(5));
  // Plain `fuse` mounts name their helper in the source, e.g. "sshfs#user@host:/dir".
  if (mount.fsType === 'fuse') return /^(sshfs|s3fs|rclone|curlftpfs)#|^[^/]+@[^:]+:/.test(mount.source);
  return false;
}

/** Refuses a database folder on a network filesystem unless the operator explicitly allowed it. */
export function assertLocalDisk(folder: string, allowNetworkFs: boolean, mountinfo?: string): void {
  if (allowNetworkFs) return;
  let text = mountinfo;
  if (text === undefined) {
    try {
      text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    } catch {
      return; // Not Linux: nothing to read, and nothing to refuse on.
    }
  }
  const mount = mountFor(fs.realpathSync(folder), parseMountinfo(text));
  if (mount !== undefined && isNetworkFilesystem(mount)) {
    throw new StoreLocationError(
      `the database folder ${folder} is on a network filesystem (${mount.fsType} at ${mount.mountPoint}); ` +
        'SQLite locking is unreliable there and the file can be corrupted. Move WALNUT_DATA_DIR/WALNUT_DB_PATH to a local disk, ' +
        'use PostgreSQL (DATABASE_URL), or set WALNUT_ALLOW_NETWORK_FS=true if you are sure',
    );
  }
}

/** Proves that two connections exclude each other in `folder` (broken on some FUSE and network mounts). */
export function assertLockingWorks(folder: string): void {
  const probe = path.join(folder, `.walnut-lockcheck-${process.pid}.db`);
  const first = new Database(probe, { timeout: 0 });
  const second = new Database(probe, { timeout: 0 });
  try {
    first.exec('BEGIN EXCLUSIVE');
    let excluded = false;
    try {
      second.exec('BEGIN EXCLUSIVE');
      second.exec('ROLLBACK');
    } catch (error) {
      excluded = (error as { code?: string }).code === 'SQLITE_BUSY';
    }
    first.exec('ROLLBACK');
    if (!excluded) {
      throw new StoreLocationError(`file locking does not work in ${folder}: two writers were not kept apart; put the database on a local disk`);
    }
  } finally {
    first.close();
    second.close();
    for (const suffix of ['', '-journal']) fs.rmSync(probe + suffix, { force: true });
  }
}

/**
 * Creates the folder 0700, or tightens one we own that others can read; a shared
 * folder such as /tmp (sticky bit) is left alone since the file itself is 0600.
 */
export function prepareFolder(folder: string): void {
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  const stat = fs.statSync(folder);
  const sticky = (stat.mode & 0o1000) !== 0;
  const owned = typeof process.getuid === 'function' && stat.uid === process.getuid();
  if ((stat.mode & 0o077) !== 0 && owned && !sticky) fs.chmodSync(folder, 0o700);
}

/** The database and its WAL/SHM/key companions readable by the owner only. */
export function restrictFiles(dbPath: string): void {
  for (const file of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`, `${dbPath}.key`, `${dbPath}.lock`]) {
    try {
      fs.chmodSync(file, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
