import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { MasterKeyError } from '../errors';

/** The key that opens the SQLCipher file, and where it came from (named in every key error). */
export interface MasterKey {
  readonly key: string;
  readonly source: string;
}

export interface MasterKeyOptions {
  env: Record<string, string | undefined>;
  dbPath: string;
  production: boolean;
  /** Docker/Podman secret path; injectable for tests. */
  dockerSecretPath?: string;
}

export const MIN_KEY_LENGTH = 32;
export const DOCKER_SECRET_PATH = '/run/secrets/walnut_db_key';

/** The key file the hub writes on its very first start, beside the database it opens. */
export function generatedKeyPath(dbPath: string): string {
  return `${dbPath}.key`;
}

function checked(key: string, source: string): MasterKey {
  if (key.length < MIN_KEY_LENGTH) {
    throw new MasterKeyError(`the key from ${source} is ${key.length} characters; a master key needs at least ${MIN_KEY_LENGTH}`);
  }
  return { key, source };
}

function readKeyFile(file: string, source: string): MasterKey {
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new MasterKeyError(`cannot read the key from ${source} (${reason})`);
  }
  // Files written by editors and `echo` end with a newline that is not part of the key.
  return checked(content.replace(/\r?\n$/, ''), source);
}

function databaseExists(dbPath: string): boolean {
  try {
    return fs.statSync(dbPath).size > 0;
  } catch {
    return false;
  }
}

/**
 * Resolves the master key in DESIGN.md's order: WALNUT_DB_KEY, WALNUT_DB_KEY_FILE,
 * /run/secrets/walnut_db_key, WALNUT_DB_KEY_DEV (not in production), then the
 * generated key file. The generated file is created only for a database that does
 * not exist yet, so a lost key is reported, never silently replaced.
 */
export function resolveMasterKey(options: MasterKeyOptions): MasterKey {
  const { env } = options;
  const direct = env.WALNUT_DB_KEY;
  if (direct !== undefined && direct !== '') return checked(direct, 'WALNUT_DB_KEY');

  const keyFile = env.WALNUT_DB_KEY_FILE;
  if (keyFile !== undefined && keyFile !== '') return readKeyFile(keyFile, `WALNUT_DB_KEY_FILE (${keyFile})`);

  const dockerSecret = options.dockerSecretPath ?? DOCKER_SECRET_PATH;
  if (fs.existsSync(dockerSecret)) return readKeyFile(dockerSecret, dockerSecret);

  const dev = env.WALNUT_DB_KEY_DEV;
  if (dev !== undefined && dev !== '' && !options.production) return checked(dev, 'WALNUT_DB_KEY_DEV');

  const generated = generatedKeyPath(options.dbPath);
  const source = `the generated key file ${generated}`;
  if (fs.existsSync(generated)) return readKeyFile(generated, source);
  if (databaseExists(options.dbPath)) {
    throw new MasterKeyError(
      `no master key for the existing database ${options.dbPath}: set WALNUT_DB_KEY or WALNUT_DB_KEY_FILE, ` +
        `or put its key back in ${generated}`,
    );
  }
  const key = randomBytes(32).toString('base64url');
  fs.writeFileSync(generated, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { key, source };
}
