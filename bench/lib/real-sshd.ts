import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { sshFingerprint } from '../../src/actions/ssh-host-key';
import { freePort } from './stats';

export const SSHD_BIN = '/usr/sbin/sshd';

/**
 * A real OpenSSH sshd on a loopback port (PROTOCOLS.md §5.1), as root, with a
 * fresh host key and one authorized client key (for the tests and bench/actions).
 * Its "shutdown" command is a script that records the call and stops this sshd,
 * so the port goes dark as a host going down would.
 */
export interface RealSshd {
  host: string;
  port: number;
  dir: string;
  /** The client's OpenSSH private key (what `walnut secrets set` would store). */
  clientKey: string;
  /** A second key that is not authorized. */
  strangerKey: string;
  hostFingerprint: string;
  /** The command that records its call in `calls` and stops this sshd. */
  shutdownCommand: string;
  calls(): string[];
  running(): boolean;
  stop(): Promise<void>;
}

export function assertSshdInstalled(): void {
  if (!fs.existsSync(SSHD_BIN)) throw new Error(`${SSHD_BIN} is missing: npm test installs openssh-server (scripts/install-test-peers.sh)`);
}

function keygen(file: string): void {
  const result = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ssh-keygen failed: ${result.stderr}`);
}

export async function startRealSshd(options: { maxStartups?: number } = {}): Promise<RealSshd> {
  assertSshdInstalled();
  fs.mkdirSync('/run/sshd', { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walnut-sshd-'));
  const port = await freePort();
  keygen(path.join(dir, 'host_ed25519'));
  keygen(path.join(dir, 'client'));
  keygen(path.join(dir, 'stranger'));
  fs.copyFileSync(path.join(dir, 'client.pub'), path.join(dir, 'authorized_keys'));
  const pidFile = path.join(dir, 'sshd.pid');
  const callsFile = path.join(dir, 'calls');
  const script = path.join(dir, 'fake-shutdown');
  fs.writeFileSync(script, `#!/bin/sh\necho "shutdown $*" >> ${callsFile}\nkill "$(cat ${pidFile})"\n`, { mode: 0o755 });
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(config, [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${path.join(dir, 'host_ed25519')}`, `PidFile ${pidFile}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`, 'StrictModes no', 'PubkeyAuthentication yes',
    'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'PermitRootLogin prohibit-password',
    `MaxStartups ${options.maxStartups ?? 10}`, 'MaxSessions 100', '',
  ].join('\n'));
  const check = spawnSync(SSHD_BIN, ['-t', '-f', config], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`sshd -t: ${check.stderr}`);
  const child: ChildProcess = spawn(SSHD_BIN, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`sshd did not start: ${log}`)), 10_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`sshd exited (${code}): ${log}`)));
  });
  child.stderr!.resume();
  const hostBlob = Buffer.from(fs.readFileSync(path.join(dir, 'host_ed25519.pub'), 'utf8').split(' ')[1]!, 'base64');
  let exited = false;
  child.once('exit', () => (exited = true));
  return {
    host: '127.0.0.1', port, dir,
    clientKey: fs.readFileSync(path.join(dir, 'client'), 'utf8'),
    strangerKey: fs.readFileSync(path.join(dir, 'stranger'), 'utf8'),
    hostFingerprint: sshFingerprint(hostBlob),
    shutdownCommand: script,
    calls: () => (fs.existsSync(callsFile) ? fs.readFileSync(callsFile, 'utf8').trim().split('\n') : []),
    running: () => !exited,
    stop: async () => {
      if (!exited) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await gone;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
