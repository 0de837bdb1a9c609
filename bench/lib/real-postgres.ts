import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from './stats';

/**
 * A real PostgreSQL (Debian's postgresql package) for the fleet-store tests and bench:
 * initdb and the server refuse to run as root, so its folder belongs to
 * `postgres` and both run through `runuser` (DESIGN.md traps). It listens on
 * loopback only; each caller gets a database of its own.
 */
export interface RealPostgres {
  port: number;
  /** The server's admin URL (superuser `postgres`). */
  adminUrl: string;
  /** A fresh, empty database owned by the `walnut` login; its URL carries the password. */
  createDatabase(): string;
  stop(): Promise<void>;
}

export const PG_PASSWORD = 'walnut-pg-test-password';
const PG_USER = 'walnut';

/** The newest installed server's bin folder (/usr/lib/postgresql/<major>/bin). */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((entry) => fs.existsSync(path.join(root, entry, 'bin', 'postgres'))) : [];
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) throw new Error('no PostgreSQL server under /usr/lib/postgresql: the test command installs Debian\'s postgresql (scripts/install-test-peers.sh)');
  return path.join(root, newest, 'bin');
}

function asPostgres(command: string, args: string[]): void {
  const result = spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${path.basename(command)} ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}`);
}

function waitForReady(child: ChildProcess, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`postgres did not start in 30 s:\n${output()}`)), 30_000);
    const check = (): void => {
      if (!/database system is ready to accept connections/.test(output())) return;
      clearTimeout(timer);
      resolve();
    };
    child.stderr?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`postgres exited (${code}) before it was ready:\n${output()}`));
    });
  });
}

/**
 * Starts a server in `dir` (a fresh folder: the caller removes it after stop()).
 * Tests run it without fsync (speed, nothing to keep); the benchmark with the server's defaults.
 */
export async function startPostgres(dir: string, options: { fsync?: boolean } = {}): Promise<RealPostgres> {
  const bin = postgresBinDir();
  const data = path.join(dir, 'data');
  fs.chmodSync(dir, 0o755);
  fs.mkdirSync(data, { mode: 0o700 });
  spawnSync('chown', ['-R', 'postgres:postgres', dir]);
  asPostgres(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-instructions']);
  const port = await freePort();
  const child = spawn('runuser', ['-u', 'postgres', '--', path.join(bin, 'postgres'), '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', `fsync=${options.fsync === true ? 'on' : 'off'}`, '-c', 'max_connections=200'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitForReady(child, () => output);
  const psql = (sql: string): void => asPostgres(path.join(bin, 'psql'), ['-h', dir, '-p', String(port), '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qc', sql]);
  psql(`CREATE ROLE ${PG_USER} LOGIN PASSWORD '${PG_PASSWORD}'`);
  let databases = 0;
  return {
    port,
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    createDatabase(): string {
      databases += 1;
      const name = `walnut_${process.pid}_${databases}`;
      psql(`CREATE DATABASE ${name} OWNER ${PG_USER}`);
      return `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/${name}`;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        // SIGINT to the postmaster itself (runuser does not pass it on): fast shutdown, open sessions ended.
        const postmasterPid = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
        process.kill(postmasterPid, 'SIGINT');
      }),
  };
}

