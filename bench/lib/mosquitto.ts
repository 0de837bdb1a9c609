/**
 * Debian's mosquitto as a real external broker for tests and benchmarks: a
 * config of our own on a free loopback port, optional accounts (password file
 * made with mosquitto_passwd) and ACL, started in the foreground and killed by
 * the PID we spawned (DESIGN.md: no pid_file in a root-owned folder).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './stats';

export const MOSQUITTO_BIN = '/usr/sbin/mosquitto';

export interface RealMosquitto {
  port: number;
  url: string;
  pid: number;
  /** CPU seconds (user + system) mosquitto has used so far, from /proc. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export interface MosquittoOptions {
  /** Username → password; with none, anonymous clients are allowed. */
  users?: Record<string, string>;
  /** ACL file text (mosquitto's acl_file format). */
  acl?: string;
}

export function assertMosquittoInstalled(): void {
  if (!fs.existsSync(MOSQUITTO_BIN)) throw new Error(`${MOSQUITTO_BIN} is missing: run \`bash scripts/install-test-peers.sh\` (Debian package mosquitto)`);
}

function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 10_000;
    const attempt = (): void => {
      if (child.exitCode !== null) return reject(new Error(`mosquitto exited (${child.exitCode}): ${output()}`));
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) return reject(new Error(`mosquitto never listened on ${port}: ${output()}`));
        setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<RealMosquitto> {
  assertMosquittoInstalled();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walnut-mosquitto-'));
  const port = await freePort();
  const lines = [`listener ${port} 127.0.0.1`, 'set_tcp_nodelay true', 'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning', 'user root'];
  if (options.users) {
    const passwords = path.join(dir, 'passwords');
    fs.writeFileSync(passwords, '', { mode: 0o600 });
    for (const [user, password] of Object.entries(options.users)) {
      const made = spawnSync('mosquitto_passwd', ['-b', passwords, user, password], { encoding: 'utf8' });
      if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr}`);
    }
    lines.push('allow_anonymous false', `password_file ${passwords}`);
  } else {
    lines.push('allow_anonymous true');
  }
  if (options.acl !== undefined) {
    const acl = path.join(dir, 'acl');
    fs.writeFileSync(acl, options.acl, { mode: 0o600 });
    lines.push(`acl_file ${acl}`);
  }
  const config = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(config, `${lines.join('\n')}\n`);
  const child = spawn(MOSQUITTO_BIN, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitForPort(port, child, () => output);
  const pid = child.pid!;
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    pid,
    cpuSeconds: () => {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      // utime and stime are fields 14 and 15 of stat; after "pid (comm) " they are at 11 and 12.
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGKILL');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
