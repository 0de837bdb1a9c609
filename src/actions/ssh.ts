/**
 * SSH shutdown (PROTOCOLS.md §5): key authentication with the key from the
 * secret store, the host key pinned by its SHA256 fingerprint (an unknown key
 * is refused before anything is sent), then the command. The connection
 * dropping after the command was sent counts as "shutdown started"; it is
 * verified when the host stops answering on its SSH port.
 */
import * as net from 'node:net';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import {
  ActionFailedError, ActionTimeoutError, HostKeyError, TargetAuthError, TargetConfigError, TargetUnreachableError, type ActionError,
} from '../errors';
import type { Op, SshTarget } from '../policy/spec';
import { pause, withTimeout, type ActContext, type ActResult, type Driver, type ProbeResult, type SecretResolver } from './driver';
import { sameFingerprint, sshFingerprint } from './ssh-host-key';

export const DEFAULT_SSH_COMMAND = 'sudo -n shutdown -h +0';

export interface SshDeps {
  secret: SecretResolver;
  /** The fingerprint `walnut targets trust` recorded, when the YAML gives none. */
  trustedFingerprint(): Promise<string | undefined>;
}

export class SshDriver implements Driver {
  private readonly port: number;

  constructor(readonly target: string, private readonly spec: SshTarget, private readonly deps: SshDeps) {
    this.port = spec.port ?? 22;
  }

  private get where(): string {
    return `ssh ${this.target} (${this.spec.user}@${this.spec.host}:${this.port})`;
  }

  async probe(context: Omit<ActContext, 'force'>): Promise<ProbeResult> {
    try {
      const client = await this.connect(context.timeoutMs, context.signal);
      client.end();
      return { reachable: true, authenticated: true, state: 'on', detail: `${this.where}: logged in` };
    } catch (error) {
      if (error instanceof TargetUnreachableError) return { reachable: false, authenticated: false, state: 'unknown', detail: error.message };
      if (error instanceof TargetAuthError) return { reachable: true, authenticated: false, state: 'on', detail: error.message };
      throw error;
    }
  }

  async act(op: Op, context: ActContext): Promise<ActResult> {
    if (op !== 'shutdown') throw new TargetConfigError(`${this.where}: an ssh target can only shutdown, not ${op}`);
    const started = Date.now();
    const client = await this.connect(context.timeoutMs, context.signal);
    const left = Math.max(1, context.timeoutMs - (Date.now() - started));
    try {
      return await withTimeout(this.run(client, this.spec.command ?? DEFAULT_SSH_COMMAND), left,
        () => new ActionTimeoutError(`${this.where}: the command did not finish or drop the connection within ${context.timeoutMs} ms`), context.signal);
    } finally {
      client.end();
    }
  }

  /** Down once its SSH port stops accepting connections. */
  async verify(op: Op, context: Omit<ActContext, 'force'>): Promise<boolean> {
    if (op !== 'shutdown') return false;
    const deadline = Date.now() + context.timeoutMs;
    while (Date.now() < deadline) {
      if (!(await portAnswers(this.spec.host, this.port, Math.min(1000, Math.max(1, deadline - Date.now()))))) return true;
      await pause(Math.min(500, Math.max(0, deadline - Date.now())), context.signal);
    }
    return false;
  }

  private async connect(timeoutMs: number, signal: AbortSignal): Promise<Client> {
    const expected = this.spec.host_key_fingerprint ?? (await this.deps.trustedFingerprint());
    if (expected === undefined) {
      throw new HostKeyError(`${this.where}: no trusted host key; check it and run \`walnut targets trust ${this.target}\`, or write host_key_fingerprint in the rules`);
    }
    const privateKey = await this.deps.secret(this.spec.key.secretRef);
    let seen: string | undefined;
    const client = new Client();
    const config: ConnectConfig = {
      host: this.spec.host, port: this.port, username: this.spec.user, privateKey,
      readyTimeout: Math.max(1000, timeoutMs), keepaliveInterval: 1000, keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => {
        seen = sshFingerprint(key);
        return sameFingerprint(seen, expected);
      },
    };
    return new Promise<Client>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void): void => {
        signal.removeEventListener('abort', onAbort);
        if (settled) return;
        settled = true;
        outcome();
      };
      const onAbort = (): void => settle(() => {
        client.end();
        reject(new ActionTimeoutError(`${this.where}: cancelled or out of time`));
      });
      signal.addEventListener('abort', onAbort, { once: true });
      client.once('ready', () => settle(() => resolve(client)));
      // Kept for the connection's whole life: ssh2 may report a second error while closing.
      client.on('error', (error: Error & { level?: string; code?: string }) => settle(() => {
        client.end();
        reject(this.classify(error, seen, expected));
      }));
      client.connect(config);
    });
  }

  private classify(error: Error & { level?: string; code?: string }, seen: string | undefined, expected: string): ActionError {
    if (seen !== undefined && !sameFingerprint(seen, expected)) {
      return new HostKeyError(`${this.where}: host key ${seen} is not the trusted ${expected}; nothing was sent (if the host was reinstalled, check and run \`walnut targets trust ${this.target}\`)`);
    }
    if (error.level === 'client-authentication') {
      return new TargetAuthError(`${this.where}: the key in secret "${this.spec.key.secretRef}" was not accepted (is its .pub in ${this.spec.user}'s authorized_keys?)`);
    }
    if (error.message.includes('privateKey') || error.message.includes('Cannot parse')) {
      return new TargetConfigError(`${this.where}: secret "${this.spec.key.secretRef}" does not hold a usable private key (OpenSSH format, no passphrase)`);
    }
    return new TargetUnreachableError(`${this.where}: ${error.code ?? error.level ?? 'error'}: ${error.message}`, { cause: error });
  }

  private run(client: Client, command: string): Promise<ActResult> {
    return new Promise((resolve, reject) => {
      client.exec(command, (error, stream: ClientChannel) => {
        if (error) return reject(new TargetUnreachableError(`${this.where}: could not start the command: ${error.message}`, { cause: error }));
        let stderr = '';
        let exit: { code: number | undefined } | undefined;
        stream.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
        stream.on('data', () => undefined);
        stream.on('exit', (code: number | undefined) => (exit = { code }));
        stream.on('close', () => {
          if (!exit) return resolve({ detail: 'shutdown started (the connection dropped after the command was sent)' });
          if (exit.code === 0) return resolve({ detail: 'shutdown started (exit 0)' });
          const reason = stderr.trim().split('\n')[0] ?? '';
          reject(new ActionFailedError(`${this.where}: \`${command}\` exited with ${exit.code ?? 'a signal'}${reason ? `: ${reason}` : ''}`));
        });
      });
    });
  }
}

/** Does something accept TCP connections there (within `timeoutMs`)? */
export function portAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (answered: boolean): void => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The host key a server presents, for `walnut targets trust` (the handshake stops there: nothing is sent). */
export function fetchHostKey(host: string, port: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let key: Buffer | undefined;
    client.on('error', (error: Error & { code?: string }) => {
      client.end();
      if (key) resolve(key);
      else reject(new TargetUnreachableError(`ssh ${host}:${port}: ${error.code ?? ''} ${error.message}`.trim(), { cause: error }));
    });
    client.connect({
      host, port, username: 'walnut-trust', readyTimeout: timeoutMs,
      hostVerifier: (blob: Buffer) => {
        key = blob;
        return false;
      },
    });
  });
}
