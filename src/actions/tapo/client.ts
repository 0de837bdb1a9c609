/**
 * A Tapo plug (PROTOCOLS.md §3): picks the transport with `component_nego`
 * (1003 → KLAP, else securePassthrough), keeps one session, re-handshakes on
 * a 403 / 9999 or before the session's TIMEOUT, and maps the device's error
 * codes to our errors (retryable, credentials, the rest).
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import { ActionFailedError, TargetAuthError, TargetUnreachableError } from '../../errors';
import { httpRequest, type HttpReply } from '../http-json';
import { authHash, handshakeHashes, KlapCipher } from './klap';
import { loginParams, passthroughDecrypt, passthroughEncrypt, PassthroughKeys } from './passthrough';

const RETRYABLE = new Set([1002, 1112, -1001, 9999]);
const CREDENTIALS = new Set([-1501, 1111, -1005, 1100, 1003]);

interface Session {
  cookie: string;
  expiresAt: number;
  send(inner: string): Promise<{ status: number; reply?: string }>;
}

export class TapoClient {
  private transport: 'klap' | 'passthrough' | undefined;
  private session: Session | undefined;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(
    private readonly where: string,
    private readonly host: string,
    private readonly port: number,
    private readonly email: string,
    private readonly password: string,
    private readonly timeoutMs = 5000,
  ) {}

  close(): void {
    this.agent.destroy();
  }

  async call(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const inner = JSON.stringify({ method, params, request_time_milis: Date.now() });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const session = await this.ensureSession(attempt > 0);
      const { status, reply } = await session.send(inner);
      if (status === 403) continue; // the session is gone: one fresh handshake, then give up
      if (status !== 200 || reply === undefined) throw new TargetUnreachableError(`${this.where}: ${method} answered HTTP ${status}`);
      const answer = JSON.parse(reply) as { error_code: number; result?: Record<string, unknown> };
      if (answer.error_code === 9999 && attempt === 0) continue;
      if (answer.error_code !== 0) throw this.deviceError(method, answer.error_code);
      return answer.result ?? {};
    }
    throw new TargetUnreachableError(`${this.where}: ${method}: the session was refused twice`);
  }

  private deviceError(method: string, code: number): Error {
    if (CREDENTIALS.has(code)) return new TargetAuthError(`${this.where}: the device refused the credentials (error ${code})`);
    if (RETRYABLE.has(code)) return new TargetUnreachableError(`${this.where}: ${method}: device error ${code} (retryable)`);
    return new ActionFailedError(`${this.where}: ${method}: device error ${code}`);
  }

  private async ensureSession(fresh: boolean): Promise<Session> {
    if (this.session && !fresh && Date.now() < this.session.expiresAt) return this.session;
    this.transport ??= await this.detect();
    this.session = this.transport === 'klap' ? await this.klapHandshake() : await this.passthroughHandshake();
    return this.session;
  }

  private async detect(): Promise<'klap' | 'passthrough'> {
    const reply = await this.post('/app', JSON.stringify({ method: 'component_nego' }), { 'Content-Type': 'application/json' });
    if (reply.status !== 200) return 'klap';
    const answer = JSON.parse(reply.body.toString('utf8')) as { error_code?: number };
    return answer.error_code === 1003 ? 'klap' : 'passthrough';
  }

  private async klapHandshake(): Promise<Session> {
    const auth = authHash(this.email, this.password);
    const localSeed = randomBytes(16);
    const first = await this.post('/app/handshake1', localSeed, {});
    if (first.status === 403) throw new TargetAuthError(`${this.where}: handshake refused (HTTP 403): is "Third-Party Compatibility" on in the Tapo app?`);
    if (first.status !== 200 || first.body.length !== 48) throw new TargetUnreachableError(`${this.where}: handshake1 answered HTTP ${first.status}`);
    const remoteSeed = first.body.subarray(0, 16);
    const hashes = handshakeHashes(localSeed, remoteSeed, auth);
    if (!hashes.server.equals(first.body.subarray(16))) throw new TargetAuthError(`${this.where}: the device does not know these credentials (handshake hash mismatch)`);
    const cookies = cookiesOf(first);
    const cookie = `TP_SESSIONID=${cookies.TP_SESSIONID ?? ''}`;
    const second = await this.post('/app/handshake2', hashes.client, { Cookie: cookie });
    if (second.status !== 200) throw new TargetAuthError(`${this.where}: handshake2 refused (HTTP ${second.status})`);
    const cipher = new KlapCipher(localSeed, remoteSeed, auth);
    return {
      cookie,
      expiresAt: expiry(cookies.TIMEOUT),
      send: async (inner) => {
        const { seq, body } = cipher.encrypt(inner);
        const reply = await this.post(`/app/request?seq=${seq}`, body, { Cookie: cookie });
        return reply.status === 200 ? { status: 200, reply: cipher.decrypt(seq, reply.body) } : { status: reply.status };
      },
    };
  }

  private async passthroughHandshake(): Promise<Session> {
    const keys = new PassthroughKeys();
    const json = { 'Content-Type': 'application/json' };
    const hello = await this.post('/app', JSON.stringify({ method: 'handshake', params: { key: keys.publicPem } }), json);
    const answer = JSON.parse(hello.body.toString('utf8')) as { error_code: number; result?: { key: string } };
    if (hello.status !== 200 || answer.error_code !== 0 || !answer.result) throw this.deviceError('handshake', answer.error_code);
    const { key, iv } = keys.unwrap(answer.result.key);
    const cookies = cookiesOf(hello);
    const cookie = `TP_SESSIONID=${cookies.TP_SESSIONID ?? ''}`;
    let path = '/app';
    const wrap = async (inner: string): Promise<{ status: number; reply?: string }> => {
      const body = JSON.stringify({ method: 'securePassthrough', params: { request: passthroughEncrypt(key, iv, inner) } });
      const reply = await this.post(path, body, { ...json, Cookie: cookie });
      if (reply.status !== 200) return { status: reply.status };
      const outer = JSON.parse(reply.body.toString('utf8')) as { error_code: number; result?: { response: string } };
      if (outer.error_code !== 0 || !outer.result) return { status: 200, reply: JSON.stringify({ error_code: outer.error_code }) };
      return { status: 200, reply: passthroughDecrypt(key, iv, outer.result.response) };
    };
    const login = await wrap(JSON.stringify({ method: 'login_device', params: loginParams(this.email, this.password), request_time_milis: Date.now() }));
    const loggedIn = JSON.parse(login.reply ?? '{"error_code":-1}') as { error_code: number; result?: { token: string } };
    if (loggedIn.error_code !== 0 || !loggedIn.result) throw this.deviceError('login_device', loggedIn.error_code);
    path = `/app?token=${encodeURIComponent(loggedIn.result.token)}`;
    return { cookie, expiresAt: expiry(cookies.TIMEOUT), send: wrap };
  }

  private post(path: string, body: Buffer | string, headers: http.OutgoingHttpHeaders): Promise<HttpReply> {
    return httpRequest(http, { host: this.host, port: this.port, method: 'POST', path, agent: this.agent, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } }, body, this.where, this.timeoutMs);
  }
}

function cookiesOf(reply: HttpReply): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const line of reply.headers['set-cookie'] ?? []) {
    for (const part of line.split(';')) {
      const separator = part.indexOf('=');
      if (separator > 0) cookies[part.slice(0, separator).trim()] = part.slice(separator + 1).trim();
    }
  }
  return cookies;
}

/** Re-handshake a minute before the device's TIMEOUT (seconds; a day when it sends none). */
function expiry(timeout: string | undefined): number {
  const seconds = Number(timeout) > 0 ? Number(timeout) : 86_400;
  return Date.now() + Math.max(1, seconds - 60) * 1000;
}
