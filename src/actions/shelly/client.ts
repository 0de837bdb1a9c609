/**
 * A Shelly plug over HTTP (PROTOCOLS.md §4): Gen1 (`/relay`, Basic auth) or
 * Gen2+ (`/rpc`, SHA-256 digest with opaque or numeric nonces, nc per nonce,
 * `stale=true` re-challenges, 429 back-off). The generation is read from
 * `/shelly` once.
 */
import * as http from 'node:http';
import { ActionFailedError, TargetAuthError, TargetUnreachableError } from '../../errors';
import { pause } from '../driver';
import { httpRequest, parseAuthFields, type HttpReply } from '../http-json';
import { DigestSession, type DigestChallenge } from './digest';

export interface ShellySwitchStatus {
  on: boolean;
  powerW?: number;
}

export class ShellyClient {
  private gen: 1 | 2 | undefined;
  private digest: DigestSession | undefined;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  private rpcId = 0;

  constructor(
    private readonly where: string,
    private readonly host: string,
    private readonly port: number,
    private readonly password: string | undefined,
    private readonly timeoutMs = 5000,
  ) {}

  close(): void {
    this.agent.destroy();
  }

  async status(channel: number): Promise<ShellySwitchStatus> {
    if ((await this.generation()) === 1) {
      const status = await this.gen1('/status') as { relays?: Array<{ ison: boolean }>; meters?: Array<{ power: number }> };
      const relay = status.relays?.[channel];
      if (!relay) throw new ActionFailedError(`${this.where}: no relay ${channel}`);
      const power = status.meters?.[channel]?.power;
      return { on: relay.ison, ...(power === undefined ? {} : { powerW: power }) };
    }
    const result = await this.rpc('Switch.GetStatus', { id: channel }) as { output: boolean; apower?: number };
    return { on: result.output, ...(result.apower === undefined ? {} : { powerW: result.apower }) };
  }

  async set(channel: number, on: boolean): Promise<void> {
    if ((await this.generation()) === 1) await this.gen1(`/relay/${channel}?turn=${on ? 'on' : 'off'}`);
    else await this.rpc('Switch.Set', { id: channel, on });
  }

  private async generation(): Promise<1 | 2> {
    if (this.gen) return this.gen;
    const reply = await this.request('GET', '/shelly', undefined, {});
    if (reply.status !== 200) throw new TargetUnreachableError(`${this.where}: /shelly answered HTTP ${reply.status}`);
    const info = JSON.parse(reply.body.toString('utf8')) as { gen?: number };
    this.gen = info.gen === undefined ? 1 : 2;
    return this.gen;
  }

  private async gen1(path: string): Promise<unknown> {
    const headers: http.OutgoingHttpHeaders = this.password === undefined ? {} : { Authorization: `Basic ${Buffer.from(`admin:${this.password}`).toString('base64')}` };
    const reply = await this.request('GET', path, undefined, headers);
    if (reply.status === 401) throw new TargetAuthError(`${this.where}: the device refused the password (HTTP 401)`);
    if (reply.status !== 200) throw new ActionFailedError(`${this.where}: ${path.split('?')[0]} answered HTTP ${reply.status}`);
    return JSON.parse(reply.body.toString('utf8'));
  }

  /** One JSON-RPC call; answers a digest challenge (and a stale one) and backs off on 429. */
  private async rpc(method: string, params: Record<string, unknown>): Promise<unknown> {
    const body = JSON.stringify({ id: ++this.rpcId, src: 'walnut', method, params });
    let challenged = false;
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json' };
      if (this.digest) headers.Authorization = this.digest.header('POST', '/rpc');
      const reply = await this.request('POST', '/rpc', body, headers);
      if (reply.status === 429) {
        await pause(Math.min(5000, 1000 * (Number(reply.headers['retry-after']) || 1) * (attempt + 1)));
        continue;
      }
      if (reply.status === 401) {
        const challenge = this.challengeOf(reply);
        if (this.password === undefined) throw new TargetAuthError(`${this.where}: the device has authentication on; give the target credentials`);
        // A stale nonce is no verdict on the password: take the fresh one and go on.
        if (challenged && !challenge.stale) throw new TargetAuthError(`${this.where}: the device refused the password (digest)`);
        challenged = !challenge.stale || challenged;
        if (this.digest) this.digest.renew(challenge);
        else this.digest = new DigestSession(this.password, challenge);
        continue;
      }
      if (reply.status !== 200) throw new ActionFailedError(`${this.where}: ${method} answered HTTP ${reply.status}`);
      const answer = JSON.parse(reply.body.toString('utf8')) as { result?: unknown; error?: { code: number; message: string } };
      if (answer.error) throw new ActionFailedError(`${this.where}: ${method} failed: ${answer.error.code} ${answer.error.message}`);
      return answer.result;
    }
    throw new TargetUnreachableError(`${this.where}: ${method}: too many retries (429 or stale nonces)`);
  }

  private challengeOf(reply: HttpReply): DigestChallenge {
    const header = reply.headers['www-authenticate'];
    const fields = parseAuthFields(Array.isArray(header) ? header.join(', ') : header ?? '');
    if (!fields.nonce || !fields.realm) throw new TargetAuthError(`${this.where}: HTTP 401 without a digest challenge`);
    return { realm: fields.realm, nonce: fields.nonce, stale: fields.stale === 'true' };
  }

  private request(method: string, path: string, body: string | undefined, headers: http.OutgoingHttpHeaders): Promise<HttpReply> {
    return httpRequest(http, { host: this.host, port: this.port, method, path, headers, agent: this.agent }, body, this.where, this.timeoutMs);
  }
}
